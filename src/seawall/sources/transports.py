"""The transport table and ``open_image``: skopeo-style references to Images.

``TRANSPORT:REST`` picks a source by its transport name; a bare ``name[:tag]`` tries
the local engines (docker, containerd, podman) and then the registry, as Trivy does.
"""

from __future__ import annotations

import seawall.sources.all  # noqa: F401 - every built-in source registered
from seawall.errors import InputError, NotFoundError, SeawallError
from seawall.sources.interface import Image, SourceOptions
from seawall.sources.local_path_reference import (
    is_plain_file,
    looks_like_path,
    transport_for_path,
)
from seawall.sources.source_registry import SOURCES

#: Transports tried, in order, for a reference without a transport prefix.
BARE_REFERENCE_ORDER = ("docker-daemon", "containerd", "podman", "docker")


def split_reference(ref: str) -> tuple[str | None, str]:
    """``docker-archive:/x.tar`` -> (``docker-archive``, ``/x.tar``);
    ``docker://reg/repo:tag`` -> (``docker``, ``reg/repo:tag``); bare -> (None, ref)."""
    if ref.startswith("docker://"):
        return "docker", ref[len("docker://") :]
    head, sep, rest = ref.partition(":")
    if sep and head in SOURCES and head != "docker":
        return head, rest
    return None, ref


def open_image(ref: str, options: SourceOptions | None = None) -> Image:
    """Open an image from any source. Raises :class:`seawall.errors.SeawallError`
    with a one-line reason when the reference cannot be resolved."""
    from seawall.sources.image import build_image

    options = options or SourceOptions()
    if not ref or not ref.strip():
        raise InputError("empty image reference")
    transport, rest = split_reference(ref)
    if transport is not None:
        parts = SOURCES.get(transport).resolve(rest, options)
        parts.ref = ref
        return build_image(parts, options)
    local = transport_for_path(ref)
    if local is not None:
        parts = SOURCES.get(local).resolve(ref, options)
        parts.ref = ref
        return build_image(parts, options)
    if is_plain_file(ref):
        raise InputError(
            f"image {ref!r}: a file that is neither a docker-archive nor an oci-archive "
            "(a tar with manifest.json or oci-layout)"
        )
    tried: list[str] = []
    for name in BARE_REFERENCE_ORDER:
        if name not in SOURCES:
            continue
        try:
            parts = SOURCES.get(name).resolve(ref, options)
        except NotFoundError as exc:
            tried.append(f"{name}: {exc}")
            continue
        except SeawallError as exc:
            # An engine that is not running is not an answer for a bare name.
            tried.append(f"{name}: {exc}")
            continue
        parts.ref = ref
        return build_image(parts, options)
    hint = " (it is a directory: scan a tree with `seawall rootfs` or `seawall fs`)" if (
        looks_like_path(ref)) else ""
    raise NotFoundError(
        f"image {ref!r} not found{hint} ({'; '.join(tried) or 'no source available'})"
    )
