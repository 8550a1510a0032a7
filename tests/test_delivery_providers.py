"""End to end through the real client libraries, against local fakes of Notify and Twilio.

A scheduled invitation is sent by the worker's job, the provider's delivery receipt (as the
fake posts it) marks it delivered, and a text reply of 2 becomes the whole-experience answer
and opens a recovery case. STOP opts the person out of everything, confirmed once.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from bluelamp.delivery import dispatch
from bluelamp.delivery.models import InboundMessage, Message
from bluelamp.recovery.models import RecoveryCase
from bluelamp.surveys.models import Invitation, Response, SurveyTemplate
from bluelamp.surveys.selectors import template_cache_clear
from tests.fakes import Callback
from tests.fakes import notify as fake_notify
from tests.fakes import twilio as fake_twilio
from tests.fakes.notify import NotifyFake
from tests.fakes.twilio import TwilioFake
from tests.helpers import make_contact, send_scheduled

MOBILE = "+447700900123"


def post(callback: Callback) -> Any:
    """Post a provider's callback, exactly as the fake built it, to our webhook."""
    headers = {k: v for k, v in callback.headers.items() if k.lower() != "content-type"}
    return Client().generic(
        "POST", callback.path, data=callback.body, content_type=callback.content_type,
        headers=headers,
    )  # fmt: skip


@pytest.fixture
def notify_fake(settings) -> Iterator[NotifyFake]:
    with NotifyFake(
        callback_url=f"{settings.SITE_URL}/hooks/notify/receipt",
        inbound_url=f"{settings.SITE_URL}/hooks/notify/inbound",
    ) as fake:
        settings.DELIVERY_PROVIDERS = {
            "notify": {
                "api_key": fake_notify.API_KEY,
                "base_url": fake.url,
                "sms_template_id": fake_notify.SMS_TEMPLATE_ID,
                "email_template_id": fake_notify.EMAIL_TEMPLATE_ID,
                "callback_token": fake_notify.CALLBACK_TOKEN,
            }
        }
        dispatch.provider_cache_clear()
        yield fake


@pytest.fixture
def twilio_fake(settings) -> Iterator[TwilioFake]:
    status_url = f"{settings.SITE_URL}/hooks/twilio/status"
    with TwilioFake(
        callback_url=status_url, inbound_url=f"{settings.SITE_URL}/hooks/twilio/inbound"
    ) as fake:
        settings.DELIVERY_PROVIDERS = {
            "twilio": {
                "account_sid": fake_twilio.ACCOUNT_SID,
                "auth_token": fake_twilio.AUTH_TOKEN,
                "from_number": fake_twilio.FROM_NUMBER,
                "base_url": fake.url,
                "status_callback_url": status_url,
            }
        }
        dispatch.provider_cache_clear()
        yield fake


def ask_by_text(force) -> None:
    """The force's burglary survey asks its whole-experience question in the text itself."""
    shipped = SurveyTemplate.objects.filter(force=None, key="burglary").order_by("-version")[0]
    SurveyTemplate.objects.create(
        force=force, key="burglary", stage="first_contact", version=1,
        definition={**shipped.definition, "sms_question": True},
    )  # fmt: skip
    template_cache_clear()


@pytest.mark.parametrize("kind", ["notify", "twilio"])
def test_sent_delivered_and_a_reply_of_2_opens_a_recovery_case(kind, force, request):
    fake = request.getfixturevalue(f"{kind}_fake")
    force.sms_provider = kind
    force.save()
    ask_by_text(force)
    invitation = make_contact(force, f"{kind.upper()}-1", person={"phone": "07700 900123"})
    assert send_scheduled() == 1

    [record] = fake.store.all()
    message = Message.objects.get(invitation=invitation)
    assert record["to"] in (MOBILE, "07700900123", "447700900123")
    assert f"/s/{invitation.token}" in record["body"]
    assert "Reply 1" in record["body"]
    assert message.status == "sent" and message.provider_id == record["id"]

    assert post(fake.deliver(record["id"], "delivered", post=False)).status_code in (200, 204)
    message.refresh_from_db()
    assert message.status == "delivered" and message.delivered_at is not None

    assert post(fake.inbound(MOBILE, "2", post=False)).status_code in (200, 204)
    response = Response.objects.get(invitation=invitation)
    assert response.whole_experience == 2 and response.outcome == "dissatisfied"
    case = RecoveryCase.objects.get(response=response)
    assert case.contact_id == invitation.contact_id
    assert InboundMessage.objects.get().action == "answer"
    assert MOBILE not in InboundMessage.objects.get().from_key  # a fingerprint, not the number


