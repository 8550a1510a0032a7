"""Message providers: the real Notify, Twilio and SMTP clients against local fakes on loopback.

Nothing here mocks Bluelamp's code: each test sends through the provider's official client to
a fake that speaks the provider's API, and parses the fake's callbacks with the same functions
the webhook views use.
"""

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.test import RequestFactory

from bluelamp.delivery.providers import (
    ConsoleProvider,
    NotifyProvider,
    PermanentFailure,
    ProviderMisconfigured,
    Sent,
    SmtpProvider,
    StatusUpdate,
    TemporaryFailure,
    TwilioProvider,
    WebhookRejected,
    provider_from_config,
    secret,
)
from bluelamp.delivery.providers import notify as notify_hooks
from bluelamp.delivery.providers import twilio as twilio_hooks
from bluelamp.delivery.providers.base import retry_after_seconds
from tests.fakes import Callback, CallbackCatcher, read_state_file, summary
from tests.fakes import notify as fake_notify
from tests.fakes import twilio as fake_twilio
from tests.fakes.notify import NotifyFake
from tests.fakes.smtp import SmtpFake
from tests.fakes.twilio import TwilioFake

MOBILE = "+447700900123"
INVALID_MOBILE = "+447700900000"  # the fakes' invalid numbers end 0000
STATUS_URL = "https://bluelamp.example.police.uk/delivery/twilio/status"
INBOUND_URL = "https://bluelamp.example.police.uk/delivery/twilio/inbound"
REPO = Path(__file__).resolve().parent.parent


def as_request(callback: Callback) -> HttpRequest:
    """The callback as our webhook view would receive it."""
    headers = {k: v for k, v in callback.headers.items() if k.lower() != "content-type"}
    return RequestFactory().generic(
        "POST",
        callback.path,
        data=callback.body,
        content_type=callback.content_type,
        headers=headers,
    )


@pytest.fixture
def notify_fake() -> Iterator[NotifyFake]:
    with NotifyFake() as fake:
        yield fake


@pytest.fixture
def notify(notify_fake: NotifyFake) -> NotifyProvider:
    provider = provider_from_config(
        "notify",
        {
            "api_key": fake_notify.API_KEY,
            "base_url": notify_fake.url,
            "sms_template_id": fake_notify.SMS_TEMPLATE_ID,
            "email_template_id": fake_notify.EMAIL_TEMPLATE_ID,
            "callback_token": fake_notify.CALLBACK_TOKEN,
        },
    )
    assert isinstance(provider, NotifyProvider)
    return provider


@pytest.fixture
def twilio_fake() -> Iterator[TwilioFake]:
    with TwilioFake(unsubscribed=("+447700900666",)) as fake:
        yield fake


@pytest.fixture
def twilio(twilio_fake: TwilioFake) -> TwilioProvider:
    provider = provider_from_config(
        "twilio",
        {
            "account_sid": fake_twilio.ACCOUNT_SID,
            "auth_token": fake_twilio.AUTH_TOKEN,
            "from_number": fake_twilio.FROM_NUMBER,
            "base_url": twilio_fake.url,
            "status_callback_url": STATUS_URL,
        },
    )
    assert isinstance(provider, TwilioProvider)
    return provider


@pytest.fixture
def smtp_fake() -> Iterator[SmtpFake]:
    with SmtpFake() as fake:
        yield fake


@pytest.fixture
def smtp(smtp_fake: SmtpFake) -> SmtpProvider:
    provider = provider_from_config(
        "smtp",
        {
            "host": smtp_fake.host,
            "port": str(smtp_fake.port),
            "use_tls": "false",
            "from_email": "feedback@herts.police.example",
        },
    )
    assert isinstance(provider, SmtpProvider)
    return provider


# GOV.UK Notify


def test_notify_sends_an_sms_through_the_sms_template(notify, notify_fake):
    sent = notify.send_sms(to=MOBILE, body="Herts Police: how did we do?", reference="inv-1")

    [message] = notify_fake.messages()
    assert message["id"] == sent.provider_id
    assert message["type"] == "sms"
    assert message["to"] == MOBILE
    assert message["body"] == "Herts Police: how did we do?"  # ((body)) filled in
    assert message["reference"] == "inv-1"
    assert message["template_id"] == fake_notify.SMS_TEMPLATE_ID


