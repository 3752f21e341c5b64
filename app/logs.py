"""The program's log: a small rotating file in the data folder, for the person who helps when something fails.

What the log may hold: events of the program (started, opened, imported, exported), codes, counts, file
kinds and extensions, and the type and traceback of an exception in our code. Never a field value of an
application (no names, diagnoses, 備考), never a file name (a file may be named after a patient) and never
an exception's message (a message may quote what was typed): `LogFormatter` drops messages from every
traceback it writes. Hard crashes (a fault in Qt or Python itself) go through `faulthandler` to a second
file beside it. No Qt here; the window installs the exception hook (app/views/app.py).
"""

from __future__ import annotations

import faulthandler
import logging
import sys
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType

LOGGER_NAME = "shorei"
LOG_FOLDER = "logs"
LOG_FILE = "shorei.log"
CRASH_FILE = "crash.log"
MAX_BYTES = 1_000_000
"""One file at most this size; with BACKUP_COUNT older ones the log never takes more than 4 MB."""
BACKUP_COUNT = 3

ExcInfo = tuple[type[BaseException], BaseException, "TracebackType | None"]


def logger() -> logging.Logger:
    """The program's logger; modules log through `logging.getLogger("shorei.…")` below it."""
    return logging.getLogger(LOGGER_NAME)


def exception_without_message(exc_info: ExcInfo) -> str:
    """A traceback of `exc_info` where each exception is named by its type only (chained ones too)."""
    lines: list[str] = []
    seen: set[int] = set()
    error: BaseException | None = exc_info[1]
    chain: list[BaseException] = []
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append(error)
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    for position, error in enumerate(reversed(chain)):
        if position:
            lines.append("\nその例外の処理中に次の例外が起きました:\n")
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_tb(error.__traceback__))
        kind = type(error)
        lines.append(f"{kind.__module__}.{kind.__qualname__}（メッセージは記録しません）\n")
    return "".join(lines).rstrip("\n")


class LogFormatter(logging.Formatter):
    """Time, level, logger and event; exceptions by type and traceback, never by message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatException(self, ei: object) -> str:
        if isinstance(ei, tuple) and len(ei) == 3 and ei[1] is not None:
            return exception_without_message(ei)
        return ""

    def formatStack(self, stack_info: str) -> str:
        return stack_info


@dataclass
class LogFiles:
    """Where the log and the crash record are, and the open crash file faulthandler writes to."""

    log: Path
    crash: Path
    handler: logging.Handler
    crash_stream: TextIO | None
    faulthandler_was_enabled: bool = False

    def close(self) -> None:
        """Stop writing both files when the window has closed (and hand faulthandler back to stderr if it
        wrote there before, as under pytest)."""
        logger().removeHandler(self.handler)
        self.handler.close()
        if self.crash_stream is not None:
            faulthandler.disable()
            self.crash_stream.close()
            self.crash_stream = None
            if self.faulthandler_was_enabled and sys.__stderr__ is not None:
                faulthandler.enable(sys.__stderr__, all_threads=True)


def start_logging(home: Path) -> LogFiles | None:
    """Log to `home/logs/shorei.log` (rotating) and send hard crashes to `home/logs/crash.log`.

    Returns None when the folder cannot be written: the program then runs without a log rather than not
    at all (the window says so where it matters, the dialog after an unexpected error).
    """
    import logging.handlers  # with socket, pickle and queue: only once the window is up (start-up time)

    folder = home / LOG_FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            folder / LOG_FILE, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(LogFormatter())
    log = logger()
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    crash_stream: TextIO | None
    was_enabled = faulthandler.is_enabled()
    try:
        crash_stream = (folder / CRASH_FILE).open("a", encoding="utf-8")
    except OSError:
        crash_stream = None
    if crash_stream is not None:
        faulthandler.enable(crash_stream, all_threads=True)
    return LogFiles(folder / LOG_FILE, folder / CRASH_FILE, handler, crash_stream, was_enabled)


def log_unexpected(exc_info: ExcInfo) -> None:
    """Record an exception nothing caught (the window's exception hook calls this)."""
    logger().error("予期しないエラー: %s", exc_info[0].__qualname__, exc_info=exc_info)


def unexpected_error_text(files: LogFiles | None) -> str:
    """What the dialog after an unexpected error says: what happened, that the data is safe, where to look."""
    where = (
        f"記録は次のファイルにあります（氏名・診断名などの入力内容は含みません）:\n{files.log}"
        if files is not None
        else "データフォルダに書き込めないため、記録は残せませんでした。"
    )
    return (
        "予期しないエラーが起きました。確定済みの入力は保存されています。\n"
        "操作を続けられますが、同じことが続く場合は Shorei を再起動してください。\n\n"
        f"{where}\n\n問い合わせの際は、このファイルを添えてください。"
    )
