"""Sensitive fields encrypted at rest: IBAN, health, tax and CAF data.

AES-GCM through sqlalchemy-utils: every value gets its own random nonce, so equal values
look different in the database and cannot be searched or indexed (none of them needs to
be). The key lives in the process (DATA_KEY), never in the database or its dumps.
"""
from sqlalchemy import Integer, Text, Unicode
from sqlalchemy_utils import StringEncryptedType
from sqlalchemy_utils.types.encrypted.encrypted_type import AesGcmEngine

_key: str | None = None


def configure(key: str) -> None:
    """Set by the application factory; the same key for every commune of the deployment."""
    global _key
    if not key:
        raise ValueError("empty data key")
    _key = key


def _current_key() -> str:
    if _key is None:
        raise RuntimeError("webapp.crypto.configure() was not called")
    return _key


class _Encrypted(StringEncryptedType):
    impl = Text  # base64 of nonce + tag + ciphertext: no length to guess
    cache_ok = True


def encrypted_text() -> _Encrypted:
    """A text column stored encrypted (read and written as `str`)."""
    return _Encrypted(Unicode, _current_key, AesGcmEngine)


def encrypted_int() -> _Encrypted:
    """An integer column stored encrypted (read and written as `int`)."""
    return _Encrypted(Integer, _current_key, AesGcmEngine)
