"""Tomcat ``tomcat-users.xml``: ``<user username= password= roles=>``. The default
MessageDigestCredentialHandler stores plaintext; ``{SHA}``-style and bare hex
digests are checked too; ``salt$iterations$hex`` and PBKDF2 are reported unsupported.
Attributes are read with a bounded regex, not an XML parser (no entity expansion)."""

from __future__ import annotations

import re

from seawall.analyzers.weakpass.credentials import Credential, ParseOutcome
from seawall.analyzers.weakpass.service_parser import ServiceParser, register_service

_USER = re.compile(r"<user\b([^>]{0,4096})>", re.S)
_ATTR = re.compile(r"""([A-Za-z]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HEX = re.compile(r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})$")


@register_service
class TomcatUsersParser(ServiceParser):
    """Tomcat's memory realm users."""

    name = "tomcat"

    def wants(self, path: str) -> bool:
        """Any tomcat-users.xml."""
        return path.endswith("/tomcat-users.xml")

    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """Commented-out users (the shipped examples) are ignored."""
        out = ParseOutcome()
        text = data.decode("utf-8", "replace")
        live = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
        for m in _USER.finditer(live):
            attrs = {a.group(1): a.group(2) if a.group(2) is not None else a.group(3)
                     for a in _ATTR.finditer(m.group(1))}
            user = attrs.get("username") or attrs.get("name")
            password = attrs.get("password")
            line = live.count("\n", 0, m.start()) + 1
            if not user or password is None:
                out.skipped.append(f"{path}:{line}: <user> without username/password")
                continue
            out.context_words.append(user)
            roles = attrs.get("roles", "")
            admin = any(r.strip() in ("manager-gui", "manager-script", "admin-gui", "manager")
                        for r in roles.split(","))
            if password.startswith("{"):
                scheme = "ldap-digest"
            elif _HEX.match(password):
                scheme = "hex-digest"
            elif re.fullmatch(r"[0-9a-fA-F]+\$\d+\$[0-9a-fA-F]+", password):
                out.skipped.append(f"{path}:{line}: salted digest (salt$iterations$hex) for "
                                   f"{user} not supported")
                continue
            else:
                scheme = "plain"
            out.credentials.append(Credential(self.name, user, scheme, password, path, line,
                                              privileged=admin))
        return out
