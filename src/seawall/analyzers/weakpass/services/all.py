"""Every built-in password store module, imported in one place.

Each module registers its :class:`~..service_parser.ServiceParser` in
:data:`~..service_parser.SERVICE_PARSERS` when imported; the analyzer imports this
module. Adding a service = adding its module and one line here.
"""

from __future__ import annotations

from seawall.analyzers.weakpass.services import (
    ftp,
    grafana,
    htpasswd,
    mongodb,
    mysql,
    postgres,
    rabbitmq,
    redis,
    shadow,
    ssh_keys,
    tomcat,
)

BUILTIN_SERVICE_MODULES = (
    ftp, grafana, htpasswd, mongodb, mysql, postgres, rabbitmq, redis, shadow, ssh_keys, tomcat,
)
"""The modules that register the built-in services (``ftp`` imports ``shadow``, which
therefore registers first)."""
