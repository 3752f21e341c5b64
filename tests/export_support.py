"""Helpers for the export tests: example applications, the installed form and list, the PDF's text and fonts."""

from __future__ import annotations

import copy
import datetime as dt
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from app.models.application import Application
from app.models.forms import FormDefinition, bundled_forms
from app.store.facility_files import bundled_facility_list
from examples.generate import valid_20, valid_25_one_section, valid_25_three_sections
from tests import pdf_reading

if TYPE_CHECKING:
    from pathlib import Path

    from app.models.facility import FacilityList

NOW = dt.datetime(2026, 9, 20, 3, 4, 5, tzinfo=dt.UTC)
DUPLICATE_REASON = "別の患者です（双子の兄弟で、同じ時期に同じ診断）"


def form() -> FormDefinition:
    found = bundled_forms().get("jbct-renewal-2026", "2026.1")
    assert found is not None
    return found


def facilities() -> FacilityList:
    return bundled_facility_list()


def application(document: dict[str, Any]) -> Application:
    return Application.model_validate(document)


def valid_20_app() -> Application:
    return application(valid_20())


def valid_25_app() -> Application:
    return application(valid_25_three_sections())


def with_accepted_duplicate() -> Application:
    """20 cases in which No.2 looks like No.1's patient, a warning kept with a reason."""
    document = valid_20()
    cases = document["sections"][0]["cases"]
    twin = copy.deepcopy(cases[0])
    twin["age"] = cases[0]["age"] + 1
    twin["note"] = "双子の弟のカルテ番号 99999（自分用）"
    twin["accepted"] = [{"code": "duplicate-patient", "reason": DUPLICATE_REASON}]
    cases[1] = twin
    return application(document)


def with_texts(**fields: str) -> Application:
    """valid_20 with the first case's text fields replaced."""
    document = valid_20()
    document["sections"][0]["cases"][0].update(fields)
    return application(document)


def valid_25_one_section_app() -> Application:
    """One facility with 25 cases, one warning kept with a reason: the section the screenshot shows."""
    return application(valid_25_one_section())


def pdf_text(path: Path) -> str:
    """The PDF's text in drawing order, pages ended by form feeds: a table row comes out as its cells left
    to right (read with pypdfium2, as `pdftotext -raw` would)."""
    return pdf_reading.text(path)


def pdf_fonts(path: Path) -> list[pdf_reading.PdfFont]:
    """The PDF's fonts as `pdffonts` lists them: name, embedded, subset, ToUnicode map."""
    return pdf_reading.fonts(path)


def one_byte_changed(data: st.DataObject, original: bytes) -> bytes:
    """`original` with one byte, drawn anywhere, replaced by any other byte (for the tampering properties)."""
    position = data.draw(st.integers(0, len(original) - 1), label="position")
    replacement = data.draw(st.integers(0, 255).filter(lambda b: b != original[position]), label="byte")
    return original[:position] + bytes([replacement]) + original[position + 1 :]


def squeezed(text: str) -> str:
    """Text without any white space, so cell wrapping does not matter when comparing."""
    return "".join(text.split())


def import_dated_list(home: Path, folder: Path, version: dt.date, extra: str) -> None:
    """Import a small JBCT facility list dated `version` (伊勢赤十字病院 and the `extra` CSV row) into `home`."""
    from app.store.facility_lists import import_facility_list

    path = folder / f"認定施設一覧-{version}.csv"
    path.write_text(
        "認定番号,施設名,住所,認定開始,認定終了,種別\n"
        f"20953,伊勢赤十字病院,三重県伊勢市船江1-471-2,,,認定研修施設\n{extra}\n",
        encoding="utf-8",
    )
    import_facility_list(
        home, path, kind="jbct", society="日本がん治療認定医機構",
        name=f"認定研修施設一覧 {version}", version_date=version, source="機構ウェブサイト",
    )  # fmt: skip
