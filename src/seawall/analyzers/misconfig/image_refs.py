"""Image reference helpers shared by the Kubernetes, Dockerfile and compose checks."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass


@dataclass(frozen=True)
class ImageRef:
    """An image reference split the way Docker splits it."""

    registry: str
    """Host (``docker.io`` when the reference names none)."""
    repository: str
    tag: str | None
    digest: str | None

    @property
    def is_latest_or_untagged(self) -> bool:
        """No tag and no digest, or the ``latest`` tag."""
        return (self.tag is None and self.digest is None) or self.tag == "latest"


def parse_image_ref(ref: str) -> ImageRef:
    """Split ``[registry/]repo[:tag][@digest]``; the first component is a registry when
    it has a dot or a port or is ``localhost`` (Docker's rule)."""
    name, _, digest = ref.strip().partition("@")
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = "docker.io", name
    tag = None
    last = path.rsplit("/", 1)[-1]
    if ":" in last:
        path, _, tag = path.rpartition(":")
    return ImageRef(registry, path, tag or None, digest or None)


def is_trusted(ref: str, trusted: tuple[str, ...]) -> bool:
    """True when no allow-list is set, or ``ref`` starts with / matches an entry
    (``ghcr.io/acme/``, ``registry.corp``, ``*.azurecr.io``)."""
    if not trusted:
        return True
    parsed = parse_image_ref(ref)
    full = f"{parsed.registry}/{parsed.repository}"
    for entry in trusted:
        if "*" in entry or "?" in entry:
            if fnmatch.fnmatch(parsed.registry, entry) or fnmatch.fnmatch(full, entry):
                return True
        elif entry.endswith("/"):
            if full.startswith(entry):
                return True
        elif parsed.registry == entry or full.startswith(entry + "/") or full == entry:
            return True
    return False
