"""Sign-in through the force's identity provider (OpenID Connect).

mozilla-django-oidc runs the authorization-code flow (state, nonce, the token request, the
signature against the provider's keys); this module checks the rest of the ID token and decides
who the person is in Bluelamp. Role, force and teams come only from the groups claim through the
mappings an administrator edits (``IdentityMapping``): a person no mapping names is refused,
never given a default role. A person is known by the provider's issuer and subject, so an account
in the provider can never take over a local (demonstration or break-glass) account by its name.
"""

import logging
from collections.abc import Mapping
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from bluelamp.audit.services import audit_record
from bluelamp.forces.models import Force, IdentityMapping, Role, Team, User

log = logging.getLogger("bluelamp.sign_in")

# Clocks drift: an ID token a minute "from the future" or just expired is still accepted.
CLOCK_SKEW_SECONDS = 60

# Why a sign-in was refused, in the words the refusal page shows.
REASONS = {
    "token": "The answer from your force's identity provider could not be verified.",
    "state": "This sign-in was already used, has expired, or was started in another browser.",
    "provider": "Your force's identity provider did not complete the sign-in.",
    "unmapped": "Your account in your force's identity provider has no role in Bluelamp.",
    "ambiguous": "Your groups in your force's identity provider give you more than one role "
    "or force in Bluelamp.",
    "unknown": "There is no Bluelamp account for you.",
    "name_taken": "Another Bluelamp account already has your user name.",
    "inactive": "Your Bluelamp account has been switched off.",
}


class SignInRefused(Exception):
    """A sign-in through the identity provider that must not log anybody in."""

    def __init__(self, reason: str, *, force: Force | None = None, user: User | None = None):
        super().__init__(reason)
        self.reason = reason
        self.force = force
        self.user = user


def is_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def _groups(claims: Mapping[str, Any]) -> list[str]:
    value = claims.get(settings.OIDC_GROUPS_CLAIM, [])
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def _text(claims: Mapping[str, Any], name: str, length: int) -> str:
    value = claims.get(name, "")
    return value[:length] if isinstance(value, str) else ""


def _username(claims: Mapping[str, Any]) -> str:
    return (_text(claims, settings.OIDC_USERNAME_CLAIM, 150) or str(claims["sub"]))[:150]


def _issuer_force(issuer: str) -> Force | None:
    """The force whose mappings name this issuer, if exactly one does."""
    forces = list(Force.objects.filter(identity_mappings__issuer=issuer).distinct()[:2])
    return forces[0] if len(forces) == 1 else None


@transaction.atomic
def user_sign_in(*, claims: Mapping[str, Any], create: bool) -> User:
    """The user a verified set of claims signs in as, created or brought up to date: force,
    role and teams from the mappings of the person's groups, on every sign-in (so a person
    taken out of a group loses the role at their next sign-in). Refuses a person whose groups
    map to nothing, or to more than one role or force."""
    issuer = str(claims["iss"])
    subject = str(claims["sub"])
    user = User.objects.filter(idp_issuer=issuer, idp_subject=subject).first()
    known_force = user.force if user is not None else _issuer_force(issuer)
    if user is not None and not user.is_active:
        raise SignInRefused("inactive", force=known_force, user=user)
    mappings = list(
        IdentityMapping.objects.filter(group__in=_groups(claims))
        .filter(Q(issuer="") | Q(issuer=issuer))
        .select_related("force")
        .prefetch_related("teams")
    )
    if not mappings:
        raise SignInRefused("unmapped", force=known_force, user=user)
    forces = {m.force for m in mappings}
    roles = {m.role for m in mappings}
    if len(forces) > 1:
        raise SignInRefused("ambiguous", force=known_force, user=user)
    force = forces.pop()
    if len(roles) > 1:
        raise SignInRefused("ambiguous", force=force, user=user)
    role = roles.pop()
    created = user is None
    if user is None:
        if not create:
            raise SignInRefused("unknown", force=force)
        username = _username(claims)
        if User.objects.filter(username__iexact=username).exists():
            raise SignInRefused("name_taken", force=force)
        user = User(username=username, idp_issuer=issuer, idp_subject=subject)
        user.set_unusable_password()
    user.force = force
    user.role = role
    # The admin is where an administrator works; a superuser keeps it whatever the groups say.
    user.is_staff = role == Role.ADMINISTRATOR or user.is_superuser
    user.first_name = _text(claims, "given_name", 150)
    user.last_name = _text(claims, "family_name", 150)
    user.email = _text(claims, "email", 254)
    user.save()
    teams = Team.objects.filter(force=force, pk__in=[t.pk for m in mappings for t in m.teams.all()])
    user.teams.set(teams)
    audit_record(
        force=force,
        action="create" if created else "update",
        obj=user,
        user=user,
        summary=f"signed in through the identity provider: {user.get_role_display()}, "
        f"{len(teams)} team(s) from the groups claim",
    )
    return user


