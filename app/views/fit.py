"""Windows that fit the screen they open on (SPEC §1: laptops at 1366×768, and 1920×1080 at 150 %, which
leaves 1280×693 logical pixels under the taskbar): maximised on screens up to 1920 logical pixels wide,
else the remembered or default size, always inside the screen's available geometry.

Every dialog and secondary window sizes itself through `fit_size`, so one place decides how much of the
screen a window may take (tests patch `available_geometry` to stand for a small screen)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

MAXIMISE_UP_TO = 1920
"""Screens up to this many logical pixels wide open the main windows maximised."""

FRAME = QSize(16, 40)
"""Room left for the window manager's frame and title bar before the window is shown (its real size is
known only once mapped)."""

FULL_HEIGHT = 1 << 20
"""A height for `fit_size` meaning "as tall as the screen allows" (print preview, long texts)."""


def available_geometry(widget: QWidget) -> QRect:
    """The usable part (without taskbars) of the screen `widget` is on, or of the primary screen."""
    screen = widget.screen() if widget.screen() is not None else QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 693)


def room(widget: QWidget) -> QSize:
    """The largest size `widget` may take as a window: the screen's available geometry less the frame."""
    area = available_geometry(widget)
    return QSize(area.width() - FRAME.width(), area.height() - FRAME.height())


def clamp_to_screen(widget: QWidget) -> None:
    """Shrink and move `widget` (a top-level window) so that it and its frame lie inside the screen."""
    area = available_geometry(widget)
    size = widget.size().boundedTo(room(widget))
    if size != widget.size():
        widget.resize(size)
    x = min(max(widget.x(), area.left()), area.right() - size.width() - FRAME.width() + 1)
    y = min(max(widget.y(), area.top()), area.bottom() - size.height() - FRAME.height() + 1)
    if (x, y) != (widget.x(), widget.y()):
        widget.move(max(x, area.left()), max(y, area.top()))


def fit_size(widget: QWidget, width: int, height: int | None = None) -> None:
    """Size a dialog or secondary window to `width` × `height` (None: the height its layout asks for at
    that width), or less where the screen is smaller. Only the size: Qt centres a dialog on its parent
    and keeps it on the screen when it is shown."""
    limit = room(widget)
    width = min(width, limit.width())
    if height is None:
        layout = widget.layout()
        if layout is not None and layout.hasHeightForWidth():
            height = layout.totalHeightForWidth(width)
        else:
            height = widget.sizeHint().height()
    widget.resize(width, min(height, limit.height()))


def show_fitted(widget: QWidget, *, remembered: bool) -> None:
    """Show a main window: its remembered geometry (kept inside the screen), or maximised on a laptop-sized
    screen the first time."""
    if not remembered and available_geometry(widget).width() <= MAXIMISE_UP_TO:
        widget.showMaximized()
        return
    if not widget.isMaximized():
        clamp_to_screen(widget)
    widget.show()
