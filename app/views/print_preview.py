"""印刷プレビュー and 印刷… (issue 14 item 10): the export's own PDF pages, rendered with pypdfium2, and
printed through the system's printer dialog at 100 % — each page rendered at the printer's resolution and
placed at its physical size on paper of its size, never "fit to page" (which would shrink the seal box
and move the QR code off its printed size).

QtPdf is not in pyside6-essentials, so pages are drawn as images: pdfium rasterises, Qt paints.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

import pypdfium2 as pdfium
from PySide6.QtCore import QEvent, QMarginsF, QObject, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.views.fit import FULL_HEIGHT, fit_size

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.export.preview import SheetPreview

POINTS_PER_INCH: Final = 72.0
MAX_PRINT_DPI: Final = 600
"""Office lasers print at 600 dpi; a driver asking for more (a PDF printer says 1200) gets 600-dpi pixels
placed at the same physical size, so the paper is the same and the job a quarter of the size."""
BAND_BYTES: Final = 32 * 1024 * 1024
"""A page is rasterised in bands of at most this many bytes (an A4 page at 600 dpi is 140 MB whole)."""
ZOOMS: Final = (("ページ全体", 0.0), ("幅に合わせる", -1.0), ("50%", 0.5), ("75%", 0.75), ("100%", 1.0),
                ("150%", 1.5), ("200%", 2.0))  # fmt: skip
"""Zoom choices: 0 fits the page, -1 fits its width; 100 % shows the page at its size on a 96-dpi screen."""
SCREEN_DPI: Final = 96.0


def render_band(page: pdfium.PdfPage, scale: float, top: int = 0, height: int | None = None) -> QImage:
    """Rows `top` … `top + height` of `page` rendered at `scale` pixels per point, as a QImage (a copy
    that owns its pixels)."""
    _width, full_height = page.get_size()
    total = math.ceil(full_height * scale)
    rows = total - top if height is None else min(height, total - top)
    # pypdfium2 takes the crop in points and rounds it up to pixels: half a pixel less lands exactly.
    crop_top = 0.0 if top == 0 else (top - 0.5) / scale
    below = total - top - rows
    crop_bottom = 0.0 if below == 0 else (below - 0.5) / scale
    bitmap = page.render(
        scale=scale, crop=(0, crop_bottom, 0, crop_top), rev_byteorder=True, prefer_bgrx=True
    )
    try:
        image = QImage(
            bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGBX8888
        )
        return image.copy()
    finally:
        bitmap.close()


def page_layout(page: pdfium.PdfPage) -> QPageLayout:
    """Paper of the page's own size (A4 is recognised as A4), the page's orientation, no margins."""
    width, height = page.get_size()
    portrait = QSizeF(min(width, height), max(width, height))
    size = QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    orientation = QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait
    return QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)


def print_pages(pdf: bytes, printer: QPrinter, pages: list[int] | None = None) -> int:
    """Print `pages` (0-based; all by default) of `pdf` on `printer` at 100 %: each page on paper of its
    size, rendered at the printer's resolution (at most MAX_PRINT_DPI) and drawn at its physical size from
    the paper's corner. Returns how many pages were printed."""
    document = pdfium.PdfDocument(pdf)
    try:
        chosen = list(range(len(document))) if pages is None else pages
        if not chosen:
            return 0
        printer.setFullPage(True)  # the origin is the paper's corner, not the printable area's
        painter = QPainter()
        for position, number in enumerate(chosen):
            page = document[number]
            try:
                if position == 0:
                    printer.setPageLayout(page_layout(page))
                    if not painter.begin(printer):
                        raise OSError("プリンターを開けません")
                    # A PDF printer (CUPS on Linux, 「PDFに保存」) would otherwise store the pages as JPEG.
                    painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering)
                else:
                    printer.setPageLayout(page_layout(page))
                    printer.newPage()
                _paint_page(painter, page, printer.resolution())
            finally:
                page.close()
        painter.end()
        return len(chosen)
    finally:
        document.close()


