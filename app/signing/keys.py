"""The installation's signing key (Ed25519), made on first use in the data folder, readable by the user only.

It proves that a package comes unchanged from this installation; it is not a legal identity (SPEC §6).
The key is never replaced behind the user's back: a damaged key file is reported, not overwritten, because
a new key would silently change the fingerprint printed on sheets already stamped.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.paths import data_home

KEY_FOLDER: Final = "keys"
KEY_FILE: Final = "signing-key.pem"
FOLDER_MODE: Final = 0o700
FILE_MODE: Final = 0o600
MAX_KEY_FILE_BYTES: Final = 64 * 1024


class KeyFileError(Exception):
    """The signing key cannot be read or made. `str()` is one Japanese line naming the file and the fix."""


def fingerprint(public_key: bytes) -> str:
    """How people compare keys: the first 128 bits of SHA-256 over the raw 32-byte public key, as eight
    groups of four hex digits (`3f2a-91c0-…`). Printed on every sheet and stated in every package."""
    digest = hashlib.sha256(public_key).hexdigest()[:32]
    return "-".join(digest[i : i + 4] for i in range(0, 32, 4))


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """True when `signature` is `public_key`'s Ed25519 signature of `message`."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key and what the package states about it."""

    private: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte public key."""
        # Imported here: checking a signature (`shorei verify`) needs none of the key file formats.
        from cryptography.hazmat.primitives import serialization

        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def to_pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


def default_key_folder() -> Path:
    """`<data folder>/keys` (SHOREI_HOME honoured), resolved when called, never at import."""
    return data_home() / KEY_FOLDER


def load_or_create_signing_key(folder: Path | None = None) -> SigningKey:
    """The key in `folder` (default: the data folder's `keys/`), made there first if there is none."""
    folder = default_key_folder() if folder is None else folder
    path = folder / KEY_FILE
    if not path.exists():
        _create(folder, path)
    return _load(path)


def _owner_only(path: Path, mode: int) -> None:
    # POSIX permission bits; on Windows the data folder under the user's profile is private by its ACL and
    # chmod only toggles read-only, so this is a no-op there.
    if os.name == "posix":
        path.chmod(mode)


def load_or_create_key_file(path: Path) -> SigningKey:
    """The key in the PEM file `path`, made there (owner-only) first if there is none. The folder is
    the caller's (a publisher's own folder): it is created if missing but its permissions are left alone."""
    if not path.exists():
        _create(path.parent, path, own_folder=False)
    return _load(path)


def _create(folder: Path, path: Path, *, own_folder: bool = True) -> None:
    try:
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        if own_folder:
            _owner_only(folder, FOLDER_MODE)
        key = SigningKey.generate()
        # Written whole under a temporary name and linked into place: a crash never leaves half a key, and
        # when two windows make a key at the same moment the first link wins and both use that key.
        fd, temp_name = tempfile.mkstemp(prefix=".signing-key.", suffix=".tmp", dir=folder)
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(key.to_pem())
                handle.flush()
                os.fsync(handle.fileno())
            _owner_only(temp, FILE_MODE)
            with contextlib.suppress(FileExistsError):
                os.link(temp, path)
        finally:
            temp.unlink(missing_ok=True)
    except OSError as error:
        raise KeyFileError(
            f"{path}: 署名鍵を作成できません（{error.strerror}）。データフォルダに書き込めるか確認してください"
        ) from None


def _load(path: Path) -> SigningKey:
    try:
        if path.stat().st_size > MAX_KEY_FILE_BYTES:
            raise KeyFileError(f"{path}: 署名鍵のファイルではありません（大きすぎます）")
        data = path.read_bytes()
        _owner_only(path, FILE_MODE)
    except OSError as error:
        raise KeyFileError(f"{path}: 署名鍵を読めません（{error.strerror}）") from None
    from cryptography.hazmat.primitives import serialization

    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        private = None
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyFileError(
            f"{path}: 署名鍵が壊れているか、Ed25519 の鍵ではありません。"
            "バックアップから戻すか、このファイルを別の場所へ移してから作り直してください"
            "（作り直すと署名鍵の指紋が変わります）"
        )
    return SigningKey(private)
