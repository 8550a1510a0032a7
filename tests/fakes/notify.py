"""A fake of GOV.UK Notify's API (v2) for its Python client.

Speaks: POST /v2/notifications/sms and /email, GET /v2/notifications (reference, status,
template_type, older_than), GET /v2/notifications/{id}, GET /v2/received-text-messages.
Every request must carry the client's JWT (HS256 with the key's secret, iss = service id, iat
within 30 seconds), as Notify checks it. Errors have Notify's shape:
``{"status_code": 400, "errors": [{"error": "ValidationError", "message": "..."}]}``.

Its templates are Bluelamp's generic ones: SMS ``((body))``, email subject ``((subject))`` and
body ``((body))``. Delivery receipts and received texts are posted as Notify posts them: JSON
with ``Authorization: Bearer <callback token>``.

    python -m tests.fakes.notify --port 0 --state-file var/notify.jsonl [--callback-url URL]
"""

import json
import re
import threading
import time
import uuid
from collections.abc import Mapping
from email.message import Message
from typing import Any

import jwt

from tests.fakes import Callback, FakeServer, Query, Reply, json_reply, now_utc, serve_main

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"bluelamp_test-{SERVICE_ID}-{SECRET}"
SMS_TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
EMAIL_TEMPLATE_ID = "6f3f7bbd-6a0d-4e71-9a2f-1c2b7a0f2d54"
CALLBACK_TOKEN = "fake-notify-callback-token-0123456789"
SERVICE_NUMBER = "07700900999"
PAGE_SIZE = 250

_PLACEHOLDER = re.compile(r"\(\(([^)]+)\)\)")
_PHONE_CHARACTERS = re.compile(r"[\d\s()+-]+")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def timestamp() -> str:
    return now_utc().strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def error(status: int, kind: str, message: str, headers: Mapping[str, str] | None = None) -> Reply:
    body = {"status_code": status, "errors": [{"error": kind, "message": message}]}
    return json_reply(status, body, headers)


