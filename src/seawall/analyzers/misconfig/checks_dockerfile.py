"""Dockerfile checks on structure, users, base images, ports and secrets
(SW-DF-001..013, 027..035, 041, 046, 049..052)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from seawall.analyzers.misconfig.dockerfile_parser import Dockerfile, Instruction, Stage
from seawall.analyzers.misconfig.image_refs import is_trusted, parse_image_ref
from seawall.analyzers.misconfig.registry import ScanSettings, Violation, check

_URL = re.compile(r"^(https?|ftp)://", re.IGNORECASE)
_ARCHIVE = re.compile(r"\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$", re.IGNORECASE)
_SECRET_FILES = re.compile(
    r"(^|/)(id_rsa|id_dsa|id_ecdsa|id_ed25519|\.env|\.npmrc|\.pypirc|\.netrc|\.git-credentials"
    r"|credentials|\.aws|\.docker/config\.json|.*\.pem|.*\.key|.*\.p12|.*\.pfx|kubeconfig)$",
    re.IGNORECASE,
)
_SYSTEM_DIRS = ("/proc", "/boot", "/dev", "/initrd", "/lost+found", "/sys")


def v(instr: Instruction | None, message: str, stage: Stage | None = None) -> Violation:
    """A Dockerfile violation at ``instr`` (file-level when None)."""
    return Violation(
        message,
        container=(stage.name or f"stage {stage.index}") if stage is not None else None,
        line=instr.line if instr is not None else (stage.line if stage is not None else None),
    )


def instructions(df: Dockerfile, keyword: str) -> Iterator[tuple[Stage, Instruction]]:
    """(stage, instruction) pairs of one keyword, in file order."""
    for stage in df.stages:
        for instr in stage.instructions:
            if instr.keyword == keyword:
                yield stage, instr


def _external_bases(df: Dockerfile) -> Iterator[Stage]:
    names: set[str] = set()
    for stage in df.stages:
        if stage.base.lower() not in names and stage.base != "scratch" and "$" not in stage.base:
            yield stage
        if stage.name:
            names.add(stage.name.lower())


@check("SW-DF-001", "dockerfile")
def runs_as_root(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    final = df.final_stage
    if final is None:
        return
    users = [i for i in final.instructions if i.keyword == "USER"]
    if not users:
        if "nonroot" not in final.base:  # distroless :nonroot bases set USER themselves
            yield v(None, "final stage sets no USER (runs as root)", final)
    elif users[-1].value.split(":")[0] in ("root", "0"):
        yield v(users[-1], f"last USER is {users[-1].value}", final)


@check("SW-DF-002", "dockerfile")
def no_healthcheck(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    final = df.final_stage
    if final is None:
        return
    checks = [i for i in final.instructions if i.keyword == "HEALTHCHECK"]
    if not checks:
        yield v(None, "no HEALTHCHECK in the final stage", final)
    elif checks[-1].value.strip().upper() == "NONE":
        yield v(checks[-1], "HEALTHCHECK NONE", final)


def _ports(instr: Instruction) -> Iterator[str]:
    for word in instr.args:
        yield word.split("/")[0]


@check("SW-DF-003", "dockerfile")
def ssh_port(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage, instr in instructions(df, "EXPOSE"):
        if "22" in _ports(instr):
            yield v(instr, "EXPOSE 22", stage)


def _add_sources(instr: Instruction) -> list[str]:
    if instr.heredocs:
        return []
    return instr.args[:-1]


@check("SW-DF-004", "dockerfile")
def add_local(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage, instr in instructions(df, "ADD"):
        sources = _add_sources(instr)
        local = [src for src in sources if not _URL.match(src) and not src.startswith("git@")]
        if local and not all(_ARCHIVE.search(src) for src in local):
            yield v(instr, f"ADD {' '.join(local)}", stage)


@check("SW-DF-005", "dockerfile")
def add_remote(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage, instr in instructions(df, "ADD"):
        if "checksum" in instr.flags:
            continue
        for src in _add_sources(instr):
            if _URL.match(src):
                yield v(instr, f"ADD {src} without --checksum", stage)


@check("SW-DF-007", "dockerfile")
def maintainer(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage, instr in instructions(df, "MAINTAINER"):
        yield v(instr, "MAINTAINER is deprecated", stage)


@check("SW-DF-008", "dockerfile")
def base_latest(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage in _external_bases(df):
        if parse_image_ref(stage.base).is_latest_or_untagged:
            yield v(stage.instructions[0], f"FROM {stage.base} (latest or no tag)", stage)


@check("SW-DF-009", "dockerfile")
def base_digest(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage in _external_bases(df):
        if parse_image_ref(stage.base).digest is None:
            yield v(stage.instructions[0], f"FROM {stage.base} has no digest", stage)


@check("SW-DF-011", "dockerfile")
def relative_workdir(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage, instr in instructions(df, "WORKDIR"):
        path = instr.value.strip().strip("\"'")
        if path and not path.startswith(("/", "$")) and not re.match(r"^[A-Za-z]:[\\/]", path):
            yield v(instr, f"WORKDIR {path} is relative", stage)


@check("SW-DF-012", "dockerfile")
def duplicate_alias(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    seen: set[str] = set()
    for stage in df.stages:
        if stage.name:
            if stage.name.lower() in seen:
                yield v(stage.instructions[0], f"stage name {stage.name} used twice", stage)
            seen.add(stage.name.lower())


@check("SW-DF-029", "dockerfile")
def secret_env_arg(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    pattern = re.compile(s.secret_name_pattern)
    for instr in df.instructions:
        if instr.keyword not in ("ENV", "ARG"):
            continue
        for word in instr.args if "=" in instr.value or instr.keyword == "ARG" else instr.args[:1]:
            key, _, value = word.partition("=")
            if not pattern.search(key):
                continue
            if instr.keyword == "ARG" or value or (instr.keyword == "ENV" and len(instr.args) > 1):
                stage = df.stages[instr.stage] if instr.stage >= 0 else None
                yield v(instr, f"{instr.keyword} {key} carries a secret-like value", stage)


@check("SW-DF-030", "dockerfile")
def copy_from_self(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage, instr in instructions(df, "COPY"):
        source = instr.flags.get("from", "").lower()
        if source and (source == (stage.name or "").lower() or source == str(stage.index)):
            yield v(instr, f"COPY --from={source} inside that stage", stage)


def _duplicates(keyword: str, control_id: str) -> None:
    def run(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
        for stage in df.stages:
            found = [i for i in stage.instructions if i.keyword == keyword]
            for extra in found[:-1]:
                yield v(
                    extra,
                    f"{keyword} overridden by a later {keyword} (line {found[-1].line})",
                    stage,
                )

    check(control_id, "dockerfile")(run)


_duplicates("ENTRYPOINT", "SW-DF-031")
_duplicates("CMD", "SW-DF-032")
_duplicates("HEALTHCHECK", "SW-DF-041")


@check("SW-DF-033", "dockerfile")
def port_range(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage, instr in instructions(df, "EXPOSE"):
        for port in _ports(instr):
            for part in port.split("-"):
                if part.isdigit() and int(part) > 65535:
                    yield v(instr, f"EXPOSE {port} is out of range", stage)


@check("SW-DF-034", "dockerfile")
def copy_multi_dest(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage, instr in instructions(df, "COPY"):
        if len(instr.args) > 2 and not instr.heredocs and not instr.args[-1].endswith("/"):
            yield v(instr, f"COPY of {len(instr.args) - 1} sources to {instr.args[-1]}", stage)


@check("SW-DF-046", "dockerfile")
def system_workdir(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage, instr in instructions(df, "WORKDIR"):
        path = "/" + instr.value.strip().strip("\"'").strip("/")
        if any(path == d or path.startswith(d + "/") for d in _SYSTEM_DIRS):
            yield v(instr, f"WORKDIR {path}", stage)


@check("SW-DF-049", "dockerfile")
def shell_form(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    final = df.final_stage
    for instr in final.instructions if final else []:
        if instr.keyword in ("CMD", "ENTRYPOINT") and not instr.json_form and instr.value:
            yield v(instr, f"{instr.keyword} {instr.value[:60]} uses the shell form", final)


@check("SW-DF-050", "dockerfile")
def untrusted_base(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for stage in _external_bases(df):
        if not is_trusted(stage.base, s.trusted_registries):
            yield v(
                stage.instructions[0], f"FROM {stage.base} is not from a trusted registry", stage
            )


@check("SW-DF-051", "dockerfile")
def secret_files(df: Dockerfile, s: ScanSettings) -> Iterator[Violation]:
    for instr in df.instructions:
        if instr.keyword in ("COPY", "ADD") and not instr.heredocs and "from" not in instr.flags:
            for src in instr.args[:-1]:
                if _SECRET_FILES.search(src.rstrip("/")):
                    yield v(instr, f"{instr.keyword} {src}", df.stages[instr.stage])
