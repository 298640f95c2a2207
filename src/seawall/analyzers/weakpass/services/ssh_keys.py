"""SSH/PEM private keys stored without a passphrase: if ``cryptography`` loads the
key with ``password=None`` it has none. Host keys (``/etc/ssh/ssh_host_*``) are
unencrypted by design and left to the secret scanner."""

from __future__ import annotations

from seawall.analyzers.weakpass.credentials import DirectIssue, ParseOutcome
from seawall.analyzers.weakpass.service_parser import ServiceParser, register_service

_NAMES = ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk")
_MARK = b"PRIVATE KEY-----"


@register_service
class SshPrivateKeyParser(ServiceParser):
    """User private keys."""

    name = "ssh"
    max_bytes = 64 * 1024

    def wants(self, path: str) -> bool:
        """id_* keys anywhere, ``*.pem``/``*.key`` in .ssh dirs."""
        base = path.rsplit("/", 1)[-1]
        if path.startswith("/etc/ssh/ssh_host_"):
            return False
        return base in _NAMES or ("/.ssh/" in path and base.endswith((".pem", ".key")))

    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """Try to load each key; success without a password is the finding."""
        from cryptography.hazmat.primitives import serialization

        out = ParseOutcome()
        if _MARK not in data:
            return out
        loaders = (serialization.load_ssh_private_key, serialization.load_pem_private_key)
        loader = loaders[0] if b"OPENSSH PRIVATE KEY" in data else loaders[1]
        try:
            loader(data, password=None)
        except TypeError:
            return out  # "password was not given but private key is encrypted": good
        except (ValueError, NotImplementedError) as exc:
            out.skipped.append(f"{path}: unreadable private key ({exc})")
            return out
        owner = path.split("/")[2] if path.startswith("/home/") else \
            ("root" if path.startswith("/root/") else "")
        out.issues.append(DirectIssue(
            "SW-WP-004", self.name, owner, path, None,
            "private key is stored without a passphrase: whoever reads the image can use it",
            privileged=owner == "root"))
        return out
