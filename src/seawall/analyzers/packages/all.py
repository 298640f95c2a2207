"""Every built-in package metadata format, imported in one place (order = precedence).

Each format module registers its :class:`~.package_format.PackageFormat` in
:data:`~.package_format.FORMATS` when imported; whoever dispatches files to formats
imports this module first. Adding an ecosystem = adding its module and one line here.
"""

from __future__ import annotations

from seawall.analyzers.packages import (
    apk,
    dotnet_deps,
    dpkg,
    executables,
    java_archive,
    node_installed,
    node_lockfiles,
    php_composer,
    python_dist,
    rpm,
    ruby_gems,
    rust_cargo,
)

BUILTIN_FORMAT_MODULES = (
    apk, dotnet_deps, dpkg, executables, java_archive, node_installed, node_lockfiles,
    php_composer, python_dist, rpm, ruby_gems, rust_cargo,
)
"""The modules that register the built-in formats, in registration order."""
