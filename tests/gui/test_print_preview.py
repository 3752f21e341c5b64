"""印刷プレビュー and 印刷… inside the program: the export's own pages, printed at 100 % (issue 14 item 10)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from PIL import ImageChops
from PySide6.QtGui import QKeySequence
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMenu

from app.export.preview import SheetPreview, preview_sheets
from app.views import print_preview as print_preview_module
from app.views.print_preview import PrinterChoice, PrintPreviewDialog, print_pages

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from PIL.Image import Image
    from pytestqt.qtbot import QtBot

    from app.views.main_window import MainWindow


def _preview(window: MainWindow) -> SheetPreview:
    assert window.application is not None and window.form is not None
    return preview_sheets(window.application, window.form, window._facilities(), issues=window.issues)


def _pdf_printer(path: Path, dpi: int = 150) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(dpi)
    return printer


def _page_image(pdf: bytes | Path, number: int = 0, scale: float = 1) -> Image:
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[number]
        image: Image = page.render(scale=scale).to_pil().convert("L")
        page.close()
        return image
    finally:
        document.close()


def _ink(image: Image) -> tuple[int, int, int, int]:
    """The box around everything printed on a page (in points at scale 1)."""
    box = ImageChops.invert(image).point(lambda value: 255 if value > 60 else 0).getbbox()
    assert box is not None
    return box


@pytest.fixture
def dialogs(qtbot: QtBot) -> Iterator[list[PrintPreviewDialog]]:
    """Preview dialogs made by a test, closed after it."""
    made: list[PrintPreviewDialog] = []
    yield made
    for dialog in made:
        dialog.close()


def test_print_is_at_100_percent_on_paper_of_the_page_size(window: MainWindow, tmp_path: Path) -> None:
    """Printed through a QPrinter (to a PDF file), every page is A4 and everything on it sits where the
    export put it: not shrunk to fit, not moved into the printable area."""
    preview = _preview(window)
    printed = tmp_path / "printed.pdf"
    assert print_pages(preview.pdf, _pdf_printer(printed)) == 1
    source, copy = pdfium.PdfDocument(preview.pdf), pdfium.PdfDocument(printed)
    try:
        assert len(copy) == len(source)
        for number in range(len(source)):
            width, height = copy.get_page_size(number)
            expected = source.get_page_size(number)
            assert abs(width - expected[0]) < 0.5 and abs(height - expected[1]) < 0.5
    finally:
        source.close()
        copy.close()
    ink, original = _ink(_page_image(printed)), _ink(_page_image(preview.pdf))
    assert all(abs(a - b) <= 2 for a, b in zip(ink, original, strict=True)), (ink, original)


def test_printing_in_bands_tiles_the_page_at_the_printer_resolution(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page rasterised in bands prints as images that meet edge to edge from the paper's top, each
    pixel one printer dot (1/100 inch at 100 dpi): no gap, no overlap, no scaling."""
    preview = _preview(window)
    banded = tmp_path / "banded.pdf"
    monkeypatch.setattr(print_preview_module, "BAND_BYTES", 827 * 4 * 37)  # 37 rows a band at 100 dpi
    print_pages(preview.pdf, _pdf_printer(banded, 100))
    document = pdfium.PdfDocument(banded)
    try:
        page = document[0]
        images = list(page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE]))
        assert len(images) > 20
        bounds = sorted((image.get_bounds() for image in images), key=lambda box: -box[3])
        sizes = {image.get_px_size() for image in images}
        _width, height = page.get_size()
        assert abs(bounds[0][3] - height) < 0.01 and bounds[-1][1] <= 0.01
        for upper, lower in itertools.pairwise(bounds):
            assert abs(upper[1] - lower[3]) < 0.01
        for image in images:
            left, bottom, right, top = image.get_bounds()
            pixels_wide, pixels_high = image.get_px_size()
            assert left == 0 and abs((right - left) - pixels_wide * 0.72) < 0.01
            assert abs((top - bottom) - pixels_high * 0.72) < 0.01
        assert max(high for _wide, high in sizes) == 37
        page.close()
    finally:
        document.close()


