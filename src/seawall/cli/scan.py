"""``seawall image|container|rootfs|fs``: scan targets, render reports, gate CI.

All four share the scan flags (:func:`scan_flags`) and the source flags of
``seawall.cli.source_options`` when that module is present. Exit codes are the
gate's (see :mod:`seawall.policy.gate`): 0, the ``--exit-code`` N, 2 for bad input,
4 for an incomplete scan.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from seawall.cli.app import GlobalOptions, app
from seawall.cli.policy_options import gate_flags, policy_flags, policy_from_kwargs
from seawall.cli.scan_pipeline import Publication, publish, scan_targets
from seawall.cli.scanner_options import analyzer_options, scanner_flags
from seawall.errors import InputError
from seawall.policy.gate import gate_from_flags
from seawall.report.output import parse_output_specs
from seawall.report.untrusted_text import visible
from seawall.sources.interface import SourceOptions, Target

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

try:  # the source flags belong to the sources colleague; absent, we offer none
    from seawall.cli.source_options import source_options as _source_flags
except ImportError:  # pragma: no cover - only while that module does not exist

    def _source_flags(func: F) -> F:
        return func


_SCAN_FLAGS: list[Callable[[F], F]] = [
    click.option(
        "--scanners",
        envvar="SEAWALL_SCANNERS",
        help="Comma-separated analyzers to run (default: every default-enabled one; "
        "'none': plugins only).",
    ),
    click.option(
        "--plugin",
        "plugins",
        multiple=True,
        help="External plugin to run (repeatable; 'all' for every discovered plugin).",
    ),
    click.option(
        "--plugin-dir",
        "plugin_dirs",
        multiple=True,
        type=click.Path(file_okay=False),
        help="Extra plugin directory (repeatable; also SEAWALL_PLUGIN_PATH).",
    ),
    click.option(
        "--plugin-config",
        "plugin_config",
        multiple=True,
        metavar="PLUGIN:NS=FILE",
        help="File served to PLUGIN by config.pull for namespace NS (repeatable).",
    ),
    click.option("--timeout", type=float, help="Seconds each plugin may run per target."),
    click.option(
        "--jobs",
        "-j",
        type=click.IntRange(1, 64),
        default=1,
        show_default=True,
        help="Targets scanned (and plugins run) in parallel.",
    ),
    click.option(
        "--format",
        "-f",
        "formats",
        multiple=True,
        metavar="FMT[=FILE]",
        help="Report format (repeatable): table, json, ...; =FILE writes a file.",
    ),
    click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False),
        help="File for the formats without their own =FILE.",
    ),
    click.option(
        "--cache-dir",
        envvar="SEAWALL_CACHE_DIR",
        type=click.Path(file_okay=False),
        help="Cache directory (default ~/.cache/seawall).",
    ),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the layer result cache."),
]


def scan_flags(func: F) -> F:
    """Decorator adding the flags every scanning command shares, and the source flags
    (registry, engines, platform) of the commands that open images or containers."""
    return _source_flags(directory_scan_flags(func))


def directory_scan_flags(func: F) -> F:
    """Decorator adding the scan flags without the source flags: a directory scan has
    no registry, engine or platform to choose."""
    for flag in reversed(_SCAN_FLAGS):
        func = flag(func)
    return gate_flags(policy_flags(scanner_flags(func)))


def _plugin_config(values: Sequence[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for raw in values:
        head, sep, path = raw.partition("=")
        plugin, colon, namespace = head.partition(":")
        if not (sep and colon and plugin and namespace and path):
            raise InputError(f"--plugin-config {raw!r}: expected PLUGIN:NAMESPACE=FILE")
        out.setdefault(plugin, {})[namespace] = path
    return out


def _source_options(kwargs: dict[str, Any], cache_dir: str | None) -> SourceOptions:
    """Whatever the source flags produced: a SourceOptions, or its fields by name."""
    for value in kwargs.values():
        if isinstance(value, SourceOptions):
            opts = value
            break
    else:
        fields = {f.name for f in dataclasses.fields(SourceOptions)}
        opts = SourceOptions(**{k: v for k, v in kwargs.items() if k in fields and v is not None})
    if cache_dir and not opts.cache_dir:
        opts = dataclasses.replace(opts, cache_dir=cache_dir)
    return opts


def run_scan(
    obj: GlobalOptions | None,
    refs: Sequence[str],
    opener: Callable[[str, SourceOptions], Target],
    command_types: Sequence[str] | None,
    kwargs: dict[str, Any],
) -> None:
    """Open, scan, render and gate; exits with the gate's status."""
    from seawall.scanning import ScanDriver, ScanOptions
    from seawall.scanning.plugin_selection import select_plugins
    from seawall.scanning.selection import check_scanner_names

    specs = parse_output_specs(kwargs.pop("formats"), kwargs.pop("output"))
    gate, shown = gate_from_flags(
        kwargs.pop("exit_code"), kwargs.pop("severity"), kwargs.pop("fail_on")
    )
    policy, show_suppressed = policy_from_kwargs(kwargs)
    scanners_text = kwargs.pop("scanners")
    scanners = None
    if scanners_text == "none":  # plugins only
        scanners = ()
    elif scanners_text:
        scanners = tuple(s.strip() for s in scanners_text.split(",") if s.strip())
        check_scanner_names(scanners)
    cache_dir = kwargs.pop("cache_dir")
    scanner_opts = analyzer_options(kwargs)
    options = ScanOptions(
        analyzer_options=scanner_opts,
        scanners=scanners,
        plugins=tuple(kwargs.pop("plugins")),
        plugin_dirs=tuple(kwargs.pop("plugin_dirs")),
        plugin_config=_plugin_config(kwargs.pop("plugin_config")),
        plugin_timeout=kwargs.pop("timeout"),
        jobs=kwargs.pop("jobs"),
        cache_dir=cache_dir,
        use_cache=not kwargs.pop("no_cache"),
    )
    plan = Publication(specs, gate, shown, policy, show_suppressed,
                       allow_incomplete=kwargs.pop("allow_incomplete"))
    source_opts = _source_options(kwargs, cache_dir)
    plugins = select_plugins(options.plugins, options)
    driver = ScanDriver(options, plugins, command_types)
    batch = scan_targets(obj, refs, opener, source_opts, driver, options.jobs)
    for exc in batch.unopened:
        click.echo("seawall: " + " ".join(visible(str(exc)).split()), err=True)
    if not batch.outcomes:
        sys.exit(max(exc.exit_code for exc in batch.unopened))
    status = publish(obj, [o.report for o in batch.outcomes], plan)
    if batch.unopened:
        # A target that could not be opened is bad input, whatever the others gave.
        status = max(exc.exit_code for exc in batch.unopened)
    if status:
        # Not click's Exit: seawall.cli.main runs click with standalone_mode=False,
        # which turns Exit into a return value that main() does not pass on.
        sys.exit(status)


def _open_image(ref: str, opts: SourceOptions) -> Target:
    import seawall

    return seawall.open_image(ref, opts)


def _open_container(ref: str, opts: SourceOptions) -> Target:
    import seawall

    return seawall.open_container(ref, opts)


def _dir_opener(
    obj: GlobalOptions | None, kwargs: dict[str, Any]
) -> Callable[[str, SourceOptions], Target]:
    """An opener for directory targets with the ``--skip-dirs`` /
    ``--no-default-skips`` values taken out of ``kwargs``; a host scan says on stderr
    what it skips by default."""
    from seawall.sources.rootfs import HostTarget, open_rootfs

    skip_dirs = tuple(kwargs.pop("skip_dirs"))
    default_skips = not kwargs.pop("no_default_skips")
    quiet = bool(obj and obj.quiet)

    def open_dir(ref: str, opts: SourceOptions) -> Target:
        target = open_rootfs(ref, skip_dirs, default_skips, opts.cache_dir or _cache_root())
        if isinstance(target, HostTarget) and default_skips and not quiet:
            listed = ", ".join(visible(s.path) for s in target.skipped)
            click.echo(f"seawall: host scan skips {listed} (engine storage, caches, pseudo, "
                       "network and container mounts; --no-default-skips walks them)",
                       err=True)
        return target

    return open_dir


def _cache_root() -> str:
    from seawall.scanning.options import default_cache_dir

    return default_cache_dir()


_DIRECTORY_FLAGS: list[Callable[[F], F]] = [
    click.option(
        "--skip-dirs",
        "skip_dirs",
        multiple=True,
        metavar="DIR[,DIR]",
        help="Directories inside the root not to walk (repeatable, comma list).",
    ),
    click.option(
        "--no-default-skips",
        is_flag=True,
        help="For / (the host): also walk what is skipped by default (container engine "
        "storage, caches, network, removable and container mounts).",
    ),
]


def _directory_flags(func: F) -> F:
    for flag in reversed(_DIRECTORY_FLAGS):
        func = flag(func)
    return func


@app.command("image")
@click.argument("refs", nargs=-1, required=True, metavar="REF...")
@scan_flags
@click.pass_obj
def image_command(obj: GlobalOptions, refs: tuple[str, ...], **kwargs: Any) -> None:
    """Scan container images (docker-daemon:, docker-archive:, oci:, oci-archive:,
    docker://, containerd:, podman: or a bare name)."""
    run_scan(obj, refs, _open_image, None, kwargs)


@app.command("container")
@click.argument("refs", nargs=-1, required=True, metavar="ID...")
@scan_flags
@click.pass_obj
def container_command(obj: GlobalOptions, refs: tuple[str, ...], **kwargs: Any) -> None:
    """Scan running or stopped containers by ID or name."""
    run_scan(obj, refs, _open_container, None, kwargs)


@app.command("rootfs")
@click.argument("refs", nargs=-1, required=True, metavar="DIR...")
@directory_scan_flags
@_directory_flags
@click.pass_obj
def rootfs_command(obj: GlobalOptions, refs: tuple[str, ...], **kwargs: Any) -> None:
    """Scan unpacked root filesystems (``/`` scans the host, skipping container engine
    storage, caches, pseudo, network and container mounts unless --no-default-skips)."""
    run_scan(obj, refs, _dir_opener(obj, kwargs), ("rootfs",), kwargs)


@app.command("fs")
@click.argument("refs", nargs=-1, required=True, metavar="DIR...")
@directory_scan_flags
@_directory_flags
@click.pass_obj
def fs_command(obj: GlobalOptions, refs: tuple[str, ...], **kwargs: Any) -> None:
    """Scan source trees (lockfiles, IaC, secrets); plugins get their 'config' command."""
    run_scan(obj, refs, _dir_opener(obj, kwargs), ("config", "rootfs"), kwargs)
