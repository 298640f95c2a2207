"""Recognising a bare reference that is a path on disk (``seawall image app.tar``).

Trivy users pass ``--input app.tar``; skopeo users write ``docker-archive:app.tar``. A
bare argument that names an existing file or directory is neither an image name nor a
registry reference, so instead of asking the engines and the registry for it we look at
what it is: a tar with ``manifest.json`` is a ``docker save`` archive, a tar or a
directory with ``oci-layout`` is an OCI archive or layout.
"""

from __future__ import annotations

import os
import tarfile

#: Members of a tar that identify its layout, read from the first entries only.
_DOCKER_ARCHIVE_MEMBER = "manifest.json"
_OCI_LAYOUT_MEMBER = "oci-layout"
#: How many tar headers we read before giving up on recognising an archive.
_MAX_MEMBERS_SCANNED = 10_000


def looks_like_path(ref: str) -> bool:
    """Does ``ref`` name a directory on disk? (A bare image name can collide with a
    directory in the working directory; it is then still tried as an image name.)"""
    return os.path.isdir(ref)


def is_plain_file(ref: str) -> bool:
    """Does ``ref`` name an existing file (following symlinks)? No image name does."""
    return os.path.isfile(ref)


def transport_for_path(path: str) -> str | None:
    """The skopeo transport that reads ``path`` (``docker-archive``, ``oci-archive``,
    ``oci``), or None when it is none of them."""
    if os.path.isdir(path):
        return "oci" if os.path.isfile(os.path.join(path, _OCI_LAYOUT_MEMBER)) else None
    if not os.path.isfile(path):
        return None
    try:
        with tarfile.open(path, "r:*") as archive:
            for count, member in enumerate(archive):
                name = member.name.lstrip("./")
                if name == _DOCKER_ARCHIVE_MEMBER:
                    return "docker-archive"
                if name == _OCI_LAYOUT_MEMBER:
                    return "oci-archive"
                if count >= _MAX_MEMBERS_SCANNED:
                    break
    except (tarfile.TarError, OSError, EOFError):
        return None
    return None
