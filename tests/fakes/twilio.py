"""A fake of Twilio's Programmable Messaging API (2010-04-01) for its Python client.

Speaks: POST /2010-04-01/Accounts/{sid}/Messages.json (form: To, From or MessagingServiceSid,
Body, StatusCallback), GET .../Messages.json (To, From, DateSent, DateSent<, DateSent>,
PageSize, Page) and GET .../Messages/{sid}.json, with HTTP Basic auth (account SID and auth
token). Errors have Twilio's shape: ``{"code": 21211, "message": "...", "more_info": ...,
"status": 400}``. Status callbacks and inbound messages are form POSTs signed with
X-Twilio-Signature (HMAC-SHA1 of the URL and the sorted parameters, keyed by the auth token),
as Twilio signs them.

    python -m tests.fakes.twilio --port 0 --state-file var/twilio.jsonl
"""

import base64
import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Mapping
from datetime import date, datetime
from email.message import Message
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from bluelamp.lib.gsm import sms_segments
from tests.fakes import Callback, FakeServer, Query, Reply, json_reply, now_utc, serve_main

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fedcba9876543210" * 2
FROM_NUMBER = "+447700900999"
API_VERSION = "2010-04-01"

_MESSAGES = re.compile(r"/2010-04-01/Accounts/(?P<account>AC\w+)/Messages(?:/(?P<sid>\w+))?\.json")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def error(status: int, code: int, message: str, headers: Mapping[str, str] | None = None) -> Reply:
    return json_reply(
        status,
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        headers,
    )


def signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """Twilio's X-Twilio-Signature: the URL, then each parameter's name and value, sorted."""
    text = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(auth_token.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _moment(value: str) -> datetime | date:
    if _DATE.fullmatch(value):
        return date.fromisoformat(value)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class TwilioFake(FakeServer):
    name = "twilio"

    def __init__(
        self,
        *,
        account_sid: str = ACCOUNT_SID,
        auth_token: str = AUTH_TOKEN,
        number: str = FROM_NUMBER,
        unsubscribed: tuple[str, ...] = (),
        **common: Any,
    ) -> None:
        super().__init__(**common)
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.number = number
        self.unsubscribed = set(unsubscribed)
        self._inbound: list[dict[str, Any]] = []
        self._inbound_lock = threading.Lock()

    def extra_knobs(self) -> set[str]:
        return {"unsubscribed"}

    # The API

    def handle(self, method: str, path: str, query: Query, headers: Message, body: bytes) -> Reply:
        match = _MESSAGES.fullmatch(path)
        if not match:
            return error(404, 20404, f"The requested resource {path} was not found")
        if not self._authorised(headers.get("Authorization", "")):
            return error(401, 20003, "Authenticate")
        if match["account"] != self.account_sid:
            return error(404, 20404, f"The requested resource {path} was not found")
        if method == "POST" and not match["sid"]:
            form = {name: values[0] for name, values in parse_qs(body.decode()).items()}
            return self._create(form)
        if method == "GET" and match["sid"]:
            record = self.store.get(match["sid"])
            if record is None:
                return error(404, 20404, f"The requested resource {path} was not found")
            return json_reply(200, self.message(record))
        if method == "GET":
            return self._list(path, query)
        return error(405, 20004, "Method not allowed")

    def throttled(self, headers: dict[str, str]) -> Reply:
        return error(429, 20429, "Too Many Requests", headers)

    def server_error(self, status: int) -> Reply:
        return error(status, 20500, "An internal server error has occurred")

    def _authorised(self, header: str) -> bool:
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return hmac.compare_digest(user, self.account_sid) and hmac.compare_digest(
            password, self.auth_token
        )

    def _create(self, form: Mapping[str, str]) -> Reply:
        to, body = form.get("To", ""), form.get("Body", "")
        sender, service = form.get("From", ""), form.get("MessagingServiceSid", "")
        if not to:
            return error(400, 21604, "A 'To' phone number is required.")
        if not (sender or service):
            return error(400, 21603, "A 'From' phone number is required.")
        if not body:
            return error(400, 21602, "Message body is required.")
        if len(body) > 1600:
            return error(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        if to.endswith(self.invalid_suffix):
            return error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if to in self.unsubscribed:
            return error(400, 21610, "Attempt to send to unsubscribed recipient")
        created = now_utc()
        sid = "SM" + secrets.token_hex(16)
        status_callback = form.get("StatusCallback") or None
        # Twilio keeps no reference of ours; Bluelamp puts it in the callback's query string.
        references = parse_qs((status_callback or "").partition("?")[2]).get("reference")
        record = self.store.add(
            {
                "id": sid,
                "to": to,
                "from": sender or None,
                "messaging_service_sid": service or None,
                "body": body,
                "reference": references[0] if references else None,
                "status": "accepted" if service else "queued",
                "status_callback": status_callback,
                "created_at": created.isoformat(),
                "error_code": None,
            }
        )
        if self.auto_deliver:
            self.post_later(self.auto_deliver_delay, lambda: self.deliver(sid))
        return json_reply(201, self.message(record))

    def message(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A message resource as Twilio shows it (dates in RFC 2822)."""
        created = format_datetime(datetime.fromisoformat(record["created_at"]))
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{record['id']}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": record["body"],
            "date_created": created,
            "date_sent": created,  # the fake sends at once
            "date_updated": created,
            "direction": "outbound-api",
            "error_code": record["error_code"],
            "error_message": None,
            "from": record["from"] or self.number,
            "messaging_service_sid": record["messaging_service_sid"],
            "num_media": "0",
            "num_segments": str(sms_segments(record["body"])),
            "price": None,
            "price_unit": "GBP",
            "sid": record["id"],
            "status": record["status"],
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": record["to"],
            "uri": f"{uri}.json",
        }

    def _list(self, path: str, query: Query) -> Reply:
        def first(name: str) -> str | None:
            values = query.get(name)
            return values[0] if values else None

        to, sender = first("To"), first("From")
        on, before, after = first("DateSent"), first("DateSent<"), first("DateSent>")

        def sent_matches(record: Mapping[str, Any]) -> bool:
            sent = datetime.fromisoformat(record["created_at"])
            for value, test in ((on, "="), (before, "<"), (after, ">")):
                if value is None:
                    continue
                limit = _moment(value)
                moment: datetime | date = sent.date() if type(limit) is date else sent
                if test == "=" and moment != limit:
                    return False
                if test == "<" and moment > limit:
                    return False
                if test == ">" and moment < limit:
                    return False
            return True

        records = self.store.select(
            lambda r: (
                (to is None or r["to"] == to)
                and (sender is None or (r["from"] or self.number) == sender)
                and sent_matches(r)
            )
        )
        records.reverse()  # most recent first
        size = min(int(first("PageSize") or 50), 1000)
        page = int(first("Page") or 0)
        chosen = records[page * size : (page + 1) * size]
        filters = {
            name: values[0]
            for name, values in query.items()
            if name.startswith(("To", "From", "DateSent"))
        }

        def uri(number: int) -> str:
            return f"{path}?{urlencode(filters | {'PageSize': size, 'Page': number})}"

        more = len(records) > (page + 1) * size
        return json_reply(
            200,
            {
                "messages": [self.message(r) for r in chosen],
                "end": page * size + max(len(chosen) - 1, 0),
                "first_page_uri": uri(0),
                "next_page_uri": uri(page + 1) if more else None,
                "page": page,
                "page_size": size,
                "previous_page_uri": uri(page - 1) if page else None,
                "start": page * size,
                "uri": uri(page),
            },
        )

    # What Twilio posts to us

    def _signed(self, url: str, params: dict[str, str]) -> Callback:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature(self.auth_token, url, params),
            "I-Twilio-Idempotency-Token": secrets.token_hex(16),
        }
        return Callback(url=url, body=urlencode(params).encode(), headers=headers)

    def deliver(
        self,
        provider_id: str,
        status: str = "delivered",
        error_code: str | None = None,
        *,
        post: bool = True,
    ) -> Callback:
        """The status callback Twilio sends: to the message's StatusCallback, or the default.

        With ``post=False`` it is only built and signed (a test turns it into a request).
        """
        if error_code is None and status in ("undelivered", "failed"):
            error_code = "30003"  # Unreachable destination handset
        record = self.store.update(provider_id, status=status, error_code=error_code)
        if record is None:
            raise KeyError(f"no message {provider_id}")
        url = record["status_callback"] or self.callback_url
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "From": record["from"] or self.number,
            "MessageSid": record["id"],
            "MessageStatus": status,
            "SmsSid": record["id"],
            "SmsStatus": status,
            "To": record["to"],
        }
        if error_code:
            params["ErrorCode"] = error_code
        callback = self._signed(url or "http://127.0.0.1/twilio/status", params)
        if url and post:
            callback.post()
        return callback

    def inbound(self, from_number: str, body: str, *, post: bool = True) -> Callback:
        """A text to our Twilio number, posted to the number's messaging webhook."""
        sid = "SM" + secrets.token_hex(16)
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "Body": body,
            "From": from_number,
            "FromCountry": "GB",
            "MessageSid": sid,
            "NumMedia": "0",
            "NumSegments": str(sms_segments(body)),
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": "received",
            "To": self.number,
            "ToCountry": "GB",
        }
        with self._inbound_lock:
            self._inbound.append(params | {"received_at": now_utc().isoformat()})
        callback = self._signed(self.inbound_url or "http://127.0.0.1/twilio/inbound", params)
        if self.inbound_url and post:
            callback.post()
        return callback

    def received(self) -> list[dict[str, Any]]:
        with self._inbound_lock:
            return list(self._inbound)


def main(argv: list[str] | None = None) -> None:
    serve_main(TwilioFake, argv)


if __name__ == "__main__":
    main()
