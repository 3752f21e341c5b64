"""The suite's own guard: a test that opens a socket fails (SPEC §9: no network, ever)."""

from __future__ import annotations

import socket
import urllib.request

import pytest

from tests.conftest import NetworkAccessError


def test_opening_an_internet_socket_fails() -> None:
    """Creating a TCP socket raises, so any code that reaches for the network fails its test."""
    with pytest.raises(NetworkAccessError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def test_connecting_by_name_fails() -> None:
    """A URL fetch is refused before any packet leaves."""
    with pytest.raises((NetworkAccessError, OSError)):
        urllib.request.urlopen("http://127.0.0.1:9/", timeout=1)


def test_local_socketpair_still_works() -> None:
    """Local socket pairs (used by Qt and asyncio internally) are not network and stay allowed: Unix-domain
    on POSIX, a loopback connection made only for the pair on Windows."""
    left, right = socket.socketpair()
    left.sendall(b"x")
    assert right.recv(1) == b"x"
    left.close()
    right.close()
