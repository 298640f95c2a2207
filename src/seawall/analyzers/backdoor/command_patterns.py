"""What makes one line of a script or config a persistence payload.

Used by every check that reads commands (cron, shell rc files, systemd ``Exec*``,
init scripts, APT hooks, motd scripts...). The patterns want an *action* (a shell
wired to a socket, a download piped into an interpreter, code run from a
world-writable directory), so that ordinary admin scripts stay quiet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_INTERP = r"(?:ba|da|z|k|c|tc)?sh|python[0-9.]*|perl|php[0-9.]*|ruby|node"


@dataclass(frozen=True)
class SuspiciousCommand:
    """Why a line looks like a payload."""

    kind: str
    """``reverse-shell``, ``download-exec``, ``encoded-exec``, ``tmp-exec``, ``user-mod``."""
    why: str


_PATTERNS: list[tuple[str, str, re.Pattern[str]]] = [
    ("reverse-shell", "shell redirected to /dev/tcp or /dev/udp",
     re.compile(r"/dev/(?:tcp|udp)/[^/\s]+/\d+")),
    ("reverse-shell", "netcat/ncat runs a shell for the network",
     re.compile(r"\b(?:nc|ncat|netcat|nc\.traditional)\b[^|;&\n]*\s-[a-z]*[ec]\s*['\"]?/bin/"
                r"(?:ba|da|z)?sh")),
    ("reverse-shell", "named pipe between a shell and netcat/telnet",
     re.compile(r"mkfifo\b.*\|\s*(?:nc|ncat|netcat|telnet|openssl\s+s_client)\b")),
    ("reverse-shell", "socat connects a shell to the network",
     re.compile(r"\bsocat\b.*\bexec:.*\b(?:tcp|tcp4|tcp-connect|openssl|ssl)[:\-]", re.I)),
    ("reverse-shell", "interpreter one-liner hands a socket to a shell",
     re.compile(r"(?:python[0-9.]*|perl|ruby|php)\s+-[a-z]*[ce]\s.*\b(?:socket|fsockopen|"
                r"TCPSocket)\b.*(?:/bin/(?:ba)?sh|pty\.spawn|exec)", re.I)),
    ("reverse-shell", "interactive shell on fd 3 (socket)",
     re.compile(r"/bin/(?:ba)?sh\s+-i\s*<&\s*3")),
    ("download-exec", "download piped into an interpreter",
     re.compile(r"\b(?:curl|wget|fetch|busybox\s+wget)\b[^|;\n]*\|\s*(?:sudo\s+)?(?:/usr)?(?:/bin/)?"
                rf"(?:{_INTERP})\b")),
    ("download-exec", "interpreter runs a download (sh -c \"$(curl ...)\")",
     re.compile(rf"\b(?:{_INTERP})\s+(?:-c\s+)?['\"]?\$\(\s*(?:curl|wget)\b")),
    ("download-exec", "download saved, made executable and run",
     re.compile(r"\b(?:curl|wget)\b[^\n]*(?:-o|-O|>)\s*\S+[^\n]*&&[^\n]*chmod\s+\+?[0-7]*x"
                r"[^\n]*&&")),
    ("encoded-exec", "base64-decoded payload executed",
     re.compile(rf"base64\s+(?:-d|--decode)[^\n|]*\|\s*(?:{_INTERP})\b|"
                r"exec\s*\(\s*base64\.b64decode|eval\s*\(\s*base64_decode|"
                r"\.decode\(\s*['\"]base64['\"]\s*\)")),
    ("tmp-exec", "runs a program from a world-writable directory",
     re.compile(r"(?:^|[\s;&|'\"(=])(?:/tmp|/var/tmp|/dev/shm)/[^\s;&|'\"]*[^\s;&|'\"/]"
                r"(?=[\s;&|'\")]|$)(?![^\n]*\b(?:rm|mkdir|chmod|touch|find)\b)")),
    ("user-mod", "creates or changes accounts",
     re.compile(r"\b(?:useradd|usermod|adduser)\b[^\n]*(?:-o\b|-u\s*0\b|--uid\s*0\b|-G\s*\S*"
                r"(?:root|sudo|wheel))|echo\s+['\"]?[^:\s]+:[^:]*:0:0:[^>]*>>\s*/etc/passwd")),
]

# A line that only *mentions* /tmp as a data path (rm -rf /tmp/x, TMPDIR=/tmp) is not
# code execution; tmp-exec therefore also needs the path in command position.
_COMMAND_POSITION = re.compile(
    r"(?:^|[;&|]\s*|\b(?:exec|nohup|setsid|sh|bash|then|do)\s+|ExecStart\w*=\s*[-@+!]*|"
    r"\$\(\s*)['\"]?(?:/tmp|/var/tmp|/dev/shm)/")


def suspicious_command(line: str) -> SuspiciousCommand | None:
    """The first payload pattern ``line`` matches, or None. Comments are ignored."""
    text = line.strip()
    if not text or text.startswith(("#", ";", "//")):
        return None
    for kind, why, pattern in _PATTERNS:
        if not pattern.search(text):
            continue
        if kind == "tmp-exec" and not _COMMAND_POSITION.search(text):
            continue
        return SuspiciousCommand(kind, why)
    return None
