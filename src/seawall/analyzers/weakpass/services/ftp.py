"""FTP servers' own user files: ProFTPD ``AuthUserFile`` (ftpasswd: passwd format
with crypt(3) hashes) and vsftpd virtual users in the text file that ``db_load``
turns into ``virtual_users.db`` (user line, password line). The Berkeley DB file
itself is not parsed; local vsftpd users are the system accounts (/etc/shadow)."""

from __future__ import annotations

from seawall.analyzers.weakpass.credentials import Credential, ParseOutcome
from seawall.analyzers.weakpass.service_parser import ServiceParser, register_service, text_lines
from seawall.analyzers.weakpass.services.shadow import shadow_entries

_PROFTPD = ("/etc/proftpd/ftpd.passwd", "/etc/proftpd/passwd", "/etc/proftpd/ftppasswd",
            "/etc/ftpd.passwd")


@register_service
class ProftpdPasswdParser(ServiceParser):
    """ftpasswd files."""

    name = "proftpd"

    def wants(self, path: str) -> bool:
        """The usual AuthUserFile locations."""
        return path in _PROFTPD

    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """passwd layout: name:hash:uid:gid:gecos:home:shell."""
        return shadow_entries(path, text_lines(data), 7, self.name, uid_field=2)


@register_service
class VsftpdVirtualUsersParser(ServiceParser):
    """vsftpd virtual users (db_load -T -t hash input)."""

    name = "vsftpd"

    def wants(self, path: str) -> bool:
        """``/etc/vsftpd/*virtual*users*.txt`` and ``/etc/vsftpd/*.txt`` logins lists."""
        base = path.rsplit("/", 1)[-1]
        return path.startswith(("/etc/vsftpd/", "/etc/vsftpd.")) and base.endswith(".txt") \
            and ("user" in base or "login" in base)

    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """Alternating user / password lines."""
        out = ParseOutcome()
        lines = [(n, s.strip()) for n, s in enumerate(text_lines(data), 1) if s.strip()]
        if len(lines) % 2:
            out.skipped.append(f"{path}: odd number of lines, last user has no password")
        for (_, user), (n, password) in zip(lines[0::2], lines[1::2], strict=False):
            out.context_words.append(user)
            out.credentials.append(Credential(self.name, user, "plain", password, path, n))
        return out