class NotifyFake(FakeServer):
    name = "notify"

    def __init__(
        self,
        *,
        service_id: str = SERVICE_ID,
        secret: str = SECRET,
        sms_template_id: str = SMS_TEMPLATE_ID,
        email_template_id: str = EMAIL_TEMPLATE_ID,
        callback_token: str = CALLBACK_TOKEN,
        invalid_email_suffix: str = "@invalid.example",
        **common: Any,
    ) -> None:
        super().__init__(**common)
        self.service_id = service_id
        self.secret = secret
        self.callback_token = callback_token
        self.invalid_email_suffix = invalid_email_suffix
        self.templates: dict[str, dict[str, Any]] = {
            sms_template_id: {"type": "sms", "subject": None, "body": "((body))"},
            email_template_id: {"type": "email", "subject": "((subject))", "body": "((body))"},
        }
        self._received: list[dict[str, Any]] = []
        self._received_lock = threading.Lock()

    @property
    def api_key(self) -> str:
        return f"bluelamp_test-{self.service_id}-{self.secret}"

    def extra_knobs(self) -> set[str]:
        return {"callback_token", "invalid_email_suffix"}

    # The API

    def handle(self, method: str, path: str, query: Query, headers: Message, body: bytes) -> Reply:
        refused = self._authenticate(headers.get("Authorization", ""))
        if refused:
            return refused
        if method == "POST" and path in ("/v2/notifications/sms", "/v2/notifications/email"):
            try:
                data = json.loads(body)
            except ValueError:
                return error(400, "ValidationError", "Invalid JSON supplied in POST data")
            return self._send(path.rsplit("/", 1)[1], data)
        if method == "GET" and path == "/v2/notifications":
            return self._list(query)
        if method == "GET" and path.startswith("/v2/notifications/"):
            return self._get(path.rsplit("/", 1)[1])
        if method == "GET" and path == "/v2/received-text-messages":
            return self._received_texts(query)
        return error(404, "NotFound", "Not Found", None)

    def throttled(self, headers: dict[str, str]) -> Reply:
        message = "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"
        return error(429, "RateLimitError", message, headers)

    def server_error(self, status: int) -> Reply:
        return error(status, "Exception", "Internal server error")

    def _authenticate(self, header: str) -> Reply | None:
        if not header.startswith("Bearer "):
            return error(401, "AuthError", "Unauthorized: authentication token must be provided")
        token = header.removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, options={"verify_signature": False}, algorithms=["HS256"])
        except jwt.InvalidTokenError:
            return error(403, "AuthError", "Invalid token: signature, api token not found")
        if claims.get("iss") != self.service_id:
            return error(403, "AuthError", "Invalid token: service not found")
        try:
            jwt.decode(token, key=self.secret, algorithms=["HS256"], options={"verify_iat": False})
        except jwt.InvalidTokenError:
            return error(403, "AuthError", "Invalid token: API key not found")
        if abs(time.time() - float(claims.get("iat", 0))) > 30:
            return error(
                403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds"
            )
        return None

    def _send(self, kind: str, data: dict[str, Any]) -> Reply:
        recipient_field = "phone_number" if kind == "sms" else "email_address"
        recipient = str(data.get(recipient_field) or "")
        template_id = str(data.get("template_id") or "")
        if not recipient:
            return error(400, "ValidationError", f"{recipient_field} is a required property")
        if not template_id:
            return error(400, "ValidationError", "template_id is a required property")
        template = self.templates.get(template_id)
        if template is None or template["type"] != kind:
            return error(400, "BadRequestError", "Template not found")
        if kind == "sms":
            if not _PHONE_CHARACTERS.fullmatch(recipient):
                return error(
                    400, "ValidationError", "phone_number Must not contain letters or symbols"
                )
            if recipient.replace(" ", "").endswith(self.invalid_suffix):
                return error(400, "ValidationError", "phone_number Not a UK mobile number")
        elif "@" not in recipient or recipient.endswith(self.invalid_email_suffix):
            return error(400, "ValidationError", "email_address Not a valid email address")
        personalisation = data.get("personalisation") or {}
        wanted = set(_PLACEHOLDER.findall((template["subject"] or "") + template["body"]))
        missing = sorted(wanted - set(personalisation))
        if missing:
            return error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")

        def render(text: str) -> str:
            return _PLACEHOLDER.sub(lambda match: str(personalisation[match.group(1)]), text)

        notification_id = str(uuid.uuid4())
        record = self.store.add(
            {
                "id": notification_id,
                "type": kind,
                "to": recipient,
                "subject": render(template["subject"]) if template["subject"] else None,
                "body": render(template["body"]),
                "reference": data.get("reference"),
                "template_id": template_id,
                "status": "sending",
                "created_at": timestamp(),
                "completed_at": None,
            }
        )
        if self.auto_deliver:
            self.post_later(self.auto_deliver_delay, lambda: self.deliver(notification_id))
        content: dict[str, Any] = {"body": record["body"]}
        if kind == "sms":
            content["from_number"] = "GOVUK"
        else:
            content |= {
                "subject": record["subject"],
                "from_email": "force@notifications.service.gov.uk",
            }
        return json_reply(
            201,
            {
                "id": notification_id,
                "reference": record["reference"],
                "content": content,
                "uri": f"{self.url}/v2/notifications/{notification_id}",
                "template": {
                    "id": template_id,
                    "version": 1,
                    "uri": f"{self.url}/v2/template/{template_id}",
                },
                "scheduled_for": None,
            },
        )

    def notification(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A notification as GET /v2/notifications shows it."""
        return {
            "id": record["id"],
            "reference": record["reference"],
            "email_address": record["to"] if record["type"] == "email" else None,
            "phone_number": record["to"] if record["type"] == "sms" else None,
            "line_1": None,
            "postcode": None,
            "type": record["type"],
            "status": record["status"],
            "template": {
                "id": record["template_id"],
                "version": 1,
                "uri": f"{self.url}/v2/template/{record['template_id']}",
            },
            "body": record["body"],
            "subject": record["subject"],
            "created_at": record["created_at"],
            "created_by_name": None,
            "sent_at": record["created_at"],
            "completed_at": record["completed_at"],
            "scheduled_for": None,
        }

    def _get(self, notification_id: str) -> Reply:
        if not _UUID.fullmatch(notification_id):
            return error(400, "ValidationError", "notification_id is not a valid UUID")
        record = self.store.get(notification_id)
        if record is None:
            return error(404, "NoResultFound", "No result found")
        return json_reply(200, self.notification(record))

    def _list(self, query: Query) -> Reply:
        def first(name: str) -> str | None:
            values = query.get(name)
            return values[0] if values else None

        reference, status, kind = first("reference"), first("status"), first("template_type")
        records = self.store.select(
            lambda r: (
                (reference is None or r["reference"] == reference)
                and (status is None or r["status"] == status)
                and (kind is None or r["type"] == kind)
            )
        )
        records.reverse()  # newest first, as Notify lists them
        older_than = first("older_than")
        if older_than:
            ids = [r["id"] for r in records]
            records = records[ids.index(older_than) + 1 :] if older_than in ids else []
        page = records[:PAGE_SIZE]
        links = {"current": f"{self.url}/v2/notifications"}
        if len(records) > PAGE_SIZE:
            links["next"] = f"{self.url}/v2/notifications?older_than={page[-1]['id']}"
        return json_reply(
            200, {"notifications": [self.notification(r) for r in page], "links": links}
        )

    def _received_texts(self, query: Query) -> Reply:
        with self._received_lock:
            texts = list(reversed(self._received))
        older_than = query.get("older_than", [""])[0]
        if older_than:
            ids = [text["id"] for text in texts]
            texts = texts[ids.index(older_than) + 1 :] if older_than in ids else []
        page = texts[:PAGE_SIZE]
        links = {"current": f"{self.url}/v2/received-text-messages"}
        if len(texts) > PAGE_SIZE:
            links["next"] = f"{self.url}/v2/received-text-messages?older_than={page[-1]['id']}"
        return json_reply(200, {"received_text_messages": page, "links": links})

    # What Notify posts to us

    def _callback(self, url: str, data: Mapping[str, Any]) -> Callback:
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.callback_token}",
        }
        return Callback(url=url, body=json.dumps(data).encode(), headers=headers)

    def deliver(
        self, provider_id: str, status: str = "delivered", *, post: bool = True
    ) -> Callback:
        """The delivery receipt Notify sends: marks the notification, posts when configured."""
        record = self.store.update(provider_id, status=status, completed_at=timestamp())
        if record is None:
            raise KeyError(f"no notification {provider_id}")
        callback = self._callback(
            self.callback_url or "http://127.0.0.1/notify/receipts",
            {
                "id": record["id"],
                "reference": record["reference"],
                "to": record["to"],
                "status": status,
                "created_at": record["created_at"],
                "completed_at": record["completed_at"],
                "sent_at": record["created_at"],
                "notification_type": record["type"],
                "template_id": record["template_id"],
                "template_version": 1,
            },
        )
        if self.callback_url and post:
            callback.post()
        return callback

    def inbound(self, from_number: str, body: str, *, post: bool = True) -> Callback:
        """A text to the service's number: kept for the API, posted when configured."""
        user_number = from_number.removeprefix("+")  # Notify gives 447700900123
        text = {
            "id": str(uuid.uuid4()),
            "created_at": timestamp(),
            "notify_number": SERVICE_NUMBER,
            "user_number": user_number,
            "service_id": self.service_id,
            "content": body,
        }
        with self._received_lock:
            self._received.append(text)
        callback = self._callback(
            self.inbound_url or "http://127.0.0.1/notify/inbound",
            {
                "id": text["id"],
                "source_number": user_number,
                "destination_number": SERVICE_NUMBER,
                "message": body,
                "date_received": text["created_at"],
            },
        )
        if self.inbound_url and post:
            callback.post()
        return callback

    def received(self) -> list[dict[str, Any]]:
        with self._received_lock:
            return list(self._received)


def main(argv: list[str] | None = None) -> None:
    def extra(parser: Any) -> None:
        parser.add_argument("--callback-token", default=CALLBACK_TOKEN)

    serve_main(NotifyFake, argv, extra)


if __name__ == "__main__":
    main()