def test_a_webhook_with_the_wrong_token_or_signature_is_refused(force, notify_fake, settings):
    callback = notify_fake.inbound(MOBILE, "STOP", post=False)
    forged = Callback(callback.url, callback.body, {**callback.headers,
                                                    "Authorization": "Bearer wrong"})  # fmt: skip
    assert post(forged).status_code == 403
    assert not InboundMessage.objects.exists()


def test_twilio_webhook_with_a_bad_signature_is_refused(force, twilio_fake):
    callback = twilio_fake.inbound(MOBILE, "STOP", post=False)
    forged = Callback(callback.url, callback.body, {**callback.headers,
                                                    "X-Twilio-Signature": "Zm9yZ2Vk"})  # fmt: skip
    assert post(forged).status_code == 403


@pytest.mark.parametrize("word", ["STOP", "stop please", "Stopio", "UNSUBSCRIBE", "dim mwy"])
def test_stop_by_text_suppresses_every_later_contact_and_is_confirmed_once(
    word, force, notify_fake
):
    force.sms_provider = "notify"
    force.save()
    first = make_contact(force, "STOP-1", person={"phone": "07700 900123"})
    pending = make_contact(force, "STOP-2", person={"phone": "07700 900123"},
                           received_at="2026-11-27T15:00:00Z")  # fmt: skip
    send_scheduled()
    assert post(notify_fake.inbound(MOBILE, word, post=False)).status_code == 204
    assert post(notify_fake.inbound(MOBILE, "STOP", post=False)).status_code == 204
    assert InboundMessage.objects.filter(action="opt_out").count() == 2
    first.refresh_from_db()
    assert (first.status, first.reason) == ("excluded", "opted_out")
    send_scheduled()
    confirmations = Message.objects.filter(purpose="opt_out")
    assert confirmations.count() == 1  # once, however many times they say it
    from bluelamp.delivery.queue import run_due

    run_due(now=confirmations[0].created_at)
    bodies = [r["body"] for r in notify_fake.store.all()]
    assert sum("no more surveys" in b for b in bodies) == 1
    assert Invitation.objects.get(pk=pending.pk).status in ("excluded",)
    # A new contact pushed afterwards, for the same number: excluded, and says why.
    later = make_contact(force, "STOP-3", person={"phone": "07700 900123"})
    assert (later.status, later.reason, later.rule) == ("excluded", "opted_out", "opt_out")


def test_a_number_is_words_when_the_text_did_not_ask_for_one(force, notify_fake):
    force.sms_provider = "notify"
    force.save()
    invitation = make_contact(force, "WORDS-1", person={"phone": "07700 900123"})
    send_scheduled()
    post(notify_fake.inbound(MOBILE, "2 officers came, thank you", post=False))
    assert not Response.objects.filter(invitation=invitation).exists()
    kept = InboundMessage.objects.get()
    assert (kept.action, kept.invitation_id) == ("comment", invitation.pk)


def test_an_invalid_number_fails_for_good_in_the_providers_words(force, notify_fake):
    force.sms_provider = "notify"
    force.save()
    invitation = make_contact(force, "BAD-1", person={"phone": "07700 900000"})
    send_scheduled()
    message = Message.objects.get(invitation=invitation)
    assert message.status == "failed"
    assert "Not a UK mobile number" in message.reason
    invitation.refresh_from_db()
    assert invitation.status == "failed" and "Not a UK mobile number" in invitation.reason_text
    assert notify_fake.store.all() == []


def test_throttling_is_retried_later_and_sent_once(force, notify_fake):
    force.sms_provider = "notify"
    force.save()
    notify_fake.configure(errors=[429, 500])
    invitation = make_contact(force, "SLOW-1", person={"phone": "07700 900123"})
    send_scheduled()
    message = Message.objects.get(invitation=invitation)
    assert message.status == "sending" and message.reason.startswith("RateLimitError")
    from bluelamp.delivery.models import Job
    from bluelamp.delivery.queue import run_due

    for _ in range(3):
        job = Job.objects.filter(status="READY", task_path__endswith="deliver_message").first()
        if job is None:
            break
        run_due(now=job.run_after)
    message.refresh_from_db()
    # The 429 met the first send; the 500 met the look-up before the second (was the first
    # accepted after all?), which is not a send, so two attempts.
    assert message.status == "sent" and message.attempts == 2
    assert len(notify_fake.store.all()) == 1


def test_email_through_notify(force, notify_fake):
    force.email_provider = "notify"
    force.save()
    make_contact(force, "MAIL-1", person={"phone": "", "email": "someone@example.com"})
    send_scheduled()
    [record] = notify_fake.store.all()
    assert record["type"] == "email" and "How did we do?" in record["subject"]
    assert settings.SITE_URL in record["body"]
