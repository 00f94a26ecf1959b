"""A stub of the SMS gateway (Alibaba Cloud SMS) and of WeCom group robots, served from a
thread on 127.0.0.1: it records each request, checks the SMS signature as Alibaba Cloud
does, and can be told to fail. No test reaches the outside network."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest

from twinning.shared.channels import aliyun_signature

SECRET = "stub-secret"
KEY_ID = "stub-key-id"


@dataclass
class Received:
    path: str
    form: dict[str, str] = field(default_factory=dict)
    json: Any = None
    signature_ok: bool | None = None


class Gateway:
    """What the stub has received, and how it should answer next."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        # Answers to give before behaving: (HTTP status, JSON body) or "drop" (close the
        # connection without answering).
        self.failures: list[tuple[int, Any] | str] = []
        self.lock = threading.Lock()
        self.nonces: set[str] = set()

    def fail(self, *answers: tuple[int, Any] | str) -> None:
        self.failures.extend(answers)

    @property
    def sms(self) -> list[Received]:
        return [r for r in self.received if r.path == "/sms/"]

    @property
    def robot(self) -> list[Received]:
        return [r for r in self.received if r.path.startswith("/robot/")]


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received = Received(path=self.path)
            if self.path == "/sms/":
                received.form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
                received.signature_ok = self._sms_signature_ok(received.form)
            else:
                received.json = json.loads(raw)
            with gateway.lock:
                gateway.received.append(received)
                failure = gateway.failures.pop(0) if gateway.failures else None
            if failure == "drop":
                self.close_connection = True
                self.connection.close()
                return
            if failure is not None:
                return self._answer(*failure)
            if self.path == "/sms/":
                if not received.signature_ok:
                    return self._answer(400, {"Code": "SignatureDoesNotMatch",
                                              "Message": "Specified signature is not matched"})
                return self._answer(200, {"Code": "OK", "Message": "OK", "BizId": "900619746",
                                          "RequestId": "F655A8D5-B967-440B-8683"})
            return self._answer(200, {"errcode": 0, "errmsg": "ok"})

        def _sms_signature_ok(self, form: dict[str, str]) -> bool:
            params = dict(form)
            signature = params.pop("Signature", "")
            nonce = params.get("SignatureNonce", "")
            fresh = nonce and nonce not in gateway.nonces
            gateway.nonces.add(nonce)
            return bool(fresh) and params.get("AccessKeyId") == KEY_ID and signature == (
                aliyun_signature(params, SECRET, "POST"))

        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def gateway(settings: Any) -> Iterator[Gateway]:
    """The stub, with the site's SMS and WeCom settings pointing at it."""
    state = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    settings.SMS_ENDPOINT = f"{base}/sms/"
    settings.SMS_ACCESS_KEY_ID = KEY_ID
    settings.SMS_ACCESS_KEY_SECRET = SECRET
    settings.SMS_SIGN_NAME = "诸城组工"
    settings.SMS_TEMPLATE_CODE = "SMS_480000001"
    settings.WECOM_WEBHOOK_PREFIX = f"{base}/robot/send?key="
    settings.REMINDER_HTTP_TIMEOUT = 3
    state.base = base
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
