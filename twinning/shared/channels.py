"""Where reminders go: e-mail, SMS through Alibaba Cloud SMS, and WeCom group robots.

Each transport sends one message and returns, or raises `Transient` (the gateway is down,
timed out, throttled: try again later) or `Permanent` (the gateway refused the message: a
wrong number, a wrong key or template; trying again would not help).

SMS: Alibaba Cloud SMS's RPC API (`SendSms`, version 2017-05-25), signed with signature
method v1 (HMAC-SHA1 over the sorted, percent-encoded parameters). The message is the
template the office registered with Alibaba Cloud, filled with `TemplateParam`.
WeCom: a group robot's webhook takes `{"msgtype": "text", "text": {"content": ...}}`; the
content may be up to 2,048 bytes, and `mentioned_mobile_list` @-mentions members by phone.
"""

import base64
import datetime
import hashlib
import hmac
import json
import smtplib
import uuid
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.mail import send_mail

ROBOT_MAX_BYTES = 2048
SMS_VERSION = "2017-05-25"
# Alibaba Cloud's codes for a refusal that passes: throttling, the gateway's own trouble.
SMS_TRANSIENT_CODES = {
    "isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "InternalError", "ServiceUnavailable",
    "SDK.ServerUnreachable",
}
# WeCom's: -1 system busy, 45009 too many messages a minute for this robot.
ROBOT_TRANSIENT_CODES = {-1, 45009}


class DeliveryError(Exception):
    pass


class Transient(DeliveryError):
    pass


class Permanent(DeliveryError):
    pass


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud's signature asks: space %20, `*` %2A, `~` kept."""
    return quote(value, safe="~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    """Signature v1 of Alibaba Cloud's RPC APIs for these parameters (without `Signature`)."""
    canonical = "&".join(
        f"{percent_encode(key)}={percent_encode(value)}" for key, value in sorted(params.items())
    )
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def sms_configured() -> bool:
    return all((settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET,
                settings.SMS_SIGN_NAME, settings.SMS_TEMPLATE_CODE))


def sms_request(phone: str, template_params: dict[str, str], *,
                now: datetime.datetime | None = None, nonce: str | None = None) -> dict[str, str]:
    """The signed form of one `SendSms` call."""
    now = now or datetime.datetime.now(datetime.UTC)
    params = {
        "AccessKeyId": settings.SMS_ACCESS_KEY_ID,
        "Action": "SendSms",
        "Format": "JSON",
        "PhoneNumbers": phone,
        "RegionId": settings.SMS_REGION,
        "SignName": settings.SMS_SIGN_NAME,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce or uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "TemplateCode": settings.SMS_TEMPLATE_CODE,
        "TemplateParam": json.dumps(template_params, ensure_ascii=False, separators=(",", ":")),
        "Timestamp": now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": SMS_VERSION,
    }
    params["Signature"] = aliyun_signature(params, settings.SMS_ACCESS_KEY_SECRET)
    return params


def _post(url: str, body: bytes, content_type: str) -> tuple[int, Any]:
    """POST and read a JSON answer; a network failure or a 5xx/429 answer is Transient."""
    request = Request(url, data=body, method="POST",
                      headers={"Content-Type": content_type, "Accept": "application/json"})
    try:
        with urlopen(request, timeout=settings.REMINDER_HTTP_TIMEOUT) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except HTTPError as error:
        status, raw = error.code, error.read()
        if status >= 500 or status in (408, 429):
            raise Transient(f"HTTP {status}: {raw[:300].decode(errors='replace')}") from error
    except (URLError, TimeoutError, OSError) as error:
        raise Transient(f"{type(error).__name__}: {error}") from error
    try:
        return status, json.loads(raw or b"null")
    except ValueError as error:
        raise Permanent(f"HTTP {status}: not JSON: {raw[:300]!r}") from error


def send_sms(phone: str, template_params: dict[str, str]) -> str:
    """Send one SMS; returns the gateway's id for it (BizId)."""
    if not sms_configured():
        raise Permanent("SMS is not configured (SMS_ACCESS_KEY_ID, SMS_TEMPLATE_CODE, ...)")
    body = urlencode(sms_request(phone, template_params), quote_via=quote).encode()
    status, answer = _post(settings.SMS_ENDPOINT, body, "application/x-www-form-urlencoded")
    answer = answer if isinstance(answer, dict) else {}
    code = str(answer.get("Code", ""))
    if status == 200 and code == "OK":
        return str(answer.get("BizId", ""))
    error = f"HTTP {status} {code}: {answer.get('Message', '')}"
    if code in SMS_TRANSIENT_CODES or code.startswith("Throttling"):
        raise Transient(error)
    raise Permanent(error)


def split_for_robot(blocks: list[str], header: str, footer: str) -> list[tuple[str, list[int]]]:
    """Group blocks (a person with their items) into texts that fit a robot message, each
    with the header and footer; returns each text with the indexes of the blocks in it. A
    block is never split; one too long alone is cut to fit."""
    def fits(parts: list[str]) -> bool:
        return len("\n".join([header, *parts, footer]).encode()) <= ROBOT_MAX_BYTES

    groups: list[list[int]] = [[]]
    for index, block in enumerate(blocks):
        if groups[-1] and not fits([*(blocks[i] for i in groups[-1]), block]):
            groups.append([])
        groups[-1].append(index)
    texts = []
    for indexes in groups:
        text = "\n".join([header, *(blocks[i] for i in indexes), footer])
        texts.append((text.encode()[:ROBOT_MAX_BYTES].decode(errors="ignore"), indexes))
    return texts


def post_robot(url: str, content: str, mentioned_mobiles: list[str]) -> None:
    """Post a text message to a WeCom group robot."""
    if not url.startswith(settings.WECOM_WEBHOOK_PREFIX):
        raise Permanent("the robot's address is not a WeCom webhook (WECOM_WEBHOOK_PREFIX)")
    message = {"msgtype": "text", "text": {"content": content}}
    if mentioned_mobiles:
        message["text"]["mentioned_mobile_list"] = mentioned_mobiles
    body = json.dumps(message, ensure_ascii=False).encode()
    status, answer = _post(url, body, "application/json; charset=utf-8")
    answer = answer if isinstance(answer, dict) else {}
    code = answer.get("errcode")
    if status == 200 and code == 0:
        return
    error = f"HTTP {status} errcode {code}: {answer.get('errmsg', '')}"
    if code in ROBOT_TRANSIENT_CODES:
        raise Transient(error)
    raise Permanent(error)


def send_email(address: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except smtplib.SMTPRecipientsRefused as error:
        raise Permanent(f"{type(error).__name__}: {error}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise Transient(f"{type(error).__name__}: {error}") from error
