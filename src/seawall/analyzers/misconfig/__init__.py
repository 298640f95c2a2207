"""Misconfiguration scanning: image config/history, Dockerfiles, Kubernetes objects
(workloads, RBAC, NetworkPolicy), docker-compose.

The controls are data (``seawall/rules/controls/*.yaml``); each control's logic is a
Python function registered under the control's ID (:mod:`.registry`). The
``imageconfig`` analyzer (image targets) and ``seawall config PATH`` (files) both
run the same registry.
"""

from __future__ import annotations

# Importing the analyzer modules registers the ``imageconfig`` and ``config-files``
# scanners.
from seawall.analyzers.misconfig import config_files_analyzer as _config_files_analyzer
from seawall.analyzers.misconfig import imageconfig_analyzer as _imageconfig_analyzer

__all__ = ["_config_files_analyzer", "_imageconfig_analyzer"]
