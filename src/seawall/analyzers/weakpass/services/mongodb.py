"""MongoDB: SCRAM credentials live in WiredTiger's block-compressed files, which we
do not decode; what is checked offline is ``mongod.conf`` turning authorization off
(every client is admin). ``MONGO_INITDB_ROOT_PASSWORD`` is covered by the
environment check."""

from __future__ import annotations

import re

from seawall.analyzers.weakpass.credentials import DirectIssue, ParseOutcome
from seawall.analyzers.weakpass.service_parser import ServiceParser, register_service

_AUTH = re.compile(r"^\s*authorization\s*:\s*[\"']?(\w+)", re.M)
_LEGACY = re.compile(r"^\s*(auth|noauth)\s*=\s*(\w+)", re.M)


@register_service
class MongodConfParser(ServiceParser):
    """mongod.conf (YAML) and the legacy ini form."""

    name = "mongodb"

    def wants(self, path: str) -> bool:
        """mongod.conf / mongodb.conf."""
        return path.endswith(("/mongod.conf", "/mongodb.conf"))

    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """No ``security.authorization: enabled`` (or ``auth = true``) means no login."""
        out = ParseOutcome()
        text = data.decode("utf-8", "replace")
        auth = _AUTH.search(text)
        legacy = dict((k, v.lower()) for k, v in _LEGACY.findall(text))
        enabled = (auth is not None and auth.group(1).lower() == "enabled") or \
            legacy.get("auth") == "true"
        if not enabled:
            out.issues.append(DirectIssue(
                "SW-WP-001", self.name, "*", path, None,
                "authorization is not enabled: every client gets full access without a "
                "password", privileged=True))
        return out
