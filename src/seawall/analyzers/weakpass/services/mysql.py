"""MySQL / MariaDB account hashes read from the data directory.

Where they live: MySQL <= 5.7 ``mysql/user.MYD`` (MyISAM); MySQL 8 ``mysql.ibd``
(InnoDB, the data dictionary tablespace that holds ``mysql.user``); MariaDB >= 10.4
``mysql/global_priv.MAD`` (Aria; ``mysql.user`` is a view over its JSON column
``{"plugin":…,"authentication_string":"*…"}``), older MariaDB ``mysql/user.MAD``.

Heuristic (see :mod:`.binary_records`): scan the raw bytes for
``*`` + 40 upper-case hex (mysql_native_password = ``*HEX(SHA1(SHA1(pw)))``) and for
``$A$NNN$`` + 20 salt bytes + 43 digest chars (caching_sha2_password), and take the
account from the identifier strings just before the match. Verification needs only
the hash, so a wrong name guess never hides a weak password.
"""

from __future__ import annotations

import re

from seawall.analyzers.weakpass.credentials import Credential, ParseOutcome
from seawall.analyzers.weakpass.service_parser import ServiceParser, register_service
from seawall.analyzers.weakpass.services.binary_records import names_before

_NATIVE = re.compile(rb"\*[0-9A-F]{40}(?![0-9A-Fa-f])")
_CACHING = re.compile(rb"\$A\$[0-9]{3}\$[\x01-\x23\x25-\x7f]{20}[./0-9A-Za-z]{43}")
_FILES = ("/mysql/user.MYD", "/mysql/user.MAD", "/mysql/global_priv.MAD", "/mysql.ibd")


@register_service
class MysqlDataParser(ServiceParser):
    """mysql.user rows in MyISAM, Aria and InnoDB files."""

    name = "mysql"
    max_bytes = 256 * 1024 * 1024

    def wants(self, path: str) -> bool:
        """The system-table files of a data directory."""
        return path.endswith(_FILES)

    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """Every hash occurrence, deduplicated (old row versions repeat them)."""
        out = ParseOutcome()
        seen: set[bytes] = set()
        for pattern, scheme in ((_NATIVE, "mysql-native"), (_CACHING, "mysql-caching-sha2")):
            for m in pattern.finditer(data):
                value = m.group()
                if value in seen:
                    continue
                seen.add(value)
                names = names_before(data, m.start())
                account = names[0] if names else ""
                out.context_words += names[:1]
                out.credentials.append(Credential(
                    self.name, account, scheme, value.decode("latin-1"), path,
                    privileged=account == "root", extra_users=tuple(names[1:])))
        if not out.credentials and b"mysql_native_password" in data:
            out.skipped.append(f"{path}: mentions mysql_native_password but no hash was found "
                               "(truncated or compressed pages?)")
        return out
