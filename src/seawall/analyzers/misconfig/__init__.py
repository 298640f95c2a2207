"""Misconfiguration scanning: image config/history, Dockerfiles, Kubernetes objects
(workloads, RBAC, NetworkPolicy), docker-compose.

The controls are data (``seawall/rules/controls/*.yaml``); each control's logic is a
Python function registered under the control's ID (:mod:`.registry`). The
``imageconfig`` analyzer (image targets) and ``seawall config PATH`` (files) both
run the same registry.
"""
