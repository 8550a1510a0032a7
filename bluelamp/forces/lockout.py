"""Lockout after repeated failed password sign-ins, per user and per address.

django-axes counts every failure by username and address and locks one username from one
address after ``LOGIN_FAILURE_LIMIT`` failures (its own rule, ``AXES_LOCKOUT_PARAMETERS``).
This handler adds the second rule: one address is locked, for every username, after
``LOGIN_ADDRESS_FAILURE_LIMIT`` failures across usernames, so an address cannot try a password
against any number of users. Both last ``LOGIN_LOCKOUT_MINUTES`` from the last failure.
"""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def address_failures(request: HttpRequest) -> int:
    """Failed password sign-ins from the request's address within the lockout time, across
    every username."""
    attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)  # type: ignore[attr-defined]
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    total = attempts.aggregate(n=Sum("failures_since_start"))["n"]
    return int(total or 0)


def address_is_locked(request: HttpRequest) -> bool:
    return address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class UserAndAddressLockout(AxesDatabaseHandler):  # type: ignore[misc]
    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        return bool(super().is_locked(request, credentials)) or address_is_locked(request)

    def user_login_failed(
        self,
        sender: Any,
        credentials: dict[str, Any],
        request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return  # axes has no request to count, or locked this request out itself
        if self.is_whitelisted(request, credentials) or not address_is_locked(request):
            return
        # The failure that reaches the address's limit is answered with the lockout page.
        request.axes_locked_out = True  # type: ignore[attr-defined]
        request.axes_credentials = credentials  # type: ignore[attr-defined]
        user_locked_out.send(
            "axes",
            request=request,
            username=None,
            ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        )
