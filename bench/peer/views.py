"""The peer ``bench/intake.py`` measures our intake against: a plain Django view that parses the
contact's JSON and inserts one row, on the same server, middleware and database. No token,
no checks, no rules: the least a Django view can do per contact."""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bench.peer.models import BareContact


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> HttpResponse:
    body = json.loads(request.body)
    row = BareContact.objects.create(
        reference=body["reference"], received_at=parse_datetime(body["received_at"]), body=body
    )
    return JsonResponse({"id": row.pk, "reference": row.reference}, status=201)
