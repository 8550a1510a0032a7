"""Cursor pagination on every API list, and look-up by the force's own reference."""

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bluelamp.api import api as ninja_api
from bluelamp.insights.models import Alert
from bluelamp.lib.pagination import MAX_LIMIT, encode_cursor, list_page
from bluelamp.recovery.models import RecoveryCase
from tests.conftest import contact_body, post_contact
from tests.helpers import answer, make_contact, steady_history
from tests.test_care import crime_body

LINK = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


def list_operations() -> list[str]:
    """Paths of the GET operations in the OpenAPI document that answer a JSON list."""
    found = []
    for path, operations in ninja_api.get_openapi_schema()["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        body = get["responses"][200]["content"]["application/json"]["schema"]
        if body.get("type") == "array":
            names = {p["name"] for p in get.get("parameters", [])}
            assert {"limit", "cursor"} <= names, f"{path} lists without pages"
            found.append(path)
    return found


def next_url(response: Any) -> str | None:
    """The next page's path and query from the Link header, checked to be absolute."""
    header = response.headers.get("Link")
    if header is None:
        return None
    found = LINK.match(header)
    assert found, header
    url = urlsplit(found["url"])
    assert url.scheme == "http" and url.netloc == "testserver", header
    return f"{url.path}?{url.query}"


def walk(client: Client, path: str, between: Any = None) -> list[list[Any]]:
    """Every page from ``path`` on, calling ``between`` after each page."""
    pages = []
    url: str | None = path
    while url is not None:
        r = client.get(url)
        assert r.status_code == 200, r.content
        assert isinstance(r.json(), list)
        pages.append(r.json())
        url = next_url(r)
        if between is not None:
            between(len(pages))
        assert len(pages) < 500, "the walk does not end"
    return pages


def test_a_walk_gives_every_contact_once_while_contacts_arrive(api, force):
    for i in range(10):
        make_contact(force, f"PG-{i}")
    added = []

    def more(page: int) -> None:
        added.append(f"PG-NEW-{page}")
        assert post_contact(api, contact_body(added[-1])).status_code == 201

    pages = walk(api, "/api/v1/contacts?limit=3", between=more)
    seen = [c["reference"] for page in pages for c in page]
    assert all(len(page) <= 3 for page in pages)
    assert len(seen) == len(set(seen)), "a contact given twice"
    assert {f"PG-{i}" for i in range(10)} <= set(seen), "a contact skipped"
    # Contacts are listed in the order stored, so those added during the walk come last.
    assert seen[:10] == [f"PG-{i}" for i in range(10)]
    assert set(seen[10:]) <= set(added)


def test_a_newest_first_walk_skips_nothing_while_alerts_open(api, force):
    now = timezone.now()

    def alert(n: int, at: dt.datetime) -> Alert:
        return Alert.objects.create(
            force=force, dimension="team", key=str(n), label=f"Team {n}", text=f"alert {n}",
            run_n=10, run_x=5, expected_share=0.2, chance=0.001, opened_at=at,
        )  # fmt: skip

    # Two alerts at the same moment: the id breaks the tie, so neither is lost at a page edge.
    first = [alert(n, now - dt.timedelta(minutes=n // 2)) for n in range(7)]
    pages = walk(
        api, "/api/v1/alerts?status=all&limit=2", between=lambda p: alert(100 + p, timezone.now())
    )
    seen = [a["id"] for page in pages for a in page]
    assert len(seen) == len(set(seen))
    assert seen[:7] == [a.pk for a in sorted(first, key=lambda a: (a.opened_at, a.pk))[::-1]]


def test_the_next_link_keeps_the_other_parameters_and_the_last_page_has_none(api, force):
    for i in range(5):
        answer(force, f"PGR-{i}", 1)
    assert RecoveryCase.objects.filter(force=force, status="open").count() == 5
    r = api.get("/api/v1/recovery-cases?status=open&limit=2")
    url = next_url(r)
    assert url is not None
    query = parse_qs(urlsplit(url).query)
    assert query["status"] == ["open"] and query["limit"] == ["2"] and query["cursor"]
    pages = walk(api, "/api/v1/recovery-cases?status=open&limit=2")
    assert [len(p) for p in pages] == [2, 2, 1]
    deadlines = [c["deadline"] for p in pages for c in p]
    assert deadlines == sorted(deadlines)
    assert "Link" not in api.get("/api/v1/recovery-cases?status=open&limit=5").headers


def test_a_page_is_found_by_its_key_not_by_counting_rows(api, force):
    for i in range(6):
        make_contact(force, f"KS-{i}")
    second = next_url(api.get("/api/v1/contacts?limit=3"))
    assert second is not None
    with CaptureQueriesContext(connection) as queries:
        assert [c["reference"] for c in api.get(second).json()] == ["KS-3", "KS-4", "KS-5"]
    listed = [q["sql"] for q in queries.captured_queries if "intake_contact" in q["sql"]]
    assert listed and not any("OFFSET" in sql.upper() for sql in listed)
    # Contacts, their invitations and their messages: the same queries for any page size.
    assert len(queries.captured_queries) <= 6


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=not-a-cursor", "cursor"),
        ("limit=0", "limit"),
        (f"limit={MAX_LIMIT + 1}", "limit"),
        ("limit=ten", "limit"),
    ],
)
def test_a_bad_cursor_or_limit_is_a_400_naming_it(api, force, query, field):
    r = api.get(f"/api/v1/contacts?{query}")
    assert r.status_code == 400, r.content
    assert [e["field"] for e in r.json()["errors"]] == [field]


def test_a_cursor_cannot_be_edited_or_taken_to_another_list(api, force):
    for i in range(3):
        make_contact(force, f"CE-{i}")
    cursor = parse_qs(urlsplit(next_url(api.get("/api/v1/contacts?limit=1")) or "").query)[
        "cursor"
    ][0]
    assert api.get(f"/api/v1/contacts?limit=1&cursor={cursor}").status_code == 200
    edited = cursor[:-1] + ("A" if cursor[-1] != "A" else "B")
    for path in (f"/api/v1/contacts?cursor={edited}", f"/api/v1/referrals?cursor={cursor}"):
        r = api.get(path)
        assert r.status_code == 400, path
        assert r.json()["errors"][0]["field"] == "cursor"
    # Signed but not by us for this list: a cursor made up for another scope.
    forged = encode_cursor("intake.Contact:-pk", (1,))
    assert api.get(f"/api/v1/contacts?cursor={forged}").status_code == 400


def test_every_list_operation_pages(api, force, team_a, team_b):
    """Each list in the OpenAPI document takes ``limit`` and ``cursor`` and walks to its end
    one row a page, each row once."""
    for i, kind in enumerate(["burglary_residential", "vehicle_crime", "criminal_damage"]):
        answer(force, f"EV-{i}", 1, team="team-a" if i % 2 else "team-b", incident_type=kind)
    for i in range(2):
        r = api.post("/api/v1/crimes", crime_body(f"41/{i}/26"), content_type="application/json")
        assert r.status_code == 201
    for queue in ("101", "999", "switchboard"):
        steady_history(force, queue, days=1)
    now = timezone.now()
    for n in range(3):
        Alert.objects.create(
            force=force, dimension="team", key=str(n), label=f"Team {n}", text=f"alert {n}",
            run_n=10, run_x=5, expected_share=0.2, chance=0.001, opened_at=now,
        )  # fmt: skip
    operations = list_operations()
    assert len(operations) >= 7
    query = {"/api/v1/satisfaction": "by=incident_type&", "/api/v1/alerts": "status=all&"}
    for path in operations:
        path = f"{path}?{query.get(path, '')}"
        whole = api.get(f"{path}limit={MAX_LIMIT}")
        assert whole.status_code == 200 and "Link" not in whole.headers, path
        pages = walk(api, f"{path}limit=2")
        assert len(whole.json()) >= 3, f"{path}: too few rows to page"
        assert [p for page in pages for p in page] == whole.json(), path
        assert all(len(page) == 2 for page in pages[:-1]), path


def test_a_contact_is_found_by_the_forces_reference(api, other_api, force, other_force):
    created = post_contact(api, contact_body("CAD/2026/0042")).json()
    make_contact(force, "CAD/2026/0043")
    found = api.get("/api/v1/contacts", {"reference": "CAD/2026/0042"}).json()
    assert [c["id"] for c in found] == [created["id"]]
    assert found[0]["invitation"]["stage"] == "first_contact"
    assert (
        found[0]["invitations"]
        == api.get(f"/api/v1/contacts/{created['id']}").json()["invitations"]
    )
    assert api.get("/api/v1/contacts", {"reference": "CAD/2026/9999"}).json() == []
    assert other_api.get("/api/v1/contacts", {"reference": "CAD/2026/0042"}).json() == []
    assert other_api.get("/api/v1/contacts").json() == []


def test_cases_by_contact_reference_and_referrals_by_crime_reference(api, other_api, force):
    answer(force, "CASE/1", 1)
    answer(force, "CASE/2", 1)
    cases = api.get("/api/v1/recovery-cases", {"contact_reference": "CASE/2"}).json()
    assert [c["contact_reference"] for c in cases] == ["CASE/2"]
    assert other_api.get("/api/v1/recovery-cases", {"contact_reference": "CASE/2"}).json() == []
    for reference in ("41/12345/26", "41/12346/26"):
        r = api.post("/api/v1/crimes", crime_body(reference), content_type="application/json")
        assert r.status_code == 201
    referrals = api.get("/api/v1/referrals", {"crime_reference": "41/12345/26"}).json()
    assert referrals and {r["crime_reference"] for r in referrals} == {"41/12345/26"}
    assert api.get("/api/v1/referrals", {"crime_reference": "41/0/26"}).json() == []


def test_an_in_memory_list_pages_by_its_key(settings):
    rows = [("b", 2), ("a", 1), ("c", 3), ("a", 0)]
    first = list_page(rows, scope="t", key=lambda r: r, limit=3, cursor=None)
    assert first.items == [("a", 0), ("a", 1), ("b", 2)]
    assert first.next_cursor is not None
    rest = list_page(
        [*rows, ("a", 5)], scope="t", key=lambda r: r, limit=3, cursor=first.next_cursor
    )
    assert rest.items == [("c", 3)] and rest.next_cursor is None
