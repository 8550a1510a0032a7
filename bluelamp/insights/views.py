from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from bluelamp.forces.access import open_cases_for_live_view, responses_for_user
from bluelamp.forces.models import User
from bluelamp.insights import selectors


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _board_context(user: User) -> dict[str, Any]:
    now = timezone.now()
    responses = responses_for_user(user)
    cases = open_cases_for_live_view(user)
    since = selectors.period_starts(now)["28 days"]
    return {
        "now": now,
        "periods": selectors.summary_by_period(responses, now),
        "by_type": selectors.summary_by(
            responses, "incident_type_id", "incident_type__name", since
        ),
        "by_team": selectors.summary_by(responses, "team_id", "team__name", since),
        "comments": selectors.latest_comments(responses),
        "cases": selectors.open_cases(cases),
        "version": selectors.board_version(responses, cases),
        "poll_seconds": settings.LIVE_POLL_SECONDS,
    }


@login_required
def live(request: HttpRequest) -> HttpResponse:
    """The supervisor's live view: satisfaction now, by incident type and team, open cases."""
    user = _user(request)
    return render(request, "insights/live.html", {**_board_context(user), "user": user})


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The board alone, for polling: 204 (nothing to swap) when nothing has changed."""
    user = _user(request)
    responses = responses_for_user(user)
    cases = open_cases_for_live_view(user)
    if request.GET.get("v") == selectors.board_version(responses, cases):
        return HttpResponse(status=204)
    return render(request, "insights/_board.html", _board_context(user))
