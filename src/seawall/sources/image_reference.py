"""Docker-style image references: ``[REGISTRY/]REPO[:TAG][@DIGEST]``.

Normalisation follows Docker's ``distribution/reference`` rules so that ``alpine``,
``docker.io/alpine`` and ``index.docker.io/library/alpine:latest`` all name the same
thing: the first path component is a registry only when it contains ``.`` or ``:`` or
is ``localhost``; Docker Hub repositories without a namespace get ``library/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from seawall.errors import ReferenceError_

DOCKER_HUB = "docker.io"
"""Canonical name of Docker Hub in references."""
DOCKER_HUB_API_HOST = "registry-1.docker.io"
"""Host that serves Docker Hub's distribution API."""

_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
_DOMAIN = re.compile(r"^(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(?::[0-9]+)?$")


@dataclass(frozen=True)
class ImageReference:
    """A parsed, normalised image reference."""

    registry: str
    """``docker.io``, ``127.0.0.1:5000``, ``ghcr.io`` ..."""
    repository: str
    """Path inside the registry, ``library/alpine``."""
    tag: str | None = None
    """Tag, ``latest`` when neither tag nor digest was given."""
    digest: str | None = None
    """Pinned manifest digest (``sha256:...``)."""

    @property
    def name(self) -> str:
        """``registry/repository`` (the familiar ``docker.io/library/alpine``)."""
        return f"{self.registry}/{self.repository}"

    @property
    def api_host(self) -> str:
        """Host:port serving the distribution API for this registry."""
        return DOCKER_HUB_API_HOST if self.registry == DOCKER_HUB else self.registry

    @property
    def manifest_reference(self) -> str:
        """What goes after ``/manifests/``: the digest when pinned, else the tag."""
        return self.digest or self.tag or "latest"

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    @property
    def familiar(self) -> str:
        """Short form as ``docker images`` shows it (``alpine:3.19``)."""
        name = self.name
        if self.registry == DOCKER_HUB:
            name = self.repository.removeprefix("library/")
        return f"{name}:{self.tag}" if self.tag else name


def is_registry_component(component: str) -> bool:
    """Docker's rule: a first path component names a registry if it has ``.`` or ``:``
    or is ``localhost``."""
    return "." in component or ":" in component or component == "localhost"


def parse_reference(text: str) -> ImageReference:
    """Parse and normalise ``text``; raises :class:`ReferenceError_` naming it."""
    original = text
    text = text.strip()
    if not text:
        raise ReferenceError_("empty image reference")
    digest: str | None = None
    if "@" in text:
        text, _, digest = text.partition("@")
        if not _DIGEST.match(digest):
            raise ReferenceError_(f"invalid digest in image reference {original!r}")
    tag: str | None = None
    last_slash = text.rfind("/")
    colon = text.rfind(":")
    if colon > last_slash:
        text, tag = text[:colon], text[colon + 1 :]
        if not _TAG.match(tag):
            raise ReferenceError_(f"invalid tag {tag!r} in image reference {original!r}")
    first, sep, rest = text.partition("/")
    if sep and is_registry_component(first):
        registry, path = first, rest
        if not _DOMAIN.match(registry):
            raise ReferenceError_(f"invalid registry {registry!r} in image reference {original!r}")
    else:
        registry, path = DOCKER_HUB, text
    if registry == "index.docker.io":
        registry = DOCKER_HUB
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    if not path or not all(_COMPONENT.match(part) for part in path.split("/")):
        raise ReferenceError_(f"invalid repository name in image reference {original!r}")
    if tag is None and digest is None:
        tag = "latest"
    return ImageReference(registry=registry, repository=path, tag=tag, digest=digest)