def test_notify_sends_an_email_with_subject_and_body(notify, notify_fake):
    sent = notify.send_email(
        to="victim@example.org",
        subject="How did we do?",
        body="Hello,\n\nThe link.",
        reference="i2",
    )

    [message] = notify_fake.messages()
    assert (message["id"], message["type"]) == (sent.provider_id, "email")
    assert message["subject"] == "How did we do?"
    assert message["body"] == "Hello,\n\nThe link."


def test_notify_throttling_is_temporary_with_retry_after(notify, notify_fake):
    notify_fake.configure(errors=[429], retry_after=7)

    with pytest.raises(TemporaryFailure) as failure:
        notify.send_sms(to=MOBILE, body="x", reference="r")

    assert failure.value.retry_after == 7
    assert "RateLimitError" in failure.value.reason
    assert notify_fake.count() == 0
    assert notify.send_sms(to=MOBILE, body="x", reference="r")  # the next one goes


def test_notify_throttling_without_retry_after(notify, notify_fake):
    notify_fake.configure(errors=[429], retry_after=None)

    with pytest.raises(TemporaryFailure) as failure:
        notify.send_sms(to=MOBILE, body="x", reference="r")

    assert failure.value.retry_after is None


def test_notify_server_error_is_temporary(notify, notify_fake):
    notify_fake.configure(errors=[500])

    with pytest.raises(TemporaryFailure) as failure:
        notify.send_sms(to=MOBILE, body="x", reference="r")

    assert not isinstance(failure.value, ProviderMisconfigured)
    assert failure.value.reason == "Exception: Internal server error"


def test_notify_invalid_number_is_permanent_in_notifys_words(notify, notify_fake):
    with pytest.raises(PermanentFailure) as failure:
        notify.send_sms(to=INVALID_MOBILE, body="x", reference="r")

    assert failure.value.reason == "ValidationError: phone_number Not a UK mobile number"
    assert notify_fake.count() == 0


def test_notify_invalid_email_is_permanent(notify):
    with pytest.raises(PermanentFailure) as failure:
        notify.send_email(to="nobody@invalid.example", subject="s", body="b", reference="r")

    assert failure.value.reason == "ValidationError: email_address Not a valid email address"


def test_notify_wrong_api_key_is_a_configuration_error(notify_fake):
    wrong_secret = fake_notify.API_KEY[:-12] + "000000000000"
    provider = NotifyProvider(
        api_key=wrong_secret, base_url=notify_fake.url, sms_template_id=fake_notify.SMS_TEMPLATE_ID
    )

    with pytest.raises(ProviderMisconfigured) as failure:
        provider.send_sms(to=MOBILE, body="x", reference="r")

    assert (
        failure.value.reason
        == "Notify refused our API key: AuthError: Invalid token: API key not found"
    )


def test_notify_key_of_another_service_is_refused(notify_fake):
    other = "bluelamp_test-00000000-0000-0000-0000-000000000000-" + fake_notify.SECRET
    provider = NotifyProvider(
        api_key=other, base_url=notify_fake.url, sms_template_id=fake_notify.SMS_TEMPLATE_ID
    )

    with pytest.raises(ProviderMisconfigured, match="service not found"):
        provider.send_sms(to=MOBILE, body="x", reference="r")


def test_notify_a_partial_api_key_is_refused_at_configuration():
    with pytest.raises(ImproperlyConfigured, match="whole key"):
        NotifyProvider(api_key=fake_notify.SECRET, sms_template_id=fake_notify.SMS_TEMPLATE_ID)


def test_notify_unknown_template_is_a_configuration_error(notify_fake):
    provider = NotifyProvider(
        api_key=fake_notify.API_KEY,
        base_url=notify_fake.url,
        sms_template_id="11111111-1111-1111-1111-111111111111",
    )

    with pytest.raises(ProviderMisconfigured, match="Template not found"):
        provider.send_sms(to=MOBILE, body="x", reference="r")


