"""Errors that seawall reports to the user as one line and exit code 2.

Anything raised as a :class:`SeawallError` is *expected* bad input or an unreachable
resource; the CLI prints ``seawall: <message>`` and exits 2 without a traceback
(unless ``--debug``).  Any other exception is a bug.
"""

from __future__ import annotations


class SeawallError(Exception):
    """Base class: a user-facing failure with a one-line message naming the culprit."""

    exit_code: int = 2


class InputError(SeawallError):
    """The user gave us something we cannot use (bad reference, bad flag value, bad file)."""


class ReferenceError_(InputError):
    """An image/container reference that does not parse or names no known transport."""


class NotFoundError(SeawallError):
    """The named image, container, file or blob does not exist where we looked."""


class SourceUnavailableError(SeawallError):
    """A daemon, socket or registry cannot be reached (or refused our credentials)."""


class CorruptArtifactError(SeawallError):
    """An artifact is malformed: bad JSON, truncated or corrupt blob, digest mismatch,
    hostile tar entries beyond what we can safely skip, size limits exceeded."""


class DigestMismatchError(CorruptArtifactError):
    """A blob's content does not hash to the digest it was addressed by."""


class SizeLimitError(CorruptArtifactError):
    """An image or layer expands beyond ``--max-image-size`` (tar/gzip bomb guard)."""


class CacheLimitError(SizeLimitError):
    """A layer being unpacked into the cache would take the cache beyond its size
    bound (``SEAWALL_CACHE_MAX_BYTES``), even after evicting what is not in use."""


class CacheSpaceError(SeawallError):
    """The disk holding the cache directory is full (ENOSPC/EDQUOT)."""
