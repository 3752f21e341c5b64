"""RFC 8785 (JSON Canonicalization Scheme): the one byte form that is hashed and signed."""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785


def canonical_json(value: Any) -> bytes:
    """`value` as RFC 8785 bytes: sorted keys, no white space, one spelling for every string and number.
    Raises rfc8785.CanonicalizationError for what JSON cannot hold exactly (NaN, integers beyond 2^53)."""
    return rfc8785.dumps(value)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