def test_notify_unreachable_is_temporary():
    provider = NotifyProvider(
        api_key=fake_notify.API_KEY,
        base_url="http://127.0.0.1:9",  # discard: nothing listens there
        sms_template_id=fake_notify.SMS_TEMPLATE_ID,
    )

    with pytest.raises(TemporaryFailure, match="Notify could not be reached"):
        provider.send_sms(to=MOBILE, body="x", reference="r")


def test_notify_find_sent_by_reference(notify):
    sent = notify.send_sms(to=MOBILE, body="first", reference="inv-7")
    notify.send_sms(to=MOBILE, body="other", reference="inv-8")

    assert notify.find_sent(reference="inv-7", to=MOBILE, body="first") == sent
    assert notify.find_sent(reference="inv-unknown", to=MOBILE, body="first") is None


def test_notify_delivery_receipt_is_parsed(notify, notify_fake):
    sent = notify.send_sms(to=MOBILE, body="x", reference="inv-3")

    receipt = notify_fake.deliver(sent.provider_id, "delivered")

    assert notify.parse_delivery_receipt(as_request(receipt)) == StatusUpdate(
        provider_id=sent.provider_id, reference="inv-3", status="delivered", reason="delivered"
    )


@pytest.mark.parametrize(
    ("notify_status", "status"),
    [
        ("permanent-failure", "failed"),
        ("temporary-failure", "failed"),
        ("technical-failure", "failed"),
        ("sending", "pending"),
        ("sent", "delivered"),
    ],
)
def test_notify_receipt_statuses(notify, notify_fake, notify_status, status):
    sent = notify.send_sms(to=MOBILE, body="x", reference="inv-4")

    update = notify.parse_delivery_receipt(
        as_request(notify_fake.deliver(sent.provider_id, notify_status))
    )

    assert (update.status, update.reason) == (status, notify_status)


def test_notify_receipt_with_a_wrong_token_is_rejected(notify, notify_fake):
    sent = notify.send_sms(to=MOBILE, body="x", reference="inv-5")
    notify_fake.configure(callback_token="somebody-elses-token")
    receipt = notify_fake.deliver(sent.provider_id)

    with pytest.raises(WebhookRejected, match="bearer token"):
        notify.parse_delivery_receipt(as_request(receipt))
    with pytest.raises(WebhookRejected, match="no Notify callback token"):
        notify_hooks.parse_delivery_receipt(as_request(receipt), callback_token="")


def test_notify_auto_delivers_receipts_to_the_callback_url(notify, notify_fake):
    catcher = CallbackCatcher()
    notify_fake.configure(auto_deliver=True, callback_url=f"{catcher.url}/delivery/notify/receipts")
    try:
        sent = [notify.send_sms(to=MOBILE, body="x", reference=f"inv-{n}") for n in range(3)]
        caught = catcher.caught(at_least=3)
    finally:
        catcher.stop()

    updates = [notify.parse_delivery_receipt(as_request(callback)) for callback in caught]
    assert {u.provider_id for u in updates} == {s.provider_id for s in sent}
    assert {u.status for u in updates} == {"delivered"}
    assert caught[0].path == "/delivery/notify/receipts"


def test_notify_received_text_callback_and_api(notify, notify_fake):
    callback = notify_fake.inbound(MOBILE, "2")

    inbound = notify.parse_received_text(as_request(callback))
    assert (inbound.from_number, inbound.body) == (MOBILE, "2")
    assert abs(inbound.received_at - datetime.now(UTC)) < timedelta(minutes=1)
    with pytest.raises(WebhookRejected):
        notify_hooks.parse_received_text(as_request(callback), callback_token="wrong")

    [polled] = notify.received_texts()
    assert polled == inbound  # the same text by the API: id, number, words and time


