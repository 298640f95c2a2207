"""RabbitMQ: ``default_user``/``default_pass`` in rabbitmq.conf and ``users`` of a
definitions export (``password_hash`` = base64(salt4 || H(salt4 || pw)),
``hashing_algorithm`` rabbit_password_hashing_sha256/sha512/md5)."""

from __future__ import annotations

import json

from seawall.analyzers.weakpass.credentials import Credential, ParseOutcome
from seawall.analyzers.weakpass.service_parser import ServiceParser, register_service, text_lines

_ALGOS = {"rabbit_password_hashing_sha256": "rabbitmq-sha256",
          "rabbit_password_hashing_sha512": "rabbitmq-sha512",
          "rabbit_password_hashing_md5": "rabbitmq-md5"}


@register_service
class RabbitmqParser(ServiceParser):
    """rabbitmq.conf and definitions JSON."""

    name = "rabbitmq"

    def wants(self, path: str) -> bool:
        """Files under a rabbitmq directory: ``*.conf`` and ``*definitions*.json``."""
        base = path.rsplit("/", 1)[-1]
        return "rabbitmq" in path and (base.endswith(".conf") or
                                       (base.endswith(".json") and "definitions" in base))

    def parse(self, path: str, data: bytes) -> ParseOutcome:
        """Dispatch on the file kind."""
        if path.endswith(".json"):
            return self._definitions(path, data)
        out = ParseOutcome()
        user, found = "guest", []
        for n, raw in enumerate(text_lines(data), 1):
            key, sep, value = raw.split("#", 1)[0].partition("=")
            key = key.strip()
            if not sep:
                continue
            if key == "default_user":
                user = value.strip()
            elif key == "default_pass":
                found.append((n, value.strip()))
        for n, password in found:
            out.credentials.append(Credential(self.name, user, "plain", password, path, n,
                                              privileged=True))
        return out

    def _definitions(self, path: str, data: bytes) -> ParseOutcome:
        out = ParseOutcome()
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError) as exc:
            out.skipped.append(f"{path}: not JSON ({exc})")
            return out
        users = doc.get("users") if isinstance(doc, dict) else None
        if not isinstance(users, list):
            return out
        default_algo = str(doc.get("hashing_algorithm") or "rabbit_password_hashing_sha256")
        for user in users:
            if not isinstance(user, dict) or not user.get("password_hash"):
                continue
            name = str(user.get("name", ""))
            algo = str(user.get("hashing_algorithm") or default_algo)
            scheme = _ALGOS.get(algo)
            if scheme is None:
                out.skipped.append(f"{path}: user {name}: unsupported hashing {algo}")
                continue
            out.context_words.append(name)
            tags = user.get("tags")
            admin = "administrator" in (tags if isinstance(tags, list) else [str(tags)])
            out.credentials.append(Credential(self.name, name, scheme, str(user["password_hash"]),
                                              path, privileged=admin))
        return out
