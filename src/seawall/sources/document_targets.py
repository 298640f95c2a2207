"""Targets whose content is documents, not a root filesystem: configuration files
(``seawall config``) and an SBOM (``seawall sbom-scan``).

They go through the same scan driver, suppression and gate as images and
directories; their :attr:`~seawall.sources.interface.Target.fs` is empty (nothing to
walk), and the analyzers made for their kind (``config-files``, ``sbom-vuln``) read
what the target holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from seawall.fs.indexed import IndexedFileSystem
from seawall.fs.tar_index import IMPLICIT_DIR
from seawall.model.package import Package
from seawall.model.report import OSInfo, TargetInfo
from seawall.sources.interface import Target


def empty_filesystem() -> IndexedFileSystem:
    """A filesystem holding only ``/``."""
    return IndexedFileSystem({"/": IMPLICIT_DIR}, [])


class ConfigFilesTarget(Target):
    """Dockerfiles, Kubernetes manifests and compose files given as host paths (files,
    directories searched recursively, ``-`` for stdin), scanned together so that
    cross-object checks (RBAC, NetworkPolicy reachability) see every object."""

    kind: ClassVar[str] = "config"

    def __init__(self, paths: list[str]) -> None:
        self.paths = list(paths)
        """What the user typed, in order."""
        self.ref = " ".join(self.paths)
        self._fs = empty_filesystem()

    @property
    def fs(self) -> IndexedFileSystem:
        """Empty: the ``config-files`` analyzer reads :attr:`paths`."""
        return self._fs

    @property
    def os(self) -> OSInfo | None:
        """Configuration files have no operating system."""
        return None

    def target_info(self) -> TargetInfo:
        """The report's ``target`` object (the analyzer adds file and object counts)."""
        return TargetInfo(kind=self.kind, ref=self.ref)


@dataclass
class SbomTarget(Target):
    """The packages an SBOM document lists (CycloneDX or SPDX JSON)."""

    kind: ClassVar[str] = "sbom"

    ref: str
    """The SBOM file as the user named it."""
    packages: list[Package]
    """Components with a usable purl."""
    os_info: OSInfo | None = None
    """The operating system the SBOM describes, when it names one."""
    skipped: int = 0
    """Components without a usable purl (they cannot be matched: the scan says so)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """``sbom_format`` and ``described`` (what the SBOM is about)."""
    _fs: IndexedFileSystem = field(default_factory=empty_filesystem, repr=False)

    @property
    def fs(self) -> IndexedFileSystem:
        """Empty: the ``sbom-vuln`` analyzer reads :attr:`packages`."""
        return self._fs

    @property
    def os(self) -> OSInfo | None:
        """The operating system the SBOM describes."""
        return self.os_info

    def target_info(self) -> TargetInfo:
        """The report's ``target`` object."""
        return TargetInfo(kind=self.kind, ref=self.ref, os=self.os_info, extra=dict(self.extra))
