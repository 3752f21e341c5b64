"""Windows that fit the screen they open on (SPEC §1: laptops at 1366×768, and 1920×1080 at 150 %, which
leaves 1280×693 logical pixels under the taskbar): maximised on screens up to 1920 logical pixels wide,
else the remembered or default size, always inside the screen's available geometry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

MAXIMISE_UP_TO = 1920
"""Screens up to this many logical pixels wide open the main windows maximised."""

_FRAME = QSize(16, 40)
"""Room left for the window manager's frame and title bar before the window is shown (its real size is
known only once mapped)."""


def available_geometry(widget: QWidget) -> QRect:
    """The usable part (without taskbars) of the screen `widget` is on, or of the primary screen."""
    screen = widget.screen() if widget.screen() is not None else QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 693)


def clamp_to_screen(widget: QWidget) -> None:
    """Shrink and move `widget` (a top-level window) so that it and its frame lie inside the screen."""
    area = available_geometry(widget)
    room = QSize(area.width() - _FRAME.width(), area.height() - _FRAME.height())
    size = widget.size().boundedTo(room)
    if size != widget.size():
        widget.resize(size)
    x = min(max(widget.x(), area.left()), area.right() - size.width() - _FRAME.width() + 1)
    y = min(max(widget.y(), area.top()), area.bottom() - size.height() - _FRAME.height() + 1)
    if (x, y) != (widget.x(), widget.y()):
        widget.move(max(x, area.left()), max(y, area.top()))


def fit_size(widget: QWidget, width: int, height: int) -> None:
    """Resize a dialog to (width, height), or less where the screen is smaller."""
    widget.resize(width, height)
    clamp_to_screen(widget)


def show_fitted(widget: QWidget, *, remembered: bool) -> None:
    """Show a main window: its remembered geometry (kept inside the screen), or maximised on a laptop-sized
    screen the first time."""
    if not remembered and available_geometry(widget).width() <= MAXIMISE_UP_TO:
        widget.showMaximized()
        return
    if not widget.isMaximized():
        clamp_to_screen(widget)
    widget.show()
