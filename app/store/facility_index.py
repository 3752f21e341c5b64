"""A facility list as a searchable SQLite index: look-up by 認定番号 (JB-4) and search as the user types.

Search is insensitive to full/half width, spaces, kana (ア/あ), case, dash variants and the variant kanji
people write in names (髙/高, 﨑/崎, 邊/邉/辺, 齋/齊/斎, ヶ/ケ …): both the list and the query are folded
with `fold` before they meet. Results are ranked: the 認定番号 itself, then names that start with the
query, names that contain it, addresses that contain it, and last entries that hold the words apart.

Queries of three characters or more use an FTS5 trigram index; shorter ones, and every query when this
SQLite lacks FTS5 (or its trigram tokenizer), scan the folded columns, which the index keeps for that.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, Self

from app.models.facility import Facility, FacilityListInfo

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from pathlib import Path

FOLD_VERSION: Final = "1"
"""Changes whenever `fold` does: an index folded otherwise is rebuilt rather than trusted."""

_VARIANTS: Final = {
    # The variants of the issue (髙/高, 﨑/崎, 邊/邉/辺, 齋/齊/斎, ヶ/ケ) and others common in names.
    # 﨑 (U+FA11) is one of the compatibility ideographs that NFKC leaves as they are.
    "髙": "高",
    "﨑": "崎",
    "嵜": "崎",
    "碕": "崎",
    "邊": "辺",
    "邉": "辺",
    "齋": "斎",
    "齊": "斎",
    "斉": "斎",
    "濵": "浜",
    "濱": "浜",
    "澤": "沢",
    "廣": "広",
    "國": "国",
    "櫻": "桜",
    "會": "会",
    "學": "学",
    "醫": "医",
    "德": "徳",
    "瀨": "瀬",
    "槇": "槙",
    "冨": "富",
    "嶋": "島",
    "嶌": "島",
    "峯": "峰",
    "龍": "竜",
    "藏": "蔵",
    "眞": "真",
    "實": "実",
    "惠": "恵",
    "豐": "豊",
    "黑": "黒",
    "榮": "栄",
    "兒": "児",
    "靜": "静",
    "淺": "浅",
    "條": "条",
    "戶": "戸",
    "祐": "佑",
    "ヶ": "け",
    "ヵ": "か",
    "ゖ": "け",
    "ゕ": "か",
}
_DASHES: Final = "-‐‑‒–—―−ーｰ─━"
_DROPPED: Final = "・･·"


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(key): value for key, value in _VARIANTS.items()}
    for code in range(ord("ァ"), ord("ヴ") + 1):
        table.setdefault(code, chr(code - 0x60))
    for dash in _DASHES:
        table[ord(dash)] = "-"
    for char in _DROPPED:
        table[ord(char)] = None
    return table


_FOLD: Final = _fold_table()


def fold(text: str) -> str:
    """The search form of `text`: NFKC, lower case, katakana as hiragana, variants and dashes unified,
    white space, middle dots and control characters removed. Idempotent."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    return "".join(char for char in folded if not char.isspace() and unicodedata.category(char) != "Cc")


def query_terms(text: str) -> list[str]:
    """The folded words of a query (split where the user put spaces)."""
    terms = (fold(word) for word in unicodedata.normalize("NFKC", text).split())
    return [term for term in terms if term]


MatchKind = Literal["cert_no", "name_prefix", "cert_no_prefix", "name", "address", "other"]
_TIERS: Final[tuple[MatchKind, ...]] = (
    "cert_no",
    "name_prefix",
    "cert_no_prefix",
    "name",
    "address",
    "other",
)
"""The ranking, best first: the 認定番号 itself, a name that starts with the query, a 認定番号 that starts
with it, a name that contains it, an address that contains it, and last the 認定番号 containing it or
the words of the query found apart. Within a rank, by folded name (by 認定番号 for 認定番号 prefixes)."""


@dataclass(frozen=True)
class FacilityHit:
    """A search result and why it matched (the window may mark it)."""

    facility: Facility
    match: MatchKind


