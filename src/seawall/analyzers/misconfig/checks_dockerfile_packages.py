"""Dockerfile checks on what RUN does: package managers, downloads, TLS and
signature verification, caches (SW-DF-006, 010, 013..028, 035..040, 042..045, 047,
048, 052). ENV-based switches that disable verification are checked here too."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from seawall.analyzers.misconfig.checks_dockerfile import instructions, v
from seawall.analyzers.misconfig.dockerfile_parser import Dockerfile, Instruction, Stage
from seawall.analyzers.misconfig.registry import ScanSettings, Violation, check

_SPLIT = re.compile(r"&&|\|\||;|\n")


def _runs(df: Dockerfile) -> Iterator[tuple[Stage, Instruction, str]]:
    for stage, instr in instructions(df, "RUN"):
        yield stage, instr, instr.shell_text


def _commands(text: str) -> list[str]:
    """Simple commands of a RUN (split on && || ; and newlines), whitespace-normalised."""
    return [" ".join(c.split()) for c in _SPLIT.split(text) if c.strip()]


def _env_values(df: Dockerfile) -> Iterator[tuple[Stage, Instruction, str, str]]:
    for stage, instr in instructions(df, "ENV"):
        words = instr.args
        pairs = (
            [w.partition("=")[::2] for w in words]
            if "=" in (words[0] if words else "")
            else ([(words[0], " ".join(words[1:]))] if words else [])
        )
        for key, value in pairs:
            yield stage, instr, key, value


def _run_regex(control_id: str, pattern: str, message: str) -> None:
    compiled = re.compile(pattern)

    def run(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
        for stage, instr, text in _runs(df):
            if compiled.search(text):
                yield v(instr, message, stage)

    check(control_id, "dockerfile")(run)


def _env_or_run(
    control_id: str, env: Callable[[str, str], bool], pattern: str | None, message: str
) -> None:
    compiled = re.compile(pattern) if pattern else None

    def run(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
        for stage, instr, key, value in _env_values(df):
            if env(key, value.strip().strip("\"'")):
                yield v(instr, f"ENV {key}={value}: {message}", stage)
        if compiled is not None:
            for stage, instr, text in _runs(df):
                if compiled.search(text):
                    yield v(instr, message, stage)

    check(control_id, "dockerfile")(run)


_INSTALLERS = re.compile(
    r"\b(apt-get|apt|apk|yum|dnf|microdnf|zypper|tdnf)\b[^&|;\n]*\b(install|add|in)\b"
)


@check("SW-DF-006", "dockerfile")
def update_alone(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    update = re.compile(
        r"\b(apt-get|apt|apk|yum|dnf|zypper)\s+(-\S+\s+)*(update|makecache|refresh)\b"
    )
    for stage, instr, text in _runs(df):
        if update.search(text) and not _INSTALLERS.search(text):
            yield v(instr, "package index update without install in the same RUN", stage)


_run_regex(
    "SW-DF-010",
    r"(^|[\s;&|(])apt\s+(-\S+\s+)*(install|update|upgrade|remove|dist-upgrade)\b",
    "apt used instead of apt-get",
)
_run_regex("SW-DF-013", r"(^|[\s;&|(])sudo\s", "RUN uses sudo")
_run_regex(
    "SW-DF-014",
    r"\bcurl\b[^|;&\n]*\s(-k|--insecure|-[a-zA-Z]*k[a-zA-Z]*)(\s|$)",
    "curl with -k/--insecure",
)
_run_regex("SW-DF-015", r"\bwget\b[^|;&\n]*--no-check-certificate", "wget --no-check-certificate")
_env_or_run(
    "SW-DF-016",
    lambda k, val: k == "PIP_TRUSTED_HOST" and bool(val),
    r"\bpip3?\b[^|;&\n]*--trusted-host",
    "pip trusted-host disables certificate checks",
)
_env_or_run(
    "SW-DF-017",
    lambda k, val: k == "PYTHONHTTPSVERIFY" and val == "0",
    None,
    "TLS verification off",
)
_env_or_run(
    "SW-DF-018",
    lambda k, val: k == "NODE_TLS_REJECT_UNAUTHORIZED" and val == "0",
    r"NODE_TLS_REJECT_UNAUTHORIZED=0",
    "TLS verification off",
)
_run_regex("SW-DF-019", r"\bapk\b[^|;&\n]*--allow-untrusted", "apk --allow-untrusted")
_run_regex(
    "SW-DF-020",
    r"--allow-unauthenticated|--allow-insecure-repositories|\[trusted=yes\]|AllowUnauthenticated\s*\"?true",
    "apt installs unauthenticated packages",
)
_run_regex("SW-DF-021", r"--nogpgcheck|gpgcheck\s*=\s*0", "GPG check disabled")
_run_regex(
    "SW-DF-022",
    r"\brpm\b[^|;&\n]*--(nodigest|nosignature|noverify|nofiledigest)",
    "rpm verification disabled",
)
_run_regex("SW-DF-023", r"--force-yes", "apt-get --force-yes")
_env_or_run(
    "SW-DF-024",
    lambda k, val: k.upper() == "NPM_CONFIG_STRICT_SSL" and val.lower() == "false",
    r"\b(npm|yarn)\s+config\s+set\s+strict-ssl\s+false|--strict-ssl[= ]false",
    "strict-ssl disabled",
)
_env_or_run(
    "SW-DF-025",
    lambda k, val: k == "GIT_SSL_NO_VERIFY",
    r"GIT_SSL_NO_VERIFY|http\.sslVerify[= ]+(false|0)",
    "git TLS verification off",
)
_run_regex("SW-DF-026", r"sslverify\s*=\s*(0|false|no)\b", "yum/dnf sslverify disabled")
_run_regex("SW-DF-027", r"\bchpasswd\b", "chpasswd sets a password at build time")
_run_regex(
    "SW-DF-028",
    r"\b(curl|wget)\b[^|;&\n]*\|\s*(sudo\s+)?(\S*/)?(ba|z|da|k)?sh\b|\b(ba)?sh\s+(-c\s+)?[\"']?\$\((curl|wget)|<\((curl|wget)",
    "remote script piped to a shell",
)


@check("SW-DF-035", "dockerfile")
def run_cd(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage, instr, text in _runs(df):
        if re.match(r"\s*cd\s", text):
            yield v(instr, "RUN starts with cd", stage)


@check("SW-DF-036", "dockerfile")
def wget_and_curl(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    texts = [(stage, instr, text) for stage, instr, text in _runs(df)]
    curl = [t for t in texts if re.search(r"(^|\s)curl\s", t[2])]
    wget = [t for t in texts if re.search(r"(^|\s)wget\s", t[2])]
    if curl and wget:
        stage, instr, _ = wget[0]
        yield v(instr, "both wget and curl are used", stage)


def _install_without(control_id: str, tool: str, cleanup: str, message: str) -> None:
    install = re.compile(rf"(^|[\s;&|(]){tool}\s+(-\S+\s+)*(install|in)\b")
    clean = re.compile(cleanup)

    def run(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
        for stage, instr, text in _runs(df):
            if "type=cache" in instr.flags.get("mount", ""):
                continue
            if install.search(text) and not clean.search(text):
                yield v(instr, message, stage)

    check(control_id, "dockerfile")(run)


_install_without(
    "SW-DF-037",
    "yum",
    r"yum\s+clean\s+all|rm -rf /var/cache/yum",
    "yum install without yum clean all",
)
_install_without(
    "SW-DF-038",
    "dnf",
    r"dnf\s+clean\s+all|rm -rf /var/cache/(dnf|yum)",
    "dnf install without dnf clean all",
)
_install_without(
    "SW-DF-039", "zypper", r"zypper\s+(clean|cc)\b", "zypper install without zypper clean"
)
_install_without(
    "SW-DF-044", "microdnf", r"microdnf\s+clean\s+all", "microdnf install without clean all"
)
_install_without(
    "SW-DF-047", "apt-get", r"rm\s+-[rRf]+\s+/var/lib/apt/lists", "apt lists left in the layer"
)


def _apt_installs(df: Dockerfile) -> Iterator[tuple[Stage, Instruction, str]]:
    for stage, instr, text in _runs(df):
        for cmd in _commands(text):
            if re.search(r"(^|\s)apt-get\s+(\S+\s+)*install\b", cmd):
                yield stage, instr, cmd


@check("SW-DF-040", "dockerfile")
def apt_no_yes(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage, instr, cmd in _apt_installs(df):
        if not re.search(r"\s(-[a-zA-Z]*y[a-zA-Z]*|--yes|--assume-yes|-qq)(\s|$)", cmd):
            yield v(instr, "apt-get install without -y", stage)


@check("SW-DF-045", "dockerfile")
def apt_recommends(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage, instr, cmd in _apt_installs(df):
        if "--no-install-recommends" not in cmd and "Install-Recommends=false" not in cmd:
            yield v(instr, "apt-get install without --no-install-recommends", stage)


_run_regex(
    "SW-DF-042",
    r"\b(apt-get|apt)\s+(-\S+\s+)*(upgrade|dist-upgrade)\b|\bapk\s+(-\S+\s+)*upgrade\b|\b(yum|dnf)\s+(-\S+\s+)*(upgrade|update)\s*($|&|;|-y)",
    "distribution upgrade in the build",
)


@check("SW-DF-043", "dockerfile")
def apk_no_cache(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage, instr, text in _runs(df):
        if "type=cache" in instr.flags.get("mount", ""):
            continue
        for cmd in _commands(text):
            if re.search(r"(^|\s)apk\s+(\S+\s+)*add\b", cmd) and "--no-cache" not in cmd:
                yield v(instr, "apk add without --no-cache", stage)


@check("SW-DF-048", "dockerfile")
def pip_cache(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    env_off = any(k == "PIP_NO_CACHE_DIR" for _, _, k, _ in _env_values(df))
    for stage, instr, text in _runs(df):
        if env_off or "type=cache" in instr.flags.get("mount", ""):
            continue
        for cmd in _commands(text):
            if (
                re.search(r"(^|\s)(pip3?|python3? -m pip)\s+install\b", cmd)
                and "--no-cache-dir" not in cmd
            ):
                yield v(instr, "pip install without --no-cache-dir", stage)


@check("SW-DF-052", "dockerfile")
def pipefail(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage in df.stages:
        shell_has_pipefail = False
        for instr in stage.instructions:
            if instr.keyword == "SHELL":
                shell_has_pipefail = "pipefail" in instr.value
            if instr.keyword != "RUN" or instr.json_form or shell_has_pipefail:
                continue
            text = instr.shell_text
            if re.search(r"[^|]\|[^|]", text) and "pipefail" not in text:
                yield v(instr, "RUN uses a pipe without set -o pipefail", stage)
