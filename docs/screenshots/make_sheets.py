"""Renders the printed-sheet images in this folder at 100 dpi with pdfium (the print-safe sheets of issue 14).

uv run python docs/screenshots/make_sheets.py

- pdf-25-long-names.png: examples/valid-25-long-names.json, 25 cases with 20-character names, one page;
- pdf-continuation-page.png: page 2 of a section whose 「その他」 texts need two pages (the head repeated,
  the 割印 box, rows whole);
- pdf-draft-broken.png and pdf-draft-broken-errors.png: the draft of examples/broken.json (no seal box,
  wrong cells marked ※n, the numbered error list);
- export-sheet-25-cases.png and export-jspm-case-report.png (80 dpi, the README's): the sheet of
  examples/valid-25-cases-1-section.json and case 1 of examples/jspm-transition-7-cases.json.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent
NOW = dt.datetime(2026, 9, 20, 3, 4, 5, tzinfo=dt.UTC)


def save_page(pdf: Path, page: int, name: str, dpi: float = 100) -> None:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        document[page].render(scale=dpi / 72).to_pil().save(HERE / name)
    finally:
        document.close()


def main() -> None:
    from app.export import export_application
    from app.models.application import Application
    from app.models.document import load_application
    from app.models.forms import bundled_forms
    from app.signing.keys import SigningKey
    from app.store.facility_files import bundled_facility_list
    from examples.generate import long_names

    form = bundled_forms().get("jbct-renewal-2026", "2026.1")
    assert form is not None
    facilities = bundled_facility_list()
    key = SigningKey.generate()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        os.environ["SHOREI_HOME"] = str(out / "home")

        def export(application: Application, stem: str, *, draft: bool = False) -> Path:
            result = export_application(
                application, form, facilities, out, stem=stem, draft=draft, key=key, now=NOW
            )
            return result.pdf_path

        long = load_application(ROOT / "examples" / "valid-25-long-names.json")
        save_page(export(long, "long"), 0, "pdf-25-long-names.png")

        document = long_names()
        for number, case in enumerate(document["sections"][0]["cases"]):
            if case["age"] is not None and number % 3 == 0:
                case["item"], case["item_other"] = (
                    "その他",
                    "がん悪液質に対する栄養療法・運動療法と心理的支援の併用",
                )
        save_page(export(Application.model_validate(document), "continued"), 1, "pdf-continuation-page.png")

        broken = export(load_application(ROOT / "examples" / "broken.json"), "broken", draft=True)
        save_page(broken, 0, "pdf-draft-broken.png")
        save_page(broken, 1, "pdf-draft-broken-errors.png")

        one = export(load_application(ROOT / "examples" / "valid-25-cases-1-section.json"), "one")
        save_page(one, 0, "export-sheet-25-cases.png", 80)
        jspm = load_application(ROOT / "examples" / "jspm-transition-7-cases.json")
        jspm_form = bundled_forms().get(jspm.form.id, jspm.form.version)
        assert jspm_form is not None
        result = export_application(
            jspm, jspm_form, bundled_facility_list("jspm-sample"), out, stem="jspm", key=key, now=NOW
        )
        save_page(result.pdf_path, 1, "export-jspm-case-report.png", 80)


if __name__ == "__main__":
    main()