_SCHEMA: Final = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    cert_no TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    cert_start TEXT,
    cert_end TEXT,
    kind TEXT NOT NULL,
    k_cert TEXT NOT NULL,
    k_name TEXT NOT NULL,
    k_address TEXT NOT NULL,
    k_all TEXT NOT NULL
);
CREATE INDEX entries_cert_no ON entries (cert_no);
CREATE INDEX entries_k_name ON entries (k_name);
CREATE INDEX entries_k_cert ON entries (k_cert);
"""
_FTS: Final = "CREATE VIRTUAL TABLE search USING fts5(k_all, content='', tokenize='trigram')"
_SEPARATOR: Final = "\x1f"  # never in a folded text, so no term can match across two columns

# The rank of _TIERS; the query run together is bound as ?1, its length as ?2.
_TIER_SQL: Final = """CASE
    WHEN e.k_cert = ?1 THEN 0
    WHEN substr(e.k_name, 1, ?2) = ?1 THEN 1
    WHEN substr(e.k_cert, 1, ?2) = ?1 THEN 2
    WHEN instr(e.k_name, ?1) > 0 THEN 3
    WHEN instr(e.k_address, ?1) > 0 THEN 4
    ELSE 5 END"""
_ORDER_SQL: Final = (
    "ORDER BY tier, CASE WHEN tier = 2 THEN e.k_cert ELSE e.k_name END, e.k_name, e.k_cert, e.id"
)
_COLUMNS: Final = "e.cert_no, e.name, e.address, e.cert_start, e.cert_end, e.kind"


def fts5_trigram_available(connection: sqlite3.Connection) -> bool:
    """Whether this SQLite has FTS5 with the trigram tokenizer (3.34+, and not every build has FTS5)."""
    try:
        connection.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x, tokenize='trigram')")
        connection.execute("DROP TABLE temp.fts5_probe")
    except sqlite3.OperationalError:
        return False
    return True


class FacilityIndexError(Exception):
    """An index file that cannot be used (missing, broken, or folded by another version): rebuild it."""


class FacilityIndex:
    """A facility list, indexed. Provides `FacilityLookup` (info, by_cert_no) and `search`.

    Safe to share between threads: reads are serialised on one connection."""

    def __init__(
        self, connection: sqlite3.Connection, info: FacilityListInfo, *, fts: bool, count: int
    ) -> None:
        self._connection = connection
        self._info = info
        self._fts = fts
        self._count = count
        self._guard = threading.Lock()
        self._scanner: _Scan | None = None

    # ---- building and opening ---------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        info: FacilityListInfo,
        facilities: Iterable[Facility],
        path: Path | None = None,
        *,
        fts: bool | None = None,
    ) -> Self:
        """Index `facilities`, in memory (`path` None) or in a new file. `fts` None: use FTS5 when this
        SQLite has it; False: never (the scanning fallback)."""
        target = ":memory:" if path is None else str(path)
        connection = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        try:
            use_fts = fts5_trigram_available(connection) if fts is None else fts
            connection.execute("BEGIN")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)
            if use_fts:
                connection.execute(_FTS)
            rows = [_row(number, facility) for number, facility in enumerate(facilities, start=1)]
            connection.executemany(
                "INSERT INTO entries (id, cert_no, name, address, cert_start, cert_end, kind, k_cert, k_name,"
                " k_address, k_all) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            if use_fts:
                connection.execute("INSERT INTO search (rowid, k_all) SELECT id, k_all FROM entries")
            meta = {"info": info.model_dump_json(), "fold": FOLD_VERSION, "fts": "1" if use_fts else "0"}
            connection.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
            connection.execute("COMMIT")
            connection.execute("ANALYZE")
        except BaseException:
            connection.close()
            raise
        return cls(connection, info, fts=use_fts, count=len(rows))

    @classmethod
    def open(cls, path: Path, *, fts: bool | None = None) -> Self:
        """Open an index file written by `build` (read-only). Raises FacilityIndexError when it cannot be
        used as it is."""
        if not path.is_file():
            raise FacilityIndexError(f"{path}: 索引がありません")
        # immutable: the file is written once and never changed, so no locking or WAL is needed.
        connection = sqlite3.connect(
            path.as_uri() + "?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        try:
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("fold") != FOLD_VERSION:
                raise FacilityIndexError(f"{path}: 索引の形式が古くなっています")
            info = FacilityListInfo.model_validate_json(meta["info"])
            count = connection.execute("SELECT count(*) FROM entries").fetchone()[0]
            use_fts = meta.get("fts") == "1" and fts is not False
            if use_fts:
                try:
                    connection.execute(
                        "SELECT rowid FROM search WHERE search MATCH '\"abc\"' LIMIT 0"
                    ).fetchall()
                except sqlite3.OperationalError:
                    # Built where FTS5 existed, read where it does not: the scan still answers.
                    use_fts = False
        except FacilityIndexError:
            connection.close()
            raise
        except (sqlite3.Error, KeyError, ValueError) as error:
            connection.close()
            raise FacilityIndexError(f"{path}: 索引を読めません（{error}）") from None
        return cls(connection, info, fts=use_fts, count=count)

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- FacilityLookup ---------------------------------------------------------------------------

    @property
    def info(self) -> FacilityListInfo:
        return self._info

    @property
    def uses_fts(self) -> bool:
        return self._fts

    def __len__(self) -> int:
        return self._count

    def by_cert_no(self, cert_no: str) -> list[Facility]:
        """Every entry with this 認定番号 (a facility may be listed for several periods or kinds, JS-3)."""
        with self._guard:
            rows = self._connection.execute(
                f"SELECT {_COLUMNS} FROM entries e WHERE e.cert_no = ? ORDER BY e.cert_start, e.id",
                (cert_no,),
            ).fetchall()
        return [_facility(row) for row in rows]

    def all(self) -> list[Facility]:
        with self._guard:
            rows = self._connection.execute(f"SELECT {_COLUMNS} FROM entries e ORDER BY e.id").fetchall()
        return [_facility(row) for row in rows]

    # ---- search -----------------------------------------------------------------------------------

    def search(self, text: str, limit: int = 50) -> list[FacilityHit]:
        """Entries holding every word of `text` (width, kana, spaces and variants aside), best first."""
        terms = query_terms(text)
        if not terms or limit <= 0:
            return []
        long_terms = [term for term in terms if len(term) >= 3]
        with self._guard:
            if self._fts and long_terms:
                return self._search_fts(terms, long_terms, limit)
            ranked = self._scan().search(terms, limit)
            if not ranked:
                return []
            ids = [entry_id for entry_id, _ in ranked]
            marks = ",".join("?" * len(ids))
            rows = self._connection.execute(
                f"SELECT e.id, {_COLUMNS} FROM entries e WHERE e.id IN ({marks})", ids
            )
            by_id = {row[0]: row[1:] for row in rows}
        return [FacilityHit(_facility(by_id[entry_id]), _TIERS[tier]) for entry_id, tier in ranked]

    def _search_fts(self, terms: list[str], long_terms: list[str], limit: int) -> list[FacilityHit]:
        joined = "".join(terms)
        phrase = " AND ".join('"' + term.replace('"', '""') + '"' for term in long_terms)
        where = " AND ".join("instr(e.k_all, ?) > 0" for _ in terms)
        sql = (
            f"SELECT {_COLUMNS}, {_TIER_SQL} AS tier FROM search JOIN entries e ON e.id = search.rowid"
            f" WHERE search MATCH ? AND {where} {_ORDER_SQL} LIMIT {int(limit)}"
        )
        rows = self._connection.execute(sql, [joined, len(joined), phrase, *terms]).fetchall()
        return [FacilityHit(_facility(row), _TIERS[row[6]]) for row in rows]

    def _scan(self) -> _Scan:
        if self._scanner is None:
            rows = self._connection.execute(
                "SELECT id, k_name, k_address, k_cert FROM entries ORDER BY k_name, k_cert, id"
            ).fetchall()
            self._scanner = _Scan(rows)
        return self._scanner


class _Scan:
    """The search without FTS5 (queries under three characters, or no FTS5 in this SQLite): the folded
    columns held in name order, each joined into one text that `str.find` scans at C speed, so a common
    query stops at the first `limit` hits and a rare one costs one pass over the text."""

    def __init__(self, rows: list[tuple[int, str, str, str]]) -> None:
        self.ids = [row[0] for row in rows]
        self.names = [row[1] for row in rows]
        self.certs = [row[3] for row in rows]
        self.everything = [_SEPARATOR.join((row[1], row[2], row[3])) for row in rows]
        self.by_cert = sorted(range(len(rows)), key=lambda i: (self.certs[i], self.names[i], self.ids[i]))
        self.sorted_certs = [self.certs[i] for i in self.by_cert]
        self.blobs = {
            "name": _Blob(self.names),
            "address": _Blob([row[2] for row in rows]),
            "everything": _Blob(self.everything),
        }

    def search(self, terms: list[str], limit: int) -> list[tuple[int, int]]:
        """(entry id, rank) of the best `limit` entries, in the order of `_ORDER_SQL`."""
        joined = "".join(terms)
        found: list[tuple[int, int]] = []
        taken: set[int] = set()

        def take(positions: Iterable[int], tier: int, accept: Callable[[int], bool] = lambda _: True) -> bool:
            for position in positions:
                if len(found) >= limit:
                    return True
                if position not in taken and accept(position):
                    taken.add(position)
                    found.append((self.ids[position], tier))
            return len(found) >= limit

        first_cert = bisect.bisect_left(self.sorted_certs, joined)
        by_cert = (self.by_cert[k] for k in range(first_cert, len(self.by_cert)))
        exact = itertools.takewhile(lambda i: self.certs[i] == joined, by_cert)
        by_cert = (self.by_cert[k] for k in range(first_cert, len(self.by_cert)))
        cert_prefix = itertools.takewhile(lambda i: self.certs[i].startswith(joined), by_cert)
        name_prefix = itertools.takewhile(
            lambda i: self.names[i].startswith(joined),
            range(bisect.bisect_left(self.names, joined), len(self.names)),
        )
        longest = max(terms, key=len)
        _ = (
            take(exact, 0)
            or take(name_prefix, 1)
            or take(cert_prefix, 2)
            or take(self.blobs["name"].find(joined), 3)
            or take(self.blobs["address"].find(joined), 4)
            or take(
                self.blobs["everything"].find(longest),
                5,
                lambda i: all(term in self.everything[i] for term in terms),
            )
        )
        return found


class _Blob:
    """Texts joined by newlines (never in a folded text), with where each starts."""

    def __init__(self, texts: list[str]) -> None:
        self.text = "\n".join(texts)
        self.starts: list[int] = []
        offset = 0
        for text in texts:
            self.starts.append(offset)
            offset += len(text) + 1

    def find(self, term: str) -> Iterator[int]:
        """Positions of the texts containing `term`, in order, each once."""
        start = 0
        while (hit := self.text.find(term, start)) >= 0:
            position = bisect.bisect_right(self.starts, hit) - 1
            yield position
            start = self.starts[position + 1] if position + 1 < len(self.starts) else len(self.text)


def _row(number: int, facility: Facility) -> tuple[object, ...]:
    k_cert, k_name, k_address = fold(facility.cert_no), fold(facility.name), fold(facility.address)
    return (
        number,
        facility.cert_no,
        facility.name,
        facility.address,
        None if facility.cert_start is None else facility.cert_start.isoformat(),
        None if facility.cert_end is None else facility.cert_end.isoformat(),
        facility.kind,
        k_cert,
        k_name,
        k_address,
        _SEPARATOR.join((k_name, k_address, k_cert)),
    )


def _facility(row: Sequence[Any]) -> Facility:
    start, end = row[3], row[4]
    # Entries were validated when the list was read; here they are only rebuilt.
    return Facility.model_construct(
        cert_no=row[0],
        name=row[1],
        address=row[2],
        cert_start=None if start is None else dt.date.fromisoformat(str(start)),
        cert_end=None if end is None else dt.date.fromisoformat(str(end)),
        kind=row[5],
    )


def info_json(info: FacilityListInfo) -> str:
    return json.dumps(info.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