def test_notify_received_texts_pages_from_newest(notify, notify_fake):
    for n in range(3):
        notify_fake.inbound(MOBILE, f"reply {n}")

    newest_first = notify.received_texts()
    assert [text.body for text in newest_first] == ["reply 2", "reply 1", "reply 0"]
    older = notify.received_texts(older_than=newest_first[0].provider_id)
    assert [text.body for text in older] == ["reply 1", "reply 0"]


# Twilio


def test_twilio_sends_an_sms_with_a_status_callback_carrying_the_reference(twilio, twilio_fake):
    sent = twilio.send_sms(to=MOBILE, body="Herts Police: how did we do?", reference="inv-1")

    [message] = twilio_fake.messages()
    assert message["id"] == sent.provider_id
    assert sent.provider_id.startswith("SM")
    assert (message["to"], message["from"]) == (MOBILE, fake_twilio.FROM_NUMBER)
    assert message["body"] == "Herts Police: how did we do?"
    assert message["status_callback"] == f"{STATUS_URL}?reference=inv-1"


def test_twilio_sends_through_a_messaging_service(twilio_fake):
    provider = TwilioProvider(
        account_sid=fake_twilio.ACCOUNT_SID,
        auth_token=fake_twilio.AUTH_TOKEN,
        messaging_service_sid="MG" + "0" * 32,
        base_url=twilio_fake.url,
    )

    provider.send_sms(to=MOBILE, body="x", reference="r")

    [message] = twilio_fake.messages()
    assert (message["messaging_service_sid"], message["status"]) == ("MG" + "0" * 32, "accepted")


def test_twilio_throttling_is_temporary_with_retry_after(twilio, twilio_fake):
    twilio_fake.configure(errors=[429], retry_after=3)

    with pytest.raises(TemporaryFailure) as failure:
        twilio.send_sms(to=MOBILE, body="x", reference="r")

    assert failure.value.retry_after == 3
    assert failure.value.reason.startswith("20429: ")


def test_twilio_server_error_is_temporary(twilio, twilio_fake):
    twilio_fake.configure(errors=[500])

    with pytest.raises(TemporaryFailure) as failure:
        twilio.send_sms(to=MOBILE, body="x", reference="r")

    assert not isinstance(failure.value, ProviderMisconfigured)
    assert twilio_fake.count() == 0


def test_twilio_invalid_number_is_permanent_in_twilios_words(twilio):
    with pytest.raises(PermanentFailure) as failure:
        twilio.send_sms(to=INVALID_MOBILE, body="x", reference="r")

    assert failure.value.reason.startswith("21211: ")
    assert f"Invalid 'To' Phone Number: {INVALID_MOBILE}" in failure.value.reason


def test_twilio_unsubscribed_recipient_is_permanent(twilio):
    with pytest.raises(PermanentFailure, match=r"21610: .*unsubscribed recipient"):
        twilio.send_sms(to="+447700900666", body="x", reference="r")


def test_twilio_wrong_auth_token_is_a_configuration_error(twilio_fake):
    provider = TwilioProvider(
        account_sid=fake_twilio.ACCOUNT_SID,
        auth_token="not-the-token",
        from_number=fake_twilio.FROM_NUMBER,
        base_url=twilio_fake.url,
    )

    with pytest.raises(ProviderMisconfigured, match=r"20003: .*Authenticate"):
        provider.send_sms(to=MOBILE, body="x", reference="r")


def test_twilio_unreachable_is_temporary():
    provider = TwilioProvider(
        account_sid=fake_twilio.ACCOUNT_SID,
        auth_token=fake_twilio.AUTH_TOKEN,
        from_number=fake_twilio.FROM_NUMBER,
        base_url="http://127.0.0.1:9",
    )

    with pytest.raises(TemporaryFailure, match="Twilio could not be reached"):
        provider.send_sms(to=MOBILE, body="x", reference="r")


