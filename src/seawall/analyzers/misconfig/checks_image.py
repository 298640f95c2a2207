"""Image config, history and filesystem checks (SW-IMG-001..024) for the
``imageconfig`` scanner. The subject is an :class:`ImageView`: the OCI image config
plus the image's merged filesystem (read through ``seawall.fs``, never host paths).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from seawall.analyzers.misconfig.image_refs import parse_image_ref
from seawall.analyzers.misconfig.k8s_model import as_dict, as_list
from seawall.analyzers.misconfig.registry import ScanSettings, Violation, check
from seawall.fs.interface import FileInfo, FileSystem
from seawall.model.finding import SUBJECT_KEY, empty_password_subject

#: Largest file this module reads whole (passwd, shadow, group).
_MAX_SMALL_FILE = 4 * 1024 * 1024
_CACHE_DIRS = (
    "/var/lib/apt/lists/",
    "/var/cache/apt/archives/",
    "/var/cache/apk/",
    "/var/cache/yum/",
    "/var/cache/dnf/",
    "/var/cache/zypp/",
    "/root/.cache/pip/",
    "/root/.npm/_cacache/",
)
_CACHE_IGNORED = ("lock", ".placeholder", "partial")
_CREDENTIAL_FILE = re.compile(
    r"(^|/)(\.git-credentials|\.aws/credentials|\.docker/config\.json|\.netrc|\.pypirc"
    r"|\.ssh/id_(rsa|dsa|ecdsa|ed25519))$"
)
_TOOLCHAIN = ("/usr/bin/gcc", "/usr/bin/cc", "/usr/bin/g++", "/usr/bin/make", "/usr/bin/clang")
_TLS_OFF = {
    "PYTHONHTTPSVERIFY": "0",
    "NODE_TLS_REJECT_UNAUTHORIZED": "0",
    "NPM_CONFIG_STRICT_SSL": "false",
    "GIT_SSL_NO_VERIFY": None,
    "PIP_TRUSTED_HOST": None,
}
_PIPE_TO_SHELL = re.compile(r"\b(curl|wget)\b[^|;&]*\|\s*(sudo\s+)?(\S*/)?(ba|z|da)?sh\b")
_UPGRADE = re.compile(
    r"\b(apt-get|apt)\s+(-\S+\s+)*(upgrade|dist-upgrade)\b|\bapk\s+(-\S+\s+)*upgrade\b"
)
_UPDATE = re.compile(r"\b(apt-get|apt|apk|yum|dnf)\s+(-\S+\s+)*(update|makecache)\b")
_INSTALL = re.compile(r"\b(apt-get|apt|apk|yum|dnf|microdnf|zypper)\b[^&|;]*\b(install|add)\b")
_INSECURE = re.compile(
    r"\bcurl\b[^|;&]*\s(-k|--insecure)\b|--no-check-certificate|--allow-untrusted|--nogpgcheck"
    r"|--allow-unauthenticated|--force-yes"
)
_BUILD_ARGS = re.compile(r"^\|\d+\s+(.*?)\s+/bin/(ba)?sh -c")


@dataclass
class ImageView:
    """What the image checks look at."""

    config: dict[str, Any]
    """The OCI image config document."""
    fs: FileSystem | None = None
    """The merged filesystem (None: config-only checks)."""
    _files: list[FileInfo] | None = field(default=None, repr=False)

    @property
    def runtime(self) -> dict[str, Any]:
        """``config.config``: User, Env, Labels, ExposedPorts, Healthcheck ..."""
        return as_dict(self.config.get("config"))

    def env(self) -> dict[str, str]:
        out = {}
        for item in as_list(self.runtime.get("Env")):
            key, _, value = str(item).partition("=")
            out[key] = value
        return out

    def history(self) -> list[str]:
        """``created_by`` of every history entry, bottom to top."""
        return [
            str(as_dict(h).get("created_by") or "") for h in as_list(self.config.get("history"))
        ]

    def files(self) -> list[FileInfo]:
        """Every entry of the filesystem (walked once, lazily)."""
        if self._files is None:
            self._files = []
            if self.fs is not None:
                try:
                    self._files = list(self.fs.walk("/"))
                except OSError:
                    self._files = []
        return self._files

    def lstat(self, path: str) -> FileInfo | None:
        if self.fs is None:
            return None
        try:
            return self.fs.lstat(path)
        except OSError:
            return None

    def read_text(self, path: str) -> str:
        info = self.lstat(path)
        if self.fs is None or info is None or not info.is_file() or info.size > _MAX_SMALL_FILE:
            return ""
        try:
            return self.fs.read_bytes(path, 0, _MAX_SMALL_FILE).decode("utf-8", "replace")
        except OSError:
            return ""


def _file_v(message: str, info: FileInfo) -> Violation:
    return Violation(message, path=info.path, layer=info.layer)


@check("SW-IMG-001", "image")
def runs_as_root(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    user = str(img.runtime.get("User") or "")
    if user.split(":")[0] in ("", "root", "0"):
        yield Violation(f"Config.User is {user or 'unset'}")


@check("SW-IMG-002", "image")
def no_healthcheck(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    test = as_list(as_dict(img.runtime.get("Healthcheck")).get("Test"))
    if not test or test[0] == "NONE":
        yield Violation("no HEALTHCHECK in the image config")


@check("SW-IMG-003", "image")
def secret_env(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    pattern = re.compile(s.secret_name_pattern)
    for key, value in img.env().items():
        if pattern.search(key) and value:
            yield Violation(f"ENV {key} is set", extra={"variable": key})


@check("SW-IMG-004", "image")
def secret_label(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    pattern = re.compile(s.secret_name_pattern)
    for key, value in as_dict(img.runtime.get("Labels")).items():
        if pattern.search(str(key)) and value:
            yield Violation(f"LABEL {key} is set", extra={"label": str(key)})


@check("SW-IMG-005", "image")
def secret_build_arg(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    pattern = re.compile(s.secret_name_pattern)
    for step in img.history():
        m = _BUILD_ARGS.match(step.removeprefix("RUN ").strip())
        if not m:
            continue
        for pair in m.group(1).split():
            key, _, value = pair.partition("=")
            if pattern.search(key) and value:
                yield Violation(f"build arg {key} recorded in history", extra={"arg": key})


def _history_regex(control_id: str, pattern: re.Pattern[str], message: str) -> None:
    def run(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
        for index, step in enumerate(img.history()):
            if pattern.search(step):
                yield Violation(f"{message}: {step[:160]}", extra={"history_index": index})

    check(control_id, "image")(run)


_history_regex("SW-IMG-006", re.compile(r"\bADD\b.*\b(https?|ftp)://"), "ADD of a URL")
_history_regex("SW-IMG-007", _PIPE_TO_SHELL, "pipe to shell")
_history_regex("SW-IMG-014", _UPGRADE, "upgrade in build")
_history_regex(
    "SW-IMG-023",
    re.compile(r"\bchpasswd\b|\bpasswd\s+\S+\s*<|echo\s+\S+:\S+\s*\|\s*chpasswd"),
    "password set",
)
_history_regex("SW-IMG-024", _INSECURE, "verification disabled")


@check("SW-IMG-015", "image")
def update_alone(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    for index, step in enumerate(img.history()):
        if _UPDATE.search(step) and not _INSTALL.search(step):
            yield Violation(f"update without install: {step[:160]}", extra={"history_index": index})


@check("SW-IMG-016", "image")
def add_local(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    for index, step in enumerate(img.history()):
        m = re.search(r"(#\(nop\)\s*|^)ADD\s+(.*)", step)
        if not m or re.search(r"(https?|ftp)://", step):
            continue
        if re.match(r"(file|multi):[0-9a-f]{8,}\S*\s+in\s+/\s*$", m.group(2).strip()):
            continue  # the base image's root filesystem tarball
        yield Violation(f"ADD in history: {step[:160]}", extra={"history_index": index})


@check("SW-IMG-008", "image")
def package_caches(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    reported: set[str] = set()
    for info in img.files():
        if not info.is_file() or info.name in _CACHE_IGNORED:
            continue
        for prefix in _CACHE_DIRS:
            if info.path.startswith(prefix) and prefix not in reported:
                reported.add(prefix)
                yield Violation(
                    f"cache files under {prefix}", path=prefix.rstrip("/"), layer=info.layer
                )


def _exists(control_id: str, paths: tuple[str, ...], message: str) -> None:
    def run(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
        for path in paths:
            info = img.lstat(path)
            if info is not None:
                yield _file_v(f"{message}: {path}", info)
                return

    check(control_id, "image")(run)


_exists("SW-IMG-009", ("/usr/bin/sudo", "/bin/sudo", "/usr/sbin/sudo"), "sudo installed")
_exists("SW-IMG-012", ("/usr/sbin/sshd", "/usr/bin/sshd", "/sbin/sshd"), "SSH server installed")
_exists("SW-IMG-022", _TOOLCHAIN, "build toolchain present")


@check("SW-IMG-010", "image")
def setuid_files(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    for info in img.files():
        if info.is_file() and info.mode & 0o6000:
            bits = "setuid" if info.mode & 0o4000 else "setgid"
            violation = _file_v(f"{bits} {oct(info.mode)} {info.path}", info)
            # The privesc scanner reports the same binaries (with its catalog's verdict).
            violation.extra[SUBJECT_KEY] = f"setuid:{info.path}"
            yield violation


@check("SW-IMG-011", "image")
def ssh_exposed(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    ports = {str(p).split("/")[0] for p in as_dict(img.runtime.get("ExposedPorts"))}
    if "22" in ports:
        yield Violation("port 22 exposed")


@check("SW-IMG-013", "image")
def base_unpinned(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    labels = {str(k): str(v) for k, v in as_dict(img.runtime.get("Labels")).items()}
    base = labels.get("org.opencontainers.image.base.name")
    if not base:
        return  # not knowable from the image
    if parse_image_ref(base).is_latest_or_untagged:
        yield Violation(f"base image {base} is latest or untagged")
    elif (
        not labels.get("org.opencontainers.image.base.digest") and not parse_image_ref(base).digest
    ):
        yield Violation(f"base image {base} is not pinned by digest")


@check("SW-IMG-017", "image")
def empty_password(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    info = img.lstat("/etc/shadow")
    for line in img.read_text("/etc/shadow").splitlines():
        fields = line.split(":")
        if len(fields) > 1 and fields[0] and fields[1] == "" and info is not None:
            yield Violation(
                f"account {fields[0]} has an empty password", path="/etc/shadow", layer=info.layer,
                extra={SUBJECT_KEY: empty_password_subject("/etc/shadow", fields[0])},
            )


@check("SW-IMG-018", "image")
def duplicate_ids(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    for path, what in (("/etc/passwd", "UID"), ("/etc/group", "GID")):
        owners: dict[str, list[str]] = {}
        for line in img.read_text(path).splitlines():
            fields = line.split(":")
            if len(fields) > 2 and fields[2].isdigit():
                owners.setdefault(fields[2], []).append(fields[0])
        info = img.lstat(path)
        for ident, names in owners.items():
            if len(names) > 1 and info is not None:
                yield Violation(
                    f"{what} {ident} shared by {', '.join(names)}", path=path, layer=info.layer
                )


@check("SW-IMG-019", "image")
def credential_files(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    for info in img.files():
        if info.is_file() and _CREDENTIAL_FILE.search(info.path):
            yield _file_v(f"credential file {info.path}", info)


@check("SW-IMG-020", "image")
def tls_off_env(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    for key, value in img.env().items():
        if key in _TLS_OFF and (_TLS_OFF[key] is None or value.lower() == _TLS_OFF[key]):
            yield Violation(f"ENV {key}={value}")


@check("SW-IMG-021", "image")
def sudo_entrypoint(img: ImageView, s: ScanSettings) -> Iterator[Violation]:
    words: list[str] = []
    for key in ("Entrypoint", "Cmd"):
        for part in as_list(img.runtime.get(key)):
            words.extend(str(part).split())
    if "sudo" in words:
        yield Violation("entrypoint/command uses sudo")
