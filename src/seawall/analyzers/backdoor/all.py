"""Every built-in persistence check module, imported in one place.

Each module registers its checks in :data:`.check_registry.CHECKS` when imported;
the analyzer imports this module, so the table is complete before any scan. Adding a
check family = adding its module and one line here.
"""

from __future__ import annotations

from seawall.analyzers.backdoor import (
    accounts,
    cron_jobs,
    dynamic_linker,
    init_scripts,
    login_hooks,
    network_services,
    pam_modules,
    python_startup,
    repository_hooks,
    rootkit_files,
    setuid_shells,
    shell_startup,
    ssh_access,
    systemd_units,
    temp_executables,
)

BUILTIN_CHECK_MODULES = (
    accounts, cron_jobs, dynamic_linker, init_scripts, login_hooks, network_services,
    pam_modules, python_startup, repository_hooks, rootkit_files, setuid_shells,
    shell_startup, ssh_access, systemd_units, temp_executables,
)
"""The modules that register the built-in checks, in registration order."""