def test_twilio_find_sent_by_recipient_and_body(twilio):
    sent = twilio.send_sms(to=MOBILE, body="link /s/aaa", reference="inv-1")
    twilio.send_sms(to=MOBILE, body="link /s/bbb", reference="inv-2")
    twilio.send_sms(to="+447700900124", body="link /s/ccc", reference="inv-3")

    assert twilio.find_sent(reference="inv-1", to=MOBILE, body="link /s/aaa") == sent
    assert twilio.find_sent(reference="inv-3", to=MOBILE, body="link /s/ccc") is None
    assert twilio.find_sent(reference="inv-9", to=MOBILE, body="never sent") is None


def test_twilio_status_callback_is_verified_and_parsed(twilio, twilio_fake):
    sent = twilio.send_sms(to=MOBILE, body="x", reference="inv-6")

    callback = twilio_fake.deliver(sent.provider_id, "delivered")

    assert twilio.parse_status_callback(as_request(callback), url=STATUS_URL) == StatusUpdate(
        provider_id=sent.provider_id, reference="inv-6", status="delivered", reason="delivered"
    )


def test_twilio_undelivered_carries_the_error_code(twilio, twilio_fake):
    sent = twilio.send_sms(to=MOBILE, body="x", reference="inv-6")

    callback = twilio_fake.deliver(sent.provider_id, "undelivered", error_code="30005")

    update = twilio.parse_status_callback(as_request(callback), url=STATUS_URL)
    assert (update.status, update.reason) == ("failed", "undelivered 30005")


def test_twilio_status_callback_with_a_wrong_signature_is_rejected(twilio, twilio_fake):
    sent = twilio.send_sms(to=MOBILE, body="x", reference="inv-6")
    callback = twilio_fake.deliver(sent.provider_id, "delivered")

    with pytest.raises(WebhookRejected, match="signature"):
        twilio_hooks.parse_status_callback(
            as_request(callback), auth_token="f" * 32, url=STATUS_URL
        )

    tampered = Callback(callback.url.replace("inv-6", "inv-7"), callback.body, callback.headers)
    with pytest.raises(WebhookRejected, match="signature"):
        twilio.parse_status_callback(as_request(tampered), url=STATUS_URL)

    unsigned = Callback(callback.url, callback.body, {"Content-Type": callback.content_type})
    with pytest.raises(WebhookRejected):
        twilio.parse_status_callback(as_request(unsigned), url=STATUS_URL)


def test_twilio_status_callbacks_are_posted_to_the_url_given_per_message(twilio_fake):
    catcher = CallbackCatcher()
    public_url = f"{catcher.url}/delivery/twilio/status"
    provider = TwilioProvider(
        account_sid=fake_twilio.ACCOUNT_SID,
        auth_token=fake_twilio.AUTH_TOKEN,
        from_number=fake_twilio.FROM_NUMBER,
        base_url=twilio_fake.url,
        status_callback_url=public_url,
    )
    twilio_fake.configure(auto_deliver=True)
    try:
        sent = provider.send_sms(to=MOBILE, body="x", reference="inv-8")
        [callback] = catcher.caught(at_least=1)
    finally:
        catcher.stop()

    update = provider.parse_status_callback(as_request(callback), url=public_url)
    assert (update.provider_id, update.reference, update.status) == (
        sent.provider_id,
        "inv-8",
        "delivered",
    )


def test_twilio_inbound_message_is_verified_and_parsed(twilio, twilio_fake):
    twilio_fake.configure(inbound_url=INBOUND_URL)
    callback = twilio_fake.inbound(MOBILE, "STOP", post=False)  # signed for our public URL

    inbound = twilio.parse_inbound(as_request(callback), url=INBOUND_URL)

    assert (inbound.from_number, inbound.body) == (MOBILE, "STOP")
    assert inbound.provider_id.startswith("SM")
    assert abs(inbound.received_at - datetime.now(UTC)) < timedelta(minutes=1)
    with pytest.raises(WebhookRejected):
        twilio.parse_inbound(as_request(callback), url=INBOUND_URL + "/other")


# SMTP