def sign_in_refusal_record(*, refusal: SignInRefused) -> None:
    """Record a refused sign-in by its reason and, where known, the user's id: never the
    person's names, addresses or groups. Only a refusal whose force is known can be audited
    (the audit trail is kept per force); every refusal is logged."""
    user_id = refusal.user.pk if refusal.user is not None else None
    log.warning("sign-in refused: %s (user %s)", refusal.reason, user_id or "unknown")
    if refusal.force is None:
        return
    audit_record(
        force=refusal.force,
        action="refused",
        obj=refusal.user if refusal.user is not None else refusal.force,
        user=refusal.user,
        actor="" if refusal.user is not None else "identity provider",
        summary=f"sign-in refused: {refusal.reason}",
    )


class ForceOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's backend, with the ID token checked in full (audience, issuer,
    expiry) and the user from ``user_sign_in``."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or "username" in kwargs or "password" in kwargs:
            return None  # a password sign-in: the model backend's
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except SignInRefused:
            raise
        except requests.RequestException as exc:
            log.warning("sign-in refused: provider (%s)", type(exc).__name__)
            raise SignInRefused("provider") from exc
        except (SuspiciousOperation, jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
            # A bad signature or nonce, a missing key, a malformed answer.
            log.warning("sign-in refused: token (%s)", type(exc).__name__)
            raise SignInRefused("token") from exc
        return user

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER or None,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            log.warning("sign-in refused: token (%s)", type(exc).__name__)
            raise SignInRefused("token") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SignInRefused("token")  # OpenID Connect Core 3.1.3.7, step 4 and 5
        return claims

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The ID token's claims over the userinfo endpoint's (Entra ID sends groups only in
        the ID token); the two must be about the same person."""
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload["sub"]:
            raise SignInRefused("token")
        return {**userinfo, **payload}

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        claims = self.get_userinfo(access_token, id_token, payload)
        return user_sign_in(claims=claims, create=bool(self.get_settings("OIDC_CREATE_USER", True)))


def refused(request: HttpRequest, refusal: SignInRefused) -> HttpResponse:
    """The refusal page (403); a refused sign-in also ends any session the browser had."""
    sign_in_refusal_record(refusal=refusal)
    if request.user.is_authenticated:
        auth.logout(request)
    return render(
        request,
        "registration/sign_in_refused.html",
        {"reason": refusal.reason, "message": REASONS[refusal.reason]},
        status=403,
    )


class SignInStart(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """``/oidc/authenticate/``: off to the force's identity provider, when one is configured."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        if not is_enabled():
            return redirect("login")
        response: HttpResponseBase = super().get(request)
        return response


class SignInCallback(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """``/oidc/callback/``: the provider's answer. Every failure is the refusal page."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        if not is_enabled() or not {"code", "state", "error"} & set(request.GET):
            return redirect("login")
        if "code" in request.GET and "oidc_states" not in request.session:
            return refused(request, SignInRefused("state"))
        try:
            response: HttpResponseBase = super().get(request)
        except SignInRefused as refusal:
            return refused(request, refusal)
        except SuspiciousOperation:
            # The state is not one this browser's session started, or was used already.
            return refused(request, SignInRefused("state"))
        return response

    def login_failure(self) -> HttpResponse:
        # The provider answered with an error (the person cancelled, or it refused them).
        return refused(self.request, SignInRefused("provider"))
