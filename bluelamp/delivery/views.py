from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bluelamp.audit.services import audit_record
from bluelamp.delivery.dispatch import provider_for_kind, status_update
from bluelamp.delivery.inbound import inbound_handle
from bluelamp.delivery.providers.base import Provider, WebhookRejected
from bluelamp.delivery.providers.notify import NotifyProvider
from bluelamp.delivery.providers.twilio import TwilioProvider
from bluelamp.forces.access import outbox_for_user
from bluelamp.forces.models import User


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    """The console channel's outbox: what would have been sent, to whom. Administrators only."""
    user = request.user
    assert isinstance(user, User)
    messages = list(outbox_for_user(user)[:100])
    if messages:
        with transaction.atomic():
            assert user.force is not None
            audit_record(
                force=user.force,
                action="view",
                obj=messages[0],
                user=user,
                summary=f"outbox: {len(messages)} latest messages",
            )
    return render(request, "delivery/outbox.html", {"messages_out": messages})


# Providers' callbacks: no login and no CSRF token (they are machines), so each is
# authenticated as the provider documents: Notify's bearer token, Twilio's signature.


def _configured(kind: str) -> Provider | None:
    try:
        return provider_for_kind(kind)
    except ImproperlyConfigured:
        return None


def _hook_url(request: HttpRequest) -> str:
    """The public address the provider posted to (as configured with it), without the query."""
    return f"{settings.SITE_URL}{request.path}"


@csrf_exempt
@require_POST
def notify_receipt(request: HttpRequest) -> HttpResponse:
    """GOV.UK Notify's delivery receipt: the message is delivered, or failed and why."""
    provider = _configured("notify")
    if not isinstance(provider, NotifyProvider):
        return HttpResponse("Notify is not configured", status=404)
    try:
        update = provider.parse_delivery_receipt(request)
    except WebhookRejected as e:
        return HttpResponse(e.reason, status=403 if "token" in e.reason else 400)
    found = status_update(
        provider="notify", provider_id=update.provider_id, status=update.status,
        reason=update.reason,
    )  # fmt: skip
    return HttpResponse(status=204 if found else 202)


@csrf_exempt
@require_POST
def notify_inbound(request: HttpRequest) -> HttpResponse:
    """GOV.UK Notify's received-text callback: a reply to one of our texts."""
    provider = _configured("notify")
    if not isinstance(provider, NotifyProvider):
        return HttpResponse("Notify is not configured", status=404)
    try:
        inbound = provider.parse_received_text(request)
    except WebhookRejected as e:
        return HttpResponse(e.reason, status=403 if "token" in e.reason else 400)
    inbound_handle(provider="notify", inbound=inbound)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    """Twilio's status callback for a message we sent."""
    provider = _configured("twilio")
    if not isinstance(provider, TwilioProvider):
        return HttpResponse("Twilio is not configured", status=404)
    try:
        update = provider.parse_status_callback(request, url=_hook_url(request))
    except WebhookRejected as e:
        return HttpResponse(e.reason, status=403)
    status_update(
        provider="twilio", provider_id=update.provider_id, status=update.status,
        reason=update.reason,
    )  # fmt: skip
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    """Twilio's incoming-message webhook: a reply to one of our texts. Answers with empty
    TwiML: any reply of ours (an opt-out confirmation) is sent as a message of its own."""
    provider = _configured("twilio")
    if not isinstance(provider, TwilioProvider):
        return HttpResponse("Twilio is not configured", status=404)
    try:
        inbound = provider.parse_inbound(request, url=_hook_url(request))
    except WebhookRejected as e:
        return HttpResponse(e.reason, status=403)
    inbound_handle(provider="twilio", inbound=inbound)
    return HttpResponse("<Response/>", content_type="text/xml")
