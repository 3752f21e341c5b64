"""The marks of a cell's problem: an error, a warning and an accepted warning differ by shape (×, !, ✓)
as well as by colour, so they read in grey-scale and for colour-blind users alike."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

if TYPE_CHECKING:
    from app.validation import Issue

ERROR, WARNING, ACCEPTED = "error", "warning", "accepted"

_SIZE = 32
"""Drawn large and scaled down by Qt, so the marks stay sharp at 150 %."""


def kind_of(issues: list[Issue], rejected: bool = False) -> str | None:
    """The strongest mark of a cell: an unreadable value or an error, then a warning, then accepted."""
    if rejected or any(issue.is_error for issue in issues):
        return ERROR
    if any(not issue.accepted for issue in issues):
        return WARNING
    return ACCEPTED if issues else None


def issue_kind(issue: Issue) -> str:
    return ERROR if issue.is_error else (ACCEPTED if issue.accepted else WARNING)


@cache
def mark_icon(kind: str) -> QIcon:
    """The icon of `kind` (ERROR: red disc with ×, WARNING: amber triangle with !, ACCEPTED: green ✓)."""
    pixmap = QPixmap(_SIZE, _SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    white = QPen(QColor("white"), 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    if kind == ERROR:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#c62828"))
        painter.drawEllipse(QRectF(2, 2, 28, 28))
        painter.setPen(white)
        painter.drawLine(QPointF(11, 11), QPointF(21, 21))
        painter.drawLine(QPointF(21, 11), QPointF(11, 21))
    elif kind == WARNING:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#e0a000"))
        painter.drawPolygon(QPolygonF([QPointF(16, 2), QPointF(31, 29), QPointF(1, 29)]))
        painter.setPen(QPen(QColor("black"), 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawLine(QPointF(16, 11), QPointF(16, 19))
        painter.drawPoint(QPointF(16, 25))
    else:
        path = QPainterPath(QPointF(5, 17))
        path.lineTo(QPointF(13, 25))
        path.lineTo(QPointF(27, 7))
        painter.setPen(QPen(QColor("#2e7d32"), 5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawPath(path)
    painter.end()
    return QIcon(pixmap)


LABELS = {ERROR: "エラー", WARNING: "警告", ACCEPTED: "警告（承認済み）"}