def test_smtp_sends_with_a_message_id_from_the_reference(smtp, smtp_fake):
    sent = smtp.send_email(
        to="victim@example.org",
        subject="How did we do?",
        body="Hello,\n\nThe link.",
        reference="inv-1",
    )

    assert sent == Sent(provider_id="<inv-1@bluelamp>")
    [message] = smtp_fake.messages()
    assert message["id"] == "<inv-1@bluelamp>"
    assert message["to"] == ["victim@example.org"]
    assert message["mail_from"] == "feedback@herts.police.example"
    assert message["subject"] == "How did we do?"
    assert message["body"].strip() == "Hello,\n\nThe link."
    assert smtp.find_sent(reference="inv-1", to="victim@example.org", body="") is None


def test_smtp_welsh_text_arrives_intact(smtp, smtp_fake):
    smtp.send_email(
        to="a@example.org",
        subject="Sut wnaethon ni?",
        body="Fe wnaethoch gysylltu â ni",
        reference="r",
    )

    [message] = smtp_fake.messages()
    assert message["subject"] == "Sut wnaethon ni?"
    assert message["body"].strip() == "Fe wnaethoch gysylltu â ni"


def test_smtp_4xx_is_temporary_and_5xx_permanent(smtp, smtp_fake):
    smtp_fake.configure(errors=[451, 554])

    with pytest.raises(TemporaryFailure, match=r"451 4.3.0"):
        smtp.send_email(to="a@example.org", subject="s", body="b", reference="r1")
    with pytest.raises(PermanentFailure, match=r"554 5.7.1"):
        smtp.send_email(to="a@example.org", subject="s", body="b", reference="r2")
    assert smtp_fake.count() == 0


def test_smtp_unknown_recipient_is_permanent(smtp):
    with pytest.raises(PermanentFailure, match=r"550 5.1.1"):
        smtp.send_email(to="nobody@invalid.example", subject="s", body="b", reference="r")


def test_smtp_unreachable_is_temporary():
    provider = SmtpProvider(host="127.0.0.1", port=9, use_tls=False, from_email="f@example.org")

    with pytest.raises(TemporaryFailure):
        provider.send_email(to="a@example.org", subject="s", body="b", reference="r")


def test_smtp_login():
    smtp_fake = SmtpFake(username="bluelamp", password="right").start()

    def provider(password: str) -> SmtpProvider:
        return SmtpProvider(
            host=smtp_fake.host,
            port=smtp_fake.port,
            username="bluelamp",
            password=password,
            use_tls=False,
            from_email="f@example.org",
        )

    try:
        with pytest.raises(ProviderMisconfigured, match="530"):
            SmtpProvider(
                host=smtp_fake.host, port=smtp_fake.port, use_tls=False, from_email="f@example.org"
            ).send_email(to="a@example.org", subject="s", body="b", reference="r")
        with pytest.raises(ProviderMisconfigured, match="535"):
            provider("wrong").send_email(to="a@example.org", subject="s", body="b", reference="r")
        provider("right").send_email(to="a@example.org", subject="s", body="b", reference="r")
        assert smtp_fake.count() == 1
    finally:
        smtp_fake.stop()


# Configuration and the common interface


def test_provider_from_config_names_what_is_missing():
    with pytest.raises(ImproperlyConfigured, match="'api_key'"):
        provider_from_config("notify", {"sms_template_id": "t"})
    with pytest.raises(ImproperlyConfigured, match="'sms_template_id' or 'email_template_id'"):
        provider_from_config("notify", {"api_key": fake_notify.API_KEY})
    with pytest.raises(ImproperlyConfigured, match="'auth_token'"):
        provider_from_config("twilio", {"account_sid": "AC1", "from_number": "+1"})
    with pytest.raises(ImproperlyConfigured, match="'from_number' or 'messaging_service_sid'"):
        provider_from_config("twilio", {"account_sid": "AC1", "auth_token": "t"})
    with pytest.raises(ImproperlyConfigured, match="'from_email'"):
        provider_from_config("smtp", {"host": "localhost"})
    with pytest.raises(ImproperlyConfigured, match="Unknown message channel 'pigeon'"):
        provider_from_config("pigeon", {})
    assert isinstance(provider_from_config("console", {}), ConsoleProvider)


