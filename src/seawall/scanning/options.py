"""What a scan is asked to do: which analyzers and plugins, how parallel, where to cache."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any


def default_cache_dir() -> str:
    """``SEAWALL_CACHE_DIR``, else ``$XDG_CACHE_HOME/seawall``, else ``~/.cache/seawall``."""
    env = os.environ.get("SEAWALL_CACHE_DIR")
    if env:
        return env
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(xdg, "seawall")


@dataclass(frozen=True)
class ScanOptions:
    """Settings of one scan (shared by every target of a multi-target run)."""

    scanners: tuple[str, ...] | None = None
    """Analyzer names to run; None means every analyzer with ``default_enabled``."""
    plugins: tuple[str, ...] = ()
    """External plugin names to run (``all``: every discovered plugin with a command
    for the target's kind)."""
    plugin_dirs: tuple[str, ...] = ()
    """Extra plugin directories, searched before ``SEAWALL_PLUGIN_PATH`` and the
    per-user directory."""
    plugin_config: dict[str, dict[str, str]] = field(default_factory=dict)
    """plugin name -> config namespace -> host file served by ``config.pull``."""
    plugin_timeout: float | None = None
    """Seconds a plugin may run per target; overrides the manifest's ``timeout``."""
    analyzer_options: dict[str, Any] = field(default_factory=dict)
    """Scanner options handed to :meth:`Analyzer.configure` (``secret.config`` ...)."""
    jobs: int = 1
    """Targets scanned in parallel, and plugins run in parallel per target."""
    cache_dir: str | None = None
    """Root of the per-layer result cache (default :func:`default_cache_dir`)."""
    use_cache: bool = True
    """Read and write the per-layer analyzer result cache."""

    def resolved_cache_dir(self) -> str:
        """The cache root actually used."""
        return self.cache_dir or default_cache_dir()
