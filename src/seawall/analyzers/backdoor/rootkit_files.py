"""Known rootkit and implant files (list in ``seawall/rules/backdoor/rootkit_files.tsv``)
and kernel modules that no package installed."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from importlib import resources

from seawall.analyzers.backdoor.check_registry import CheckHit, backdoor_check
from seawall.analyzers.backdoor.scan_context import BackdoorContext
from seawall.model.finding import Severity

ROOTKIT_MODULE_NAMES = ("diamorphine", "reptile", "reptile_module", "suterusu", "kovid", "adore",
                        "adore-ng", "enyelkm", "rootfoo", "khook", "nuk3gh0st", "puszek", "sutersu",
                        "kbeast", "ipsecs_kbeast_v1", "vlany", "bdvl", "azazel", "brootus",
                        "rkduck", "lilyofthevalley", "spy", "modhide", "hide_lkm")


@functools.cache
def rootkit_paths() -> tuple[tuple[str, str], ...]:
    """(family, path) pairs from the bundled data file."""
    text = resources.files("seawall.rules").joinpath("backdoor/rootkit_files.tsv").read_text()
    out = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            family, _, path = line.partition("\t")
            out.append((family.strip(), path.strip()))
    return tuple(out)


@backdoor_check("SW-BD-030", "Known rootkit or implant file", "critical", ("T1014",),
                "Treat the image as compromised: rebuild it from a trusted base.")
def known_rootkit_files(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """Every listed path (home-relative ones in every home) that exists and that no
    package owns."""
    for family, pattern in rootkit_paths():
        paths = ([f"{h.rstrip('/')}/{pattern[2:]}" for h in ctx.home_dirs]
                 if pattern.startswith("~/") else [pattern])
        for path in paths:
            if ctx.info(path) is not None and not ctx.ownership.owns(path):
                yield CheckHit(path, f"{family} rootkit/implant artefact", None, family)


def _module_name(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.split(".ko", 1)[0].replace("-", "_").lower()


@backdoor_check("SW-BD-031", "Kernel module not installed by any package", "high", ("T1547.006",),
                "Remove the module; containers cannot load modules, hosts must not be given them.")
def unowned_kernel_modules(ctx: BackdoorContext) -> Iterator[CheckHit]:
    """``.ko*`` files under /lib/modules that no package owns; known rootkit module
    names are critical even in images without a package database."""
    known = {n.replace("-", "_") for n in ROOTKIT_MODULE_NAMES}
    for path in ctx.candidates.get("kernel-module", []):
        name = _module_name(path)
        if name in known:
            yield CheckHit(path, f"kernel module named like the {name} rootkit", None, name,
                           Severity.CRITICAL)
        elif ctx.unowned(path):
            yield CheckHit(path, f"kernel module {name} was added outside the package manager")
