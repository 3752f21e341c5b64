"""Certified facilities (JB-4, JS-3) as the societies publish them, and the list they come in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Protocol

from pydantic import BaseModel, ConfigDict, Field

from app.models.yearmonth import Date

if TYPE_CHECKING:
    import datetime as dt

ENDED_LABEL: Final = "（認定終了）"
"""JS-3: how an entry whose certification has ended is marked (the seed's wording), wherever it is listed."""


class Facility(BaseModel):
    """One entry of a facility list. A facility may appear more than once with other periods or kinds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cert_no: str = Field(min_length=1)
    name: str = Field(min_length=1)
    address: str = ""
    cert_start: Date | None = None
    cert_end: Date | None = None
    kind: str = ""

    def is_ended(self, today: dt.date) -> bool:
        """Certification over (JS-3 marks it with `ENDED_LABEL`)."""
        return self.cert_end is not None and self.cert_end < today


class FacilityListInfo(BaseModel):
    """The manifest of a facility list: which list, which version, where from, and whether a sample."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    list_id: str
    society: str
    name: str
    version_date: Date
    source: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    sample: bool
    data_file: str


class FacilityLookup(Protocol):
    """What the rules need of a facility list; the bundled files and the store's index both provide it."""

    @property
    def info(self) -> FacilityListInfo: ...

    def by_cert_no(self, cert_no: str) -> list[Facility]: ...


class FacilityList:
    """A whole facility list held in memory, indexed by 認定番号."""

    def __init__(self, info: FacilityListInfo, facilities: list[Facility]) -> None:
        self._info = info
        self.facilities = facilities
        self._by_cert: dict[str, list[Facility]] = {}
        for facility in facilities:
            self._by_cert.setdefault(facility.cert_no, []).append(facility)

    @property
    def info(self) -> FacilityListInfo:
        return self._info

    def by_cert_no(self, cert_no: str) -> list[Facility]:
        return self._by_cert.get(cert_no, [])

    def __len__(self) -> int:
        return len(self.facilities)
