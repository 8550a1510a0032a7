from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bluelamp.audit.services import audit_record
from bluelamp.delivery.access import outbox_for_user
from bluelamp.delivery.dispatch import provider_for_kind, status_update
from bluelamp.delivery.inbound import inbound_handle
from bluelamp.delivery.providers.base import Provider, StatusUpdate, WebhookRejected
from bluelamp.delivery.providers.notify import NotifyProvider
from bluelamp.delivery.providers.twilio import TwilioProvider
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


type _Callback[P] = Callable[[HttpRequest, P], HttpResponse]
type _View = Callable[[HttpRequest], HttpResponse]


def _callback[P: Provider](
    provider_type: type[P], *, refused: Callable[[str], int]
) -> Callable[[_Callback[P]], _View]:
    """A provider's callback view: POST only, no CSRF token; 404 while the provider is not
    configured; the view gets the configured provider, and when it raises WebhookRejected (its
    token or signature is wrong, or the body is not the provider's) the answer is the reason
    with the status ``refused(reason)``."""
    kind = provider_type.name

    def decorator(view: _Callback[P]) -> _View:
        @csrf_exempt
        @require_POST
        @wraps(view)
        def callback(request: HttpRequest) -> HttpResponse:
            provider = _configured(kind)
            if not isinstance(provider, provider_type):
                return HttpResponse(f"{kind.capitalize()} is not configured", status=404)
            try:
                return view(request, provider)
            except WebhookRejected as e:
                return HttpResponse(e.reason, status=refused(e.reason))

        return callback

    return decorator


def _status_update(provider: Provider, update: StatusUpdate) -> bool:
    return status_update(
        provider=provider.name, provider_id=update.provider_id, status=update.status,
        reason=update.reason,
    )  # fmt: skip


# Notify: a missing or wrong token is refused; a body that is not Notify's is a bad request.
_notify_callback = _callback(
    NotifyProvider, refused=lambda reason: 403 if "token" in reason else 400
)
_twilio_callback = _callback(TwilioProvider, refused=lambda reason: 403)


@_notify_callback
def notify_receipt(request: HttpRequest, notify: NotifyProvider) -> HttpResponse:
    """GOV.UK Notify's delivery receipt: the message is delivered, or failed and why."""
    found = _status_update(notify, notify.parse_delivery_receipt(request))
    return HttpResponse(status=204 if found else 202)


@_notify_callback
def notify_inbound(request: HttpRequest, notify: NotifyProvider) -> HttpResponse:
    """GOV.UK Notify's received-text callback: a reply to one of our texts."""
    inbound_handle(provider=notify.name, inbound=notify.parse_received_text(request))
    return HttpResponse(status=204)


@_twilio_callback
def twilio_status(request: HttpRequest, twilio: TwilioProvider) -> HttpResponse:
    """Twilio's status callback for a message we sent."""
    _status_update(twilio, twilio.parse_status_callback(request, url=_hook_url(request)))
    return HttpResponse(status=204)


@_twilio_callback
def twilio_inbound(request: HttpRequest, twilio: TwilioProvider) -> HttpResponse:
    """Twilio's incoming-message webhook: a reply to one of our texts. Answers with empty
    TwiML: any reply of ours (an opt-out confirmation) is sent as a message of its own."""
    inbound = twilio.parse_inbound(request, url=_hook_url(request))
    inbound_handle(provider=twilio.name, inbound=inbound)
    return HttpResponse("<Response/>", content_type="text/xml")