def test_ctrl_p_opens_the_preview_and_writing_files_is_its_own_command(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+P is 印刷プレビュー; 印刷用PDFとアップロード用ファイルを作成 has its own shortcut (Ctrl+E)."""
    shown: list[SheetPreview] = []
    monkeypatch.setattr(
        PrintPreviewDialog,
        "show_preview",
        classmethod(lambda cls, parent, preview, **kw: shown.append(preview)),
    )
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    actions = {action.text(): action for action in file_menu.actions()}
    preview_action = actions["印刷プレビュー…(&V)"]
    assert preview_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Print)
    assert actions["印刷用PDFとアップロード用ファイルを作成…(&P)"].shortcut() == QKeySequence("Ctrl+E")
    preview_action.trigger()
    [preview] = shown
    assert not preview.draft and preview.short_hash


def test_preview_navigates_pages_and_zooms(
    window: MainWindow, examples_dir: Path, dialogs: list[PrintPreviewDialog], qtbot: QtBot
) -> None:
    """Three sections give three pages: 次へ/前へ move between them; 100 % is the page's size on screen."""
    assert window.open_file(examples_dir / "valid-25-cases-3-sections.json")
    dialog = PrintPreviewDialog(_preview(window), window)
    dialogs.append(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.page_count >= 3 and dialog.current == 0 and not dialog.previous_button.isEnabled()
    dialog.next_button.click()
    assert dialog.current == 1 and dialog.page_box.value() == 2
    dialog.page_box.setValue(dialog.page_count)
    assert dialog.current == dialog.page_count - 1 and not dialog.next_button.isEnabled()
    dialog.zoom.setCurrentText("100%")
    width = dialog.page_label.pixmap().deviceIndependentSize().width()
    assert abs(width - 595.3 * 96 / 72) < 3
    dialog.zoom.setCurrentText("ページ全体")
    shown = dialog.page_label.pixmap().deviceIndependentSize()
    view = dialog.area.viewport().size()
    assert shown.height() <= view.height() and shown.width() <= view.width()


def test_preview_fits_the_screen(window: MainWindow, dialogs: list[PrintPreviewDialog], qtbot: QtBot) -> None:
    """The dialog opens inside the screen's free area, whatever its size."""
    dialog = PrintPreviewDialog(_preview(window), window)
    dialogs.append(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    area = dialog.screen().availableGeometry()
    assert area.contains(dialog.geometry())


def test_draft_previews_with_the_watermark(
    window: MainWindow, examples_dir: Path, dialogs: list[PrintPreviewDialog]
) -> None:
    """An application with errors previews as the 下書き, and says why; it offers no files to save."""
    assert window.open_file(examples_dir / "broken.json")
    preview = _preview(window)
    assert preview.draft and preview.errors > 0 and preview.short_hash is None
    document = pdfium.PdfDocument(preview.pdf)
    try:
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert "下書き" in text
    dialog = PrintPreviewDialog(preview, window, on_export=lambda: None)
    dialogs.append(dialog)
    assert "下書き" in dialog.banner.text() and f"{preview.errors}件" in dialog.banner.text()
    assert dialog.export_button is None


def test_print_from_the_preview_goes_through_the_printer_dialog_and_counts_as_printed(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dialogs: list[PrintPreviewDialog]
) -> None:
    """印刷… asks the system's printer dialog, prints every page, and the application is 「印刷 済」."""
    printed = tmp_path / "printer.pdf"

    def ask(cls: type[PrinterChoice], parent: object, printer: QPrinter, pages: int) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        printer.setResolution(96)
        return True

    monkeypatch.setattr(PrinterChoice, "ask", classmethod(ask))
    shown: list[PrintPreviewDialog] = []

    def show(
        cls: type[PrintPreviewDialog], /, parent: MainWindow, preview: SheetPreview, **kw: object
    ) -> None:
        dialog = cls(preview, parent, **kw)  # type: ignore[arg-type]
        shown.append(dialog)

    monkeypatch.setattr(PrintPreviewDialog, "show_preview", classmethod(show))
    window.print_flow.preview()
    [dialog] = shown
    dialogs.append(dialog)
    assert dialog.print_document()
    assert len(pdfium.PdfDocument(printed)) == dialog.page_count
    assert window.print_flow.label.text() == "印刷 済／アップロード 未"


def test_cancelled_printer_dialog_prints_nothing(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, dialogs: list[PrintPreviewDialog]
) -> None:
    """Cancelling the printer dialog prints nothing and leaves the state as it was."""
    monkeypatch.setattr(PrinterChoice, "ask", classmethod(lambda cls, parent, printer, pages: False))
    dialog = PrintPreviewDialog(_preview(window), window, on_printed=lambda shown: pytest.fail("printed"))
    dialogs.append(dialog)
    assert not dialog.print_document()
    assert window.print_flow.label.text() == "印刷 未／アップロード 未"


def test_printing_when_the_state_cannot_be_kept_says_so_instead_of_failing(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store that refuses the 印刷 済 note (full disk, read-only) gives a status-bar line, not an error."""
    from app.store.errors import StoreError

    def refuse(*args: object, **kwargs: object) -> None:
        raise StoreError("保存できませんでした（disk I/O error）")

    monkeypatch.setattr(window.store.archive, "record_output", refuse)
    assert window.application is not None
    window.print_flow.printed(_preview(window), window.application)
    assert "記録できませんでした" in window.statusBar().currentMessage()
    assert window.print_flow.label.text() == "印刷 未／アップロード 未"
    monkeypatch.setattr(type(window.store), "read_only", property(lambda self: True))
    window.print_flow.printed(_preview(window), window.application)
    assert "読み取り専用" in window.statusBar().currentMessage()


def test_a_section_label_with_a_middle_dot_keeps_its_name_in_the_printed_tab(window: MainWindow) -> None:
    """The tab's 「・印刷済」 mark is replaced, not the label cut at its own 「・」 (a form pack's 施設・研修)."""
    from app.store.print_state import PrintState

    assert window.jbct is not None
    window.tabs.setTabText(0, "施設・研修（3件）")
    printed = PrintState(printed=True, uploaded=False, changed=False, printed_parts=(0,))
    window.jbct.show_print_state(printed)
    window.jbct.show_print_state(printed)
    assert window.tabs.tabText(0) == "施設・研修（3件）・印刷済"
    window.jbct.show_print_state(PrintState(printed=True, uploaded=False, changed=True, printed_parts=(0,)))
    assert window.tabs.tabText(0) == "施設・研修（3件）・印刷後に変更あり"