def _paint_page(painter: QPainter, page: pdfium.PdfPage, device_dpi: int) -> None:
    _width, height_pt = page.get_size()
    dpi = min(device_dpi, MAX_PRINT_DPI)
    scale = dpi / POINTS_PER_INCH
    # One rendered pixel is `ratio` device pixels (1 unless the printer asks for more than 600 dpi), so
    # the page keeps its physical size and bands meet on whole device pixels.
    ratio = device_dpi / dpi
    pixels_high = math.ceil(height_pt * scale)
    band = max(1, BAND_BYTES // (math.ceil(_width * scale) * 4))
    for top in range(0, pixels_high, band):
        image = render_band(page, scale, top, band)
        painter.drawImage(QRectF(0, top * ratio, image.width() * ratio, image.height() * ratio), image)


class PrinterChoice:
    """The system's printer dialog (tests patch `ask`)."""

    @classmethod
    def ask(cls, parent: QWidget | None, printer: QPrinter, pages: int) -> bool:
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(parent.tr("印刷") if parent is not None else "印刷")
        dialog.setMinMax(1, pages)
        return dialog.exec() == QDialog.DialogCode.Accepted


def chosen_pages(printer: QPrinter, pages: int) -> list[int]:
    """The 0-based pages the printer dialog asked for (all, or its 開始/終了 range)."""
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage(), min(printer.toPage() or pages, pages)
        return list(range(first - 1, last))
    return list(range(pages))


class PrintPreviewDialog(QDialog):
    """The pages as they will print, one at a time with page navigation and zoom, and 印刷…."""

    def __init__(
        self,
        preview: SheetPreview,
        parent: QWidget | None = None,
        *,
        on_printed: Callable[[SheetPreview], None] | None = None,
        on_export: Callable[[], None] | None = None,
        title: str = "",
    ) -> None:
        super().__init__(parent)
        self.preview = preview
        self._on_printed = on_printed
        self._document = pdfium.PdfDocument(preview.pdf)
        self._sizes: list[tuple[float, float]] = [
            tuple(self._document.get_page_size(i)) for i in range(len(self._document))
        ]
        self._cache: dict[tuple[int, float], QPixmap] = {}
        self.current = 0
        """The page shown (0-based)."""
        self.setWindowTitle(self.tr("印刷プレビュー") + (f" — {title}" if title else ""))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)

        self.banner = QLabel(self._banner_text(), self)
        self.banner.setWordWrap(True)
        if preview.draft:
            self.banner.setStyleSheet("color: #b3261e; font-weight: bold;")
        layout.addWidget(self.banner)

        bar = QHBoxLayout()
        self.previous_button = QPushButton(self.tr("◀ 前へ"), self)
        self.previous_button.setShortcut(QKeySequence(Qt.Key.Key_PageUp))
        self.next_button = QPushButton(self.tr("次へ ▶"), self)
        self.next_button.setShortcut(QKeySequence(Qt.Key.Key_PageDown))
        self.page_box = QSpinBox(self)
        self.page_box.setRange(1, max(1, self.page_count))
        self.page_box.setSuffix(self.tr(" / {n} ページ").format(n=self.page_count))
        self.zoom = QComboBox(self)
        for label, _factor in ZOOMS:
            self.zoom.addItem(self.tr(label))
        self.zoom.setToolTip(self.tr("表示の倍率（印刷は常に100%です）"))
        self.print_button = QPushButton(self.tr("印刷…"), self)
        self.print_button.setDefault(True)
        self.print_button.setToolTip(
            self.tr("プリンターを選んで印刷します。倍率は常に100%（用紙に合わせて縮小しません）")
        )
        bar.addWidget(self.previous_button)
        bar.addWidget(self.page_box)
        bar.addWidget(self.next_button)
        bar.addWidget(QLabel(self.tr("表示:"), self))
        bar.addWidget(self.zoom)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        self.export_button: QPushButton | None = None
        if on_export is not None and not preview.draft:
            self.export_button = QPushButton(self.tr("PDFとアップロード用ファイルを保存…"), self)
            export = on_export

            def save_files() -> None:
                self.accept()
                export()

            self.export_button.clicked.connect(save_files)
            bar.addWidget(self.export_button)
        close = QPushButton(self.tr("閉じる"), self)
        close.clicked.connect(self.reject)
        bar.addWidget(close)
        layout.addLayout(bar)

        self.area = QScrollArea(self)
        self.area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.setBackgroundRole(QPalette.ColorRole.Dark)
        self.page_label = QLabel(self.area)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.setWidget(self.page_label)
        self.area.setWidgetResizable(False)
        self.area.viewport().installEventFilter(self)
        layout.addWidget(self.area, 1)

        self.previous_button.clicked.connect(lambda: self.show_page(self.current - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self.current + 1))
        self.page_box.valueChanged.connect(lambda value: self.show_page(value - 1))
        self.zoom.currentIndexChanged.connect(lambda _: self._render())
        self.print_button.clicked.connect(self.print_document)
        self._fit_to_screen()
        self.show_page(0)

    @property
    def page_count(self) -> int:
        return len(self._sizes)

    def _banner_text(self) -> str:
        if self.preview.draft:
            return self.tr(
                "下書きです（エラー {n}件）。押印・提出には使えません。エラーを直すと提出用の印刷になります。"
            ).format(n=self.preview.errors)
        return self.tr(
            "提出用の印刷です（照合コード {h}）。印刷後に内容を変えると、印刷し直しが必要になります。"
        ).format(h=self.preview.short_hash)

    def _fit_to_screen(self) -> None:
        """Most of the screen's free area (1366×728 and 1280×693 included), never more."""
        fit_size(self, 1000, FULL_HEIGHT)

    def show_page(self, number: int) -> None:
        if not 0 <= number < self.page_count:
            return
        self.current = number
        self.page_box.blockSignals(True)
        self.page_box.setValue(number + 1)
        self.page_box.blockSignals(False)
        self.previous_button.setEnabled(number > 0)
        self.next_button.setEnabled(number < self.page_count - 1)
        self._render()
        self.area.verticalScrollBar().setValue(0)

    def zoom_factor(self) -> float:
        """Screen pixels (logical) per point of the page at the chosen zoom."""
        factor = ZOOMS[max(0, self.zoom.currentIndex())][1]
        width, height = self._sizes[self.current]
        view = self.area.viewport().size()
        margin = 16
        if factor == 0.0:
            return max(0.05, min((view.width() - margin) / width, (view.height() - margin) / height))
        if factor < 0:
            return max(0.05, (view.width() - margin) / float(width))
        return factor * SCREEN_DPI / POINTS_PER_INCH

    def _render(self) -> None:
        if self.page_count == 0:
            return
        zoom = self.zoom_factor()
        ratio = self.devicePixelRatioF()
        key = (self.current, round(zoom * ratio, 4))
        pixmap = self._cache.get(key)
        if pixmap is None:
            page = self._document[self.current]
            try:
                pixmap = QPixmap.fromImage(render_band(page, zoom * ratio))
            finally:
                page.close()
            pixmap.setDevicePixelRatio(ratio)
            if len(self._cache) > 8:
                self._cache.clear()
            self._cache[key] = pixmap
        self.page_label.setPixmap(pixmap)
        self.page_label.resize(pixmap.deviceIndependentSize().toSize())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The fitting zooms follow the page area's own size, known only once the dialog is laid out.
        fitting = ZOOMS[max(0, self.zoom.currentIndex())][1] <= 0
        if fitting and watched is self.area.viewport() and event.type() == QEvent.Type.Resize:
            self._render()
        return super().eventFilter(watched, event)

    def print_document(self, printer: QPrinter | None = None) -> bool:
        """Ask for a printer (unless given one) and print at 100 %. True when the pages were sent."""
        target = printer if printer is not None else QPrinter(QPrinter.PrinterMode.HighResolution)
        target.setDocName(self.windowTitle())
        if printer is None and not PrinterChoice.ask(self, target, self.page_count):
            return False
        pages = chosen_pages(target, self.page_count)
        try:
            print_pages(self.preview.pdf, target, pages)
        except OSError as error:
            self.banner.setText(self.tr("印刷できません: {e}").format(e=error))
            return False
        if self._on_printed is not None:
            self._on_printed(self.preview)
        return True

    def done(self, result: int) -> None:
        self._document.close()
        self._cache.clear()
        super().done(result)

    @classmethod
    def show_preview(
        cls,
        parent: QWidget | None,
        preview: SheetPreview,
        *,
        on_printed: Callable[[SheetPreview], None] | None = None,
        on_export: Callable[[], None] | None = None,
        title: str = "",
    ) -> PrintPreviewDialog:
        """Open the preview beside the window (tests patch this)."""
        dialog = cls(preview, parent, on_printed=on_printed, on_export=on_export, title=title)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setModal(False)
        dialog.show()
        return dialog
