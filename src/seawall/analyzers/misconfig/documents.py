"""Finding and reading configuration files: Dockerfiles, Kubernetes YAML/JSON
(multi-document, ``List``, ``kubectl get -o json`` dumps, Helm-rendered output) and
docker-compose files. Every unreadable file becomes an error entry naming it (and
the line, where known); every other file is still read.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

from seawall.analyzers.misconfig.bounded_yaml import (
    DocumentError,
    LoadedDocument,
    load_json_document,
    load_yaml_stream,
)
from seawall.analyzers.misconfig.checks_compose import ComposeService
from seawall.analyzers.misconfig.dockerfile_parser import (
    Dockerfile,
    DockerfileSyntaxError,
    parse_dockerfile,
)
from seawall.analyzers.misconfig.k8s_model import K8sObject, expand_lists, is_k8s_object
from seawall.model.report import ErrorEntry

#: Files above this size are refused (hostile or generated input).
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
_SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".terraform", "__pycache__", ".venv", ".tox"}
)
_YAML_EXT = (".yaml", ".yml")
_SCOPE = "config"


def is_dockerfile_name(name: str) -> bool:
    """Dockerfile, Containerfile, Dockerfile.prod, app.dockerfile ..."""
    low = name.lower()
    return (
        low in ("dockerfile", "containerfile")
        or low.startswith(("dockerfile.", "containerfile."))
        or low.endswith((".dockerfile", ".containerfile"))
    )


@dataclass
class ConfigInputs:
    """Everything read from the paths given to ``seawall config``."""

    dockerfiles: list[Dockerfile] = field(default_factory=list)
    objects: list[K8sObject] = field(default_factory=list)
    compose: list[ComposeService] = field(default_factory=list)
    errors: list[ErrorEntry] = field(default_factory=list)
    files_read: int = 0
    """Files parsed successfully (at least partially)."""
    bytes_read: int = 0

    def error(self, path: str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else path
        self.errors.append(ErrorEntry(_SCOPE, f"{where}: {message}"))


def _compose_services(path: str, doc: LoadedDocument) -> list[ComposeService] | None:
    data = doc.data
    if not isinstance(data, dict) or "apiVersion" in data:
        return None
    services = data.get("services")
    if not isinstance(services, dict) or not services:
        return None
    if not all(isinstance(v, dict) for v in services.values()):
        return None
    out = []
    for name, spec in services.items():
        line = None
        marker = f"\n  {name}:"
        pos = doc.text.find(marker)
        if pos >= 0:
            line = doc.line + doc.text.count("\n", 0, pos) + 1
        out.append(ComposeService(str(name), spec, path, line))
    return out


class DocumentReader:
    """Reads paths into :class:`ConfigInputs`."""

    def __init__(self, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> None:
        self.max_file_bytes = max_file_bytes
        self.inputs = ConfigInputs()

    def read_paths(self, paths: list[str]) -> ConfigInputs:
        """Read files, directories (recursively) and ``-`` (stdin)."""
        for path in paths:
            if path == "-":
                self._read_text("-", sys.stdin.buffer.read(self.max_file_bytes + 1), explicit=True)
            elif os.path.isdir(path):
                self._read_dir(path)
            elif os.path.lexists(path):
                self._read_file(path, explicit=True)
            else:
                self.inputs.error(path, "no such file or directory")
        return self.inputs

    def _read_dir(self, top: str) -> None:
        for root, dirs, files in os.walk(
            top, onerror=lambda e: self.inputs.error(str(e.filename), e.strerror or "unreadable")
        ):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
            for name in sorted(files):
                if is_dockerfile_name(name) or name.lower().endswith((*_YAML_EXT, ".json")):
                    self._read_file(os.path.join(root, name), explicit=False)

    def _read_file(self, path: str, explicit: bool) -> None:
        try:
            if os.path.islink(path) and not explicit:
                return  # links inside a tree may point anywhere; only read real files
            size = os.path.getsize(path)
            if size > self.max_file_bytes:
                self.inputs.error(path, f"file too large ({size} bytes > {self.max_file_bytes})")
                return
            with open(path, "rb") as fh:
                data = fh.read(self.max_file_bytes + 1)
        except OSError as exc:
            self.inputs.error(path, exc.strerror or "unreadable")
            return
        self._read_text(path, data, explicit)

    def _read_text(self, path: str, data: bytes, explicit: bool) -> None:
        if len(data) > self.max_file_bytes:
            self.inputs.error(path, f"input too large (> {self.max_file_bytes} bytes)")
            return
        if b"\x00" in data[:8192]:
            self.inputs.error(path, "binary content, not a text configuration file")
            return
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.inputs.error(path, f"not UTF-8 text (byte {exc.start})")
            return
        name = os.path.basename(path)
        if is_dockerfile_name(name) or (path == "-" and _looks_like_dockerfile(text)):
            self._read_dockerfile(path, text)
        elif name.lower().endswith(".json") or (
            path == "-" and text.lstrip().startswith(("{", "["))
        ):
            self._read_json(path, text, explicit)
        else:
            self._read_yaml(path, text, explicit)
        self.inputs.bytes_read += len(data)

    def _read_dockerfile(self, path: str, text: str) -> None:
        try:
            self.inputs.dockerfiles.append(parse_dockerfile(text, path))
            self.inputs.files_read += 1
        except DockerfileSyntaxError as exc:
            self.inputs.error(path, f"Dockerfile syntax error: {exc}", None)

    def _add_objects(self, path: str, data: Any, line: int, text: str, helm: str | None) -> int:
        count = 0
        for doc in expand_lists(data) if isinstance(data, dict) else []:
            if is_k8s_object(doc):
                self.inputs.objects.append(K8sObject(doc, path, line, text, helm))
                count += 1
        return count

    def _read_json(self, path: str, text: str, explicit: bool) -> None:
        try:
            data = load_json_document(text)
        except DocumentError as exc:
            if explicit or _mentions_k8s(text):
                self.inputs.error(path, str(exc), exc.line)
            return
        self._add_objects(path, data, 1, "", None)
        self.inputs.files_read += 1

    def _read_yaml(self, path: str, text: str, explicit: bool) -> None:
        if "{{" in text and ("{{ ." in text or "{{- " in text or "{{ include" in text):
            self.inputs.error(path, "unrendered Helm template (render it with helm template first)")
            return
        parsed = 0
        for doc in load_yaml_stream(text):
            if isinstance(doc, DocumentError):
                self.inputs.error(path, str(doc), doc.line)
                continue
            parsed += 1
            services = _compose_services(path, doc)
            if services is not None:
                self.inputs.compose.extend(services)
                continue
            self._add_objects(path, doc.data, doc.line, doc.text, doc.helm_source)
            if isinstance(doc.data, dict) and "kind" in doc.data and "apiVersion" not in doc.data:
                self.inputs.error(
                    path, f"document has kind {doc.data.get('kind')!r} but no apiVersion", doc.line
                )
        if parsed or (explicit and not text.strip()):
            self.inputs.files_read += 1


def _mentions_k8s(text: str) -> bool:
    head = text[:4096]
    return '"apiVersion"' in head and '"kind"' in head


def _looks_like_dockerfile(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped.upper().startswith(("FROM ", "ARG "))
    return False
