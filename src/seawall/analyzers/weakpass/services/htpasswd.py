"""Apache/nginx basic-auth files: ``user:$apr1$…``, ``user:$2y$…``, ``user:{SHA}…``,
DES crypt, or plaintext."""

from __future__ import annotations

import re

from seawall.analyzers.weakpass.credentials import Credential, ParseOutcome
from seawall.analyzers.weakpass.service_parser import ServiceParser, register_service, text_lines

_DES = re.compile(r"^[./0-9A-Za-z]{13}$")


def htpasswd_scheme(stored: str) -> str:
    """Which verifier a htpasswd value needs."""
    if stored.startswith("{"):
        return "ldap-digest"
    if stored.startswith("$") or _DES.match(stored):
        return "crypt"
    return "plain"  # htpasswd -p: stored as typed


@register_service
class HtpasswdParser(ServiceParser):
    """Basic-auth user files."""

    name = "htpasswd"

    def wants(self, path: str) -> bool:
        """``.htpasswd``, ``htpasswd``, ``*.htpasswd``, and ``*passwd*`` under nginx/apache."""
        base = path.rsplit("/", 1)[-1]
        if base in (".htpasswd", "htpasswd", ".htpasswd.users") or base.endswith(".htpasswd"):
            return True
        return path.startswith(("/etc/nginx/", "/etc/apache2/", "/etc/httpd/")) and \
            "passwd" in base

    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """One ``user:hash`` per line."""
        out = ParseOutcome()
        for n, line in enumerate(text_lines(data), 1):
            if not line.strip() or line.startswith("#"):
                continue
            user, sep, stored = line.strip().partition(":")
            if not sep or not user or not stored:
                out.skipped.append(f"{path}:{n}: malformed htpasswd line")
                continue
            out.context_words.append(user)
            out.credentials.append(
                Credential(self.name, user, htpasswd_scheme(stored), stored, path, n))
        return out