def test_a_channel_refuses_what_it_cannot_send(twilio, smtp):
    assert twilio.channels == frozenset({"sms"})
    with pytest.raises(PermanentFailure, match="cannot send email"):
        twilio.send_email(to="a@example.org", subject="s", body="b", reference="r")
    with pytest.raises(PermanentFailure, match="cannot send sms"):
        smtp.send_sms(to=MOBILE, body="b", reference="r")


def test_secret_from_the_environment_or_a_file(monkeypatch, tmp_path):
    monkeypatch.delenv("BLUELAMP_TEST_KEY", raising=False)
    monkeypatch.delenv("BLUELAMP_TEST_KEY_FILE", raising=False)
    with pytest.raises(ImproperlyConfigured, match=r"BLUELAMP_TEST_KEY.*BLUELAMP_TEST_KEY_FILE"):
        secret("BLUELAMP_TEST_KEY")

    monkeypatch.setenv("BLUELAMP_TEST_KEY", "from-env")
    assert secret("BLUELAMP_TEST_KEY") == "from-env"

    path = tmp_path / "key"
    path.write_text("from-file\n")
    monkeypatch.setenv("BLUELAMP_TEST_KEY_FILE", str(path))
    assert secret("BLUELAMP_TEST_KEY") == "from-file"

    monkeypatch.setenv("BLUELAMP_TEST_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="BLUELAMP_TEST_KEY_FILE names"):
        secret("BLUELAMP_TEST_KEY")


def test_retry_after_in_seconds_or_as_a_date():
    assert retry_after_seconds("30") == 30
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    later = (datetime.now(UTC) + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 80 < (retry_after_seconds(later) or 0) <= 90


# The fakes themselves: counting under faults and threads, and the process form


def test_every_accepted_message_is_recorded_once_under_faults_and_threads(notify, notify_fake):
    notify_fake.configure(fail_429=0.2, fail_500=0.1)
    accepted: list[Sent] = []
    failures: list[TemporaryFailure] = []
    lock = threading.Lock()

    def send(worker: int) -> None:
        for n in range(40):
            try:
                sent = notify.send_sms(to=MOBILE, body="x", reference=f"w{worker}-{n}")
            except TemporaryFailure as failure:
                with lock:
                    failures.append(failure)
            else:
                with lock:
                    accepted.append(sent)

    threads = [threading.Thread(target=send, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures and accepted
    assert len(accepted) + len(failures) == 160
    assert {m["id"] for m in notify_fake.messages()} == {s.provider_id for s in accepted}
    assert summary(notify_fake.messages())["duplicates"] == 0


def test_a_fake_runs_as_a_process_and_its_count_outlives_it(tmp_path):
    state = tmp_path / "notify.jsonl"
    process = subprocess.Popen(  # noqa: S603 (our own fake, by module name)
        [sys.executable, "-m", "tests.fakes.notify", "--port", "0", "--state-file", str(state)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = f"http://127.0.0.1:{int(process.stdout.readline())}"
        provider = NotifyProvider(
            api_key=fake_notify.API_KEY, base_url=url, sms_template_id=fake_notify.SMS_TEMPLATE_ID
        )
        for n in range(3):
            provider.send_sms(to=MOBILE, body="x", reference=f"inv-{n}")
        requests.post(f"{url}/_fake/config", json={"errors": [500]}, timeout=5)
        with pytest.raises(TemporaryFailure):
            provider.send_sms(to=MOBILE, body="x", reference="inv-3")
        count = requests.get(f"{url}/_fake/count", timeout=5).json()
        assert (count["count"], count["duplicates"], count["requests"]) == (3, 0, 4)
    finally:
        process.kill()  # as the benchmark does
        process.wait(timeout=5)

    assert [record["reference"] for record in read_state_file(state)] == [
        "inv-0",
        "inv-1",
        "inv-2",
    ]


def test_latency_knob_slows_each_request(notify, notify_fake):
    notify_fake.configure(latency=0.05)
    started = time.perf_counter()
    notify.send_sms(to=MOBILE, body="x", reference="r")
    assert time.perf_counter() - started >= 0.05
