"""Sinks that POST to HTTP receivers (httpx): a generic JSON webhook, Slack incoming
webhooks, DingTalk robots and Feishu/Lark bots, in each service's own message format,
with the DingTalk and Feishu signature schemes when a secret is given."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from typing import Any

import httpx

from seawall.detect.alert import Alert
from seawall.detect.alert_sink import AlertSink
from seawall.detect.local_sinks import alert_json
from seawall.report.untrusted_text import visible


def alert_text(alert: Alert) -> str:
    """Plain text body shared by the chat sinks."""
    rule = alert.rule
    return visible(f"[{rule.severity.value.upper()}] {rule.id} {rule.title}\n{alert.output}\n"
                   f"time: {alert.time_text}")


class HttpSink(AlertSink):
    """POST a JSON body per alert; any non-2xx answer is a failure (retried)."""

    kind = "webhook"

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url = url
        self.name = f"{self.kind}:{url.split('?', 1)[0]}"
        self._client = httpx.Client(timeout=timeout)

    def body(self, alert: Alert) -> dict[str, Any]:
        """The JSON document for one alert."""
        return alert_json(alert)

    def target(self) -> str:
        """The URL to POST to (signing sinks add query parameters)."""
        return self.url

    def check(self, response: httpx.Response) -> None:
        """Raise unless the receiver accepted the message."""
        response.raise_for_status()

    def deliver(self, alert: Alert) -> None:
        """POST one alert."""
        self.check(self._client.post(self.target(), json=self.body(alert)))

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


class SlackSink(HttpSink):
    """Slack incoming webhook: ``text`` plus a section block."""

    kind = "slack"

    def body(self, alert: Alert) -> dict[str, Any]:
        """Slack's message format."""
        text = alert_text(alert)
        return {"text": text,
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


class DingTalkSink(HttpSink):
    """DingTalk custom robot: markdown message; with a secret, ``timestamp`` and
    ``sign`` = base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")) in the query."""

    kind = "dingtalk"

    def __init__(self, url: str, secret: str | None = None, timeout: float = 5.0) -> None:
        super().__init__(url, timeout)
        self.secret = secret

    def target(self) -> str:
        """The robot URL, signed when a secret is set."""
        if not self.secret:
            return self.url
        stamp = str(int(time.time() * 1000))
        digest = hmac.new(self.secret.encode(), f"{stamp}\n{self.secret}".encode(),
                          hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}timestamp={stamp}&sign={sign}"

    def body(self, alert: Alert) -> dict[str, Any]:
        """DingTalk's markdown message."""
        rule = alert.rule
        return {"msgtype": "markdown",
                "markdown": {"title": visible(f"{rule.id} {rule.title}"),
                             "text": alert_text(alert).replace("\n", "\n\n")}}

    def check(self, response: httpx.Response) -> None:
        """DingTalk answers 200 with ``errcode`` != 0 on refusal."""
        response.raise_for_status()
        code = response.json().get("errcode", 0)
        if code:
            raise RuntimeError(f"dingtalk errcode {code}: {response.json().get('errmsg')}")


class FeishuSink(HttpSink):
    """Feishu/Lark custom bot: text message; with a secret, ``timestamp`` (seconds) and
    ``sign`` = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b"")) in the body."""

    kind = "feishu"

    def __init__(self, url: str, secret: str | None = None, timeout: float = 5.0) -> None:
        super().__init__(url, timeout)
        self.secret = secret

    def body(self, alert: Alert) -> dict[str, Any]:
        """Feishu's text message, signed when a secret is set."""
        doc: dict[str, Any] = {"msg_type": "text", "content": {"text": alert_text(alert)}}
        if self.secret:
            stamp = str(int(time.time()))
            key = f"{stamp}\n{self.secret}".encode()
            doc["timestamp"] = stamp
            doc["sign"] = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        return doc

    def check(self, response: httpx.Response) -> None:
        """Feishu answers 200 with ``code`` != 0 on refusal."""
        response.raise_for_status()
        data = response.json()
        code = data.get("code", data.get("StatusCode", 0))
        if code:
            raise RuntimeError(f"feishu code {code}: {data.get('msg')}")
