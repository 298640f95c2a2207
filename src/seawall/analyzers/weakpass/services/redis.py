"""Redis: ``requirepass``/``masterauth`` in redis.conf, ``user`` rules in redis.conf or
the ACL file (``>plaintext``, ``#<sha256 hex>``, ``nopass``)."""

from __future__ import annotations

import shlex

from seawall.analyzers.weakpass.credentials import Credential, DirectIssue, ParseOutcome
from seawall.analyzers.weakpass.service_parser import ServiceParser, register_service, text_lines


def _words(line: str) -> list[str] | None:
    try:
        return shlex.split(line, posix=True)
    except ValueError:
        return None


@register_service
class RedisParser(ServiceParser):
    """redis.conf and ACL files."""

    name = "redis"

    def wants(self, path: str) -> bool:
        """``redis*.conf``, anything under /etc/redis, ``*.acl``."""
        base = path.rsplit("/", 1)[-1]
        return (base.startswith("redis") and base.endswith(".conf")) or \
            path.startswith("/etc/redis/") or base.endswith(".acl")

    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """Directive per line, arguments shell-quoted as Redis reads them."""
        out = ParseOutcome()
        for n, raw in enumerate(text_lines(data), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            words = _words(line)
            if words is None:
                out.skipped.append(f"{path}:{n}: unbalanced quotes")
                continue
            key = words[0].lower()
            if key in ("requirepass", "masterauth"):
                if len(words) != 2:
                    out.skipped.append(f"{path}:{n}: {key} needs one argument")
                    continue
                account = "default" if key == "requirepass" else "masterauth"
                out.credentials.append(Credential(self.name, account, "plain", words[1], path, n,
                                                  privileged=True))
            elif key == "user" and len(words) >= 2:
                self._acl_user(words, path, n, out)
        return out

    def _acl_user(self, words: list[str], path: str, n: int, out: ParseOutcome) -> None:
        user = words[1]
        rules = words[2:]
        enabled = "on" in rules and "off" not in rules[rules.index("on"):]
        admin = any(r in ("+@all", "allcommands", "+@admin") for r in rules)
        out.context_words.append(user)
        for rule in rules:
            if rule.startswith(">"):
                out.credentials.append(Credential(self.name, user, "plain", rule[1:], path, n,
                                                  privileged=admin))
            elif rule.startswith("#"):
                out.credentials.append(Credential(self.name, user, "hex-digest", rule[1:], path,
                                                  n, privileged=admin))
        if enabled and "nopass" in rules:
            out.issues.append(DirectIssue(
                "SW-WP-001", self.name, user, path, n,
                "ACL user is enabled with 'nopass': any password is accepted", admin))
