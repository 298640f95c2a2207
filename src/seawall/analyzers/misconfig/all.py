"""Every built-in misconfiguration check module, imported in one place.

Each ``checks_*`` module binds its functions to control IDs in
:data:`.registry.CHECKS` when imported; :mod:`.check_table` imports this module, so
the table is complete before any lookup. Adding a check module = adding it and one
line here.
"""

from __future__ import annotations

from seawall.analyzers.misconfig import (
    checks_compose,
    checks_dockerfile,
    checks_dockerfile_packages,
    checks_host_access,
    checks_image,
    checks_k8s_objects,
    checks_network,
    checks_pod_security,
    checks_rbac,
    checks_workload,
)

BUILTIN_CHECK_MODULES = (
    checks_compose, checks_dockerfile, checks_dockerfile_packages, checks_host_access,
    checks_image, checks_k8s_objects, checks_network, checks_pod_security, checks_rbac,
    checks_workload,
)
"""The modules that bind the built-in checks, in registration order."""
