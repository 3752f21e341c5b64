"""The program's log (app/logs.py): rotating, in the data folder, and never holding what was typed."""

from __future__ import annotations

import faulthandler
import logging
from typing import TYPE_CHECKING

import pytest

from app.logs import (
    BACKUP_COUNT,
    CRASH_FILE,
    LOG_FILE,
    MAX_BYTES,
    LogFiles,
    exception_without_message,
    log_unexpected,
    logger,
    start_logging,
    unexpected_error_text,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

PATIENT = "山田太郎"
DIAGNOSIS = "肝細胞癌"
NOTE = "備考: 紹介元 伊勢赤十字病院"


@pytest.fixture
def files(shorei_home: Path) -> Iterator[LogFiles]:
    started = start_logging(shorei_home)
    assert started is not None
    yield started
    started.close()


def _nested_failure() -> None:
    try:
        raise KeyError(f"{PATIENT} の診断名 {DIAGNOSIS}")
    except KeyError as error:
        raise ValueError(f"{NOTE} {PATIENT}") from error


def test_the_log_is_in_the_data_folder_and_rotates_within_a_few_megabytes(
    files: LogFiles, shorei_home: Path
) -> None:
    """shorei.log under logs/ of the data folder, at most 4 files of 1 MB; crash.log beside it."""
    assert files.log == shorei_home / "logs" / LOG_FILE
    assert files.crash == shorei_home / "logs" / CRASH_FILE
    handler = files.handler
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert handler.maxBytes == MAX_BYTES
    assert handler.backupCount == BACKUP_COUNT
    assert MAX_BYTES * (BACKUP_COUNT + 1) <= 5_000_000


def test_an_exception_is_logged_by_type_and_traceback_never_by_message(files: LogFiles) -> None:
    """A name or diagnosis in an exception's message (or its cause's) never reaches the file."""
    try:
        _nested_failure()
    except ValueError as error:
        log_unexpected((type(error), error, error.__traceback__))
    text = files.log.read_text(encoding="utf-8")
    assert "builtins.ValueError" in text and "builtins.KeyError" in text
    assert "_nested_failure" in text
    assert PATIENT not in text and DIAGNOSIS not in text and NOTE not in text


def test_a_traceback_without_messages_keeps_the_chain() -> None:
    """The cause comes first, then the exception raised while handling it, each by type."""
    try:
        _nested_failure()
    except ValueError as error:
        text = exception_without_message((type(error), error, error.__traceback__))
    assert text.index("KeyError") < text.index("ValueError")
    assert PATIENT not in text


def test_hard_crashes_go_to_the_file_beside_the_log(files: LogFiles) -> None:
    """faulthandler is on and writes into crash.log (here: a traceback dump, as a crash would)."""
    assert faulthandler.is_enabled()
    assert files.crash_stream is not None
    faulthandler.dump_traceback(files.crash_stream)
    files.crash_stream.flush()
    assert "test_hard_crashes_go_to_the_file_beside_the_log" in files.crash.read_text(encoding="utf-8")


def test_an_unwritable_data_folder_gives_no_log_and_the_dialog_says_so(tmp_path: Path) -> None:
    """A data folder that is a file: no log, and the error text says the record could not be kept."""
    blocked = tmp_path / "blocked"
    blocked.write_text("", encoding="utf-8")
    assert start_logging(blocked) is None
    assert "記録は残せませんでした" in unexpected_error_text(None)


def test_the_error_text_names_the_log_file(files: LogFiles) -> None:
    """The dialog after an unexpected error names the file to send, in Japanese."""
    text = unexpected_error_text(files)
    assert str(files.log) in text and "予期しないエラー" in text


def test_events_reach_the_file(files: LogFiles) -> None:
    """An event logged below the program's logger is written with its level."""
    logging.getLogger("shorei.test").info("件数 %d", 25)
    logger().warning("自動バックアップを作成できませんでした")
    text = files.log.read_text(encoding="utf-8")
    assert "INFO shorei.test: 件数 25" in text
    assert "WARNING shorei: 自動バックアップ" in text
