"""Shared fixtures. Every test runs with no network: opening an internet socket fails the test (SPEC §9)."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_INTERNET = (socket.AF_INET, socket.AF_INET6)
_real_socket = socket.socket
_real_socketpair = socket.socketpair


class NetworkAccessError(AssertionError):
    """Raised when code under test opens an internet socket."""


class _GuardedSocket(_real_socket):
    def __init__(self, family: Any = -1, type: Any = -1, proto: int = -1, fileno: Any = None) -> None:
        if fileno is None and (family == -1 or family in _INTERNET):
            raise NetworkAccessError(
                f"a test opened a network socket (family={family!r}); Shorei never uses the network"
            )
        super().__init__(family, type, proto, fileno)


def _loopback_socketpair(*args: Any) -> tuple[socket.socket, socket.socket]:
    """socket.socketpair on Windows, which has no Unix-domain pairs: Python builds the pair from a
    listening socket on 127.0.0.1 and a connection to it. That socket, and only that one, is allowed."""
    socket.socket = _real_socket  # type: ignore[misc]
    try:
        return _real_socketpair(*args)
    finally:
        socket.socket = _GuardedSocket  # type: ignore[misc]


def _refuse_connection(*args: object, **kwargs: object) -> None:
    raise NetworkAccessError(f"a test tried to connect to {args[:1]!r}; Shorei never uses the network")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-long",
        action="store_true",
        default=False,
        help="run the standing fuzzer (tests/test_fuzz.py) with 20× the examples, randomised",
    )


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any internet socket or name lookup in a test is a failure."""
    monkeypatch.setattr(socket, "socket", _GuardedSocket)
    monkeypatch.setattr(socket, "create_connection", _refuse_connection)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse_connection)
    if sys.platform == "win32":
        monkeypatch.setattr(socket, "socketpair", _loopback_socketpair)
    yield


@pytest.fixture(autouse=True)
def shorei_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own empty data folder (SHOREI_HOME), never the user's."""
    home = tmp_path / "shorei-home"
    monkeypatch.setenv("SHOREI_HOME", str(home))
    return home


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES
