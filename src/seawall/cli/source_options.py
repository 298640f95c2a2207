"""The flags every command that opens an image or container shares, defined once.

Usage in a command module::

    @app.command("inspect")
    @click.argument("ref")
    @source_options
    def inspect_command(ref: str, source_options: SourceOptions) -> None:
        image = seawall.open_image(ref, source_options)

The decorator adds ``--platform --username --password --insecure --docker-host
--containerd-address --containerd-namespace --host-root --max-image-size
--cache-dir`` (each also read from ``SEAWALL_*``) and hands the command one
``source_options: SourceOptions`` keyword instead of the separate values. A command
that already defines its own ``--cache-dir`` *below* ``@source_options`` (applied
first) keeps it: it still receives ``cache_dir`` and the value is copied into the
SourceOptions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

import click

from seawall.sources.interface import SourceOptions

F = TypeVar("F", bound=Callable[..., Any])

_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "t": 1000**4,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}


def parse_size(text: str) -> int:
    """``20GiB`` / ``500MB`` / ``1048576`` -> bytes; :class:`click.BadParameter` if bad."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _UNITS:
        raise click.BadParameter(f"{text!r} is not a size (e.g. 20GiB, 500MB, 1048576)")
    return int(float(match.group(1)) * _UNITS[unit])


class _SizeType(click.ParamType):
    name = "SIZE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_size(str(value))
        except click.BadParameter as exc:
            self.fail(exc.message, param, ctx)


def _flags() -> list[click.Option]:
    """Fresh Option objects (one set per decorated command)."""
    return [
        click.Option(
            ["--platform"],
            envvar="SEAWALL_PLATFORM",
            metavar="OS/ARCH[/VARIANT]",
            help="Platform to pick from a multi-platform image (default: this host's).",
        ),
        click.Option(["--username"], envvar="SEAWALL_USERNAME", help="Registry user name."),
        click.Option(
            ["--password"], envvar="SEAWALL_PASSWORD", help="Registry password or token."
        ),
        click.Option(
            ["--insecure"],
            is_flag=True,
            envvar="SEAWALL_INSECURE",
            help="Allow plain-HTTP and unverified-TLS registries.",
        ),
        click.Option(
            ["--docker-host"],
            envvar="SEAWALL_DOCKER_HOST",
            help="Docker Engine API address (default: DOCKER_HOST or the local socket).",
        ),
        click.Option(
            ["--containerd-address"],
            envvar="SEAWALL_CONTAINERD_ADDRESS",
            default=SourceOptions.containerd_address,
            show_default=True,
            help="containerd socket.",
        ),
        click.Option(
            ["--containerd-namespace"],
            envvar="SEAWALL_CONTAINERD_NAMESPACE",
            default=SourceOptions.containerd_namespace,
            show_default=True,
            help="containerd namespace.",
        ),
        click.Option(
            ["--host-root"],
            envvar="SEAWALL_HOST_ROOT",
            type=click.Path(file_okay=False),
            help="Read engine storage from disk under this root (e.g. /host).",
        ),
        click.Option(
            ["--max-image-size"],
            envvar="SEAWALL_MAX_IMAGE_SIZE",
            type=_SizeType(),
            help="Largest uncompressed size an image may expand to (bomb guard). "
            "Default: 90% of the free space of the cache's disk (1GiB to 20GiB).",
        ),
    ]


def _cache_dir_flag() -> click.Option:
    return click.Option(
        ["--cache-dir"],
        envvar="SEAWALL_CACHE_DIR",
        type=click.Path(file_okay=False),
        help="Layer cache directory (default ~/.cache/seawall).",
    )


_OWN_NAMES = tuple(str(flag.name) for flag in _flags())


def build_source_options(values: dict[str, Any]) -> SourceOptions:
    """SourceOptions from the flag values (by parameter name); unset ones keep defaults."""
    fields = {
        "platform",
        "username",
        "password",
        "insecure",
        "docker_host",
        "containerd_address",
        "containerd_namespace",
        "host_root",
        "max_image_size",
        "cache_dir",
    }
    return SourceOptions(**{k: v for k, v in values.items() if k in fields and v is not None})


def source_options(func: F) -> F:
    """Decorator: add the source flags; the command gets ``source_options=SourceOptions``."""
    has_cache_dir = any(
        getattr(p, "name", None) == "cache_dir" for p in getattr(func, "__click_params__", [])
    )

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _OWN_NAMES if name in kwargs}
        if has_cache_dir:
            values["cache_dir"] = kwargs.get("cache_dir")
        else:
            values["cache_dir"] = kwargs.pop("cache_dir", None)
        kwargs["source_options"] = build_source_options(values)
        return func(*args, **kwargs)

    params: list[click.Parameter] = wrapper.__dict__.setdefault("__click_params__", [])
    flags = _flags() if has_cache_dir else [*_flags(), _cache_dir_flag()]
    # click collects decorator params in reverse order of appearance.
    params.extend(reversed(flags))
    return wrapper  # type: ignore[return-value]
