"""The system crypt(3) through ctypes: libxcrypt's ``crypt_rn`` with a reused
``struct crypt_data`` buffer.

Why not Python's ``crypt`` module: it is deprecated and gone in 3.13. Why ``crypt_rn``:
it is reentrant (one buffer per verifier, so worker processes never share state) and
returns NULL instead of a magic ``*0`` string on failure. libxcrypt (Debian, Fedora,
Arch...) implements DES, md5crypt, sha256crypt, sha512crypt, bcrypt, yescrypt,
gost-yescrypt and scrypt; the cost is all in the hash, so the ctypes call overhead is
negligible next to it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache

#: ``sizeof(struct crypt_data)`` in libxcrypt (output + setting + input + reserved +
#: initialized + internal = 32768); glibc's old crypt is smaller, so this is enough.
CRYPT_DATA_SIZE = 32768

#: ``crypt_checksalt`` results (libxcrypt crypt.h).
CRYPT_SALT_OK = 0
CRYPT_SALT_INVALID = 1
CRYPT_SALT_METHOD_DISABLED = 2
CRYPT_SALT_METHOD_LEGACY = 3
CRYPT_SALT_TOO_CHEAP = 4


class LibcryptUnavailable(RuntimeError):
    """No usable libcrypt on this host."""


@lru_cache(maxsize=1)
def _library() -> ctypes.CDLL:
    for name in ("libcrypt.so.1", ctypes.util.find_library("crypt") or "", "libcrypt.so.2"):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        if hasattr(lib, "crypt_rn") or hasattr(lib, "crypt_r"):
            return lib
    raise LibcryptUnavailable("libcrypt (crypt_rn/crypt_r) not found on this host")


def libcrypt_available() -> bool:
    """True when the system libcrypt can be loaded."""
    try:
        _library()
    except LibcryptUnavailable:
        return False
    return True


def setting_supported(setting: str) -> bool:
    """Does the system libcrypt accept this hash as a setting? (libxcrypt's
    ``crypt_checksalt``; without it, one trial hash decides.)"""
    lib = _library()
    raw = setting.encode("utf-8", "surrogateescape")
    checksalt = getattr(lib, "crypt_checksalt", None)
    if checksalt is not None:
        checksalt.argtypes = [ctypes.c_char_p]
        checksalt.restype = ctypes.c_int
        if checksalt(raw) in (CRYPT_SALT_INVALID, CRYPT_SALT_METHOD_DISABLED):
            return False
    return SystemCrypt().hash("x", setting) is not None


class SystemCrypt:
    """One reentrant crypt(3) context: create one per worker and reuse it."""

    def __init__(self) -> None:
        lib = _library()
        self._buffer = ctypes.create_string_buffer(CRYPT_DATA_SIZE)
        fn = getattr(lib, "crypt_rn", None)
        if fn is not None:
            fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int]
            fn.restype = ctypes.c_char_p
            self._rn = fn
            self._r = None
        else:  # plain glibc crypt_r: same call without the size
            fn = lib.crypt_r
            fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p]
            fn.restype = ctypes.c_char_p
            self._rn = None
            self._r = fn

    def hash_bytes(self, phrase: bytes, setting: bytes) -> bytes | None:
        """crypt(phrase, setting), or None when libcrypt rejects the setting."""
        if self._rn is not None:
            return self._rn(phrase, setting, self._buffer, CRYPT_DATA_SIZE)
        out = self._r(phrase, setting, self._buffer)  # type: ignore[misc]
        if out is None or out.startswith(b"*"):
            return None
        return out

    def hash(self, phrase: str, setting: str) -> str | None:
        """Text form of :meth:`hash_bytes`."""
        out = self.hash_bytes(
            phrase.encode("utf-8", "surrogateescape"), setting.encode("utf-8", "surrogateescape")
        )
        return None if out is None else out.decode("utf-8", "surrogateescape")

    def gensalt(self, prefix: str, count: int = 0) -> str:
        """A fresh setting for ``prefix`` (``$6$``, ``$y$``...) from libxcrypt's
        ``crypt_gensalt`` (used by tests and the benchmark)."""
        lib = _library()
        fn = lib.crypt_gensalt
        fn.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
        fn.restype = ctypes.c_char_p
        out = fn(prefix.encode(), count, None, 0)
        if out is None:
            raise ValueError(f"libcrypt cannot generate a {prefix!r} salt")
        return out.decode()
