"""Registry credentials and authentication challenges.

Credentials come, in order, from ``SourceOptions.username/password`` and from the
Docker CLI's ``config.json`` (``$DOCKER_CONFIG/config.json`` or
``~/.docker/config.json``): ``credHelpers``/``credsStore`` helpers are run like the
Docker CLI runs them (``docker-credential-NAME get``), then ``auths`` entries (base64
``auth`` or ``username``/``password``). Registry keys are matched by host, whatever
scheme or path they were written with (``https://index.docker.io/v1/``).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seawall.sources.image_reference import DOCKER_HUB

log = logging.getLogger(__name__)

_HUB_ALIASES = {DOCKER_HUB, "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"}


@dataclass(frozen=True)
class Credentials:
    """A username and password (or identity token) for one registry."""

    username: str
    password: str


@dataclass(frozen=True)
class Challenge:
    """A parsed ``WWW-Authenticate`` header."""

    scheme: str
    """``bearer`` or ``basic`` (lower case)."""
    params: dict[str, str]
    """``realm``, ``service``, ``scope`` ..."""


_PARAM = re.compile(r'([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def parse_challenge(header: str) -> Challenge | None:
    """``Bearer realm="https://auth/token",service="reg"`` -> Challenge."""
    header = header.strip()
    if not header:
        return None
    scheme, _, rest = header.partition(" ")
    params = {
        m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3))
        for m in _PARAM.finditer(rest)
    }
    return Challenge(scheme=scheme.lower(), params=params)


def _host_of(key: str) -> str:
    key = re.sub(r"^[a-z]+://", "", key.strip())
    return key.split("/", 1)[0].lower()


def _same_registry(key: str, registry: str) -> bool:
    host = _host_of(key)
    registry = registry.lower()
    if registry in _HUB_ALIASES:
        return host in _HUB_ALIASES
    return host == registry


def docker_config_path() -> Path:
    """Where the Docker CLI keeps ``config.json``."""
    base = os.environ.get("DOCKER_CONFIG")
    return Path(base) / "config.json" if base else Path.home() / ".docker" / "config.json"


def _load_docker_config() -> dict[str, Any]:
    path = docker_config_path()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable Docker config %s: %s", path, exc)
        return {}
    return doc if isinstance(doc, dict) else {}


def _from_helper(helper: str, registry: str) -> Credentials | None:
    program = shutil.which(f"docker-credential-{helper}")
    if program is None:
        log.info("credential helper docker-credential-%s not installed; skipped", helper)
        return None
    server = "https://index.docker.io/v1/" if registry in _HUB_ALIASES else registry
    try:
        out = subprocess.run(
            [program, "get"], input=server.encode(), capture_output=True, timeout=20, check=True
        ).stdout
        doc = json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        log.info("credential helper %s gave no credentials for %s: %s", helper, registry, exc)
        return None
    user, secret = doc.get("Username"), doc.get("Secret")
    if isinstance(user, str) and isinstance(secret, str) and secret:
        return Credentials(user, secret)
    return None


def _from_auth_entry(entry: Any) -> Credentials | None:
    if not isinstance(entry, dict):
        return None
    if isinstance(entry.get("auth"), str) and entry["auth"]:
        try:
            user, sep, password = base64.b64decode(entry["auth"]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return Credentials(user, password) if sep else None
    if isinstance(entry.get("username"), str) and isinstance(entry.get("password"), str):
        return Credentials(entry["username"], entry["password"])
    if isinstance(entry.get("identitytoken"), str):
        # Docker sends identity tokens as the password of user "<token>".
        return Credentials("<token>", entry["identitytoken"])
    return None


def find_credentials(
    registry: str, username: str | None = None, password: str | None = None
) -> Credentials | None:
    """Credentials for ``registry`` (``host[:port]``, ``docker.io`` for Docker Hub)."""
    if username is not None or password is not None:
        return Credentials(username or "", password or "")
    config = _load_docker_config()
    helpers = config.get("credHelpers")
    if isinstance(helpers, dict):
        for key, helper in helpers.items():
            if isinstance(helper, str) and _same_registry(key, registry):
                found = _from_helper(helper, registry)
                if found:
                    return found
    auths = config.get("auths")
    if isinstance(auths, dict):
        for key, entry in auths.items():
            if _same_registry(key, registry):
                found = _from_auth_entry(entry)
                if found:
                    return found
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        return _from_helper(store, registry)
    return None
