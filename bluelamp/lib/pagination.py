"""Cursor pagination for the API's lists: a page is the rows after the last one the previous
page gave, found by its sort key (keyset), never by counting rows to skip, so the thousandth
page costs what the first does.

A cursor names that last row's sort key and id, signed (so a client can neither forge nor edit
one, nor take one list's cursor to another) and otherwise opaque. Because a page starts
strictly after a key, rows added during a walk never shift it: no row is given twice, and none
that was there when the walk began is skipped.

Bodies stay JSON lists; the next page is in a ``Link: <...>; rel="next"`` header.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Schema
from ninja.errors import ValidationError

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_SALT = "bluelamp.api.cursor"

Key = tuple[Any, ...]


# For a list operation's ``openapi_extra``: the header that points to the next page.
PAGED: dict[str, Any] = {
    "responses": {
        200: {
            "headers": {
                "Link": {
                    "description": 'The next page, `<absolute URL>; rel="next"`; absent on '
                    "the last page",
                    "schema": {"type": "string"},
                }
            }
        }
    }
}


class PageQuery(Schema):
    """The two query parameters every list takes."""

    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Rows a page, 1 to {MAX_LIMIT}"
    )
    cursor: str | None = Field(
        None,
        max_length=500,
        pattern=r"^[A-Za-z0-9_:-]+$",
        description='Where the next page starts: take it from the `Link: <...>; rel="next"` '
        "header of the page before (opaque)",
    )


@dataclass(frozen=True)
class Page[T]:
    items: list[T]
    next_cursor: str | None


_NOT_OURS = "not a cursor this list gave; take it from the Link header"


def _refuse(message: str) -> ValidationError:
    return ValidationError([{"loc": ("query", "cursor"), "msg": message, "type": "value_error"}])


def encode_cursor(scope: str, key: Key) -> str:
    values = [v.isoformat() if isinstance(v, dt.datetime) else v for v in key]
    return signing.dumps(values, salt=f"{_SALT}:{scope}", compress=False)


def decode_cursor(scope: str, cursor: str, width: int | None = None) -> list[Any]:
    """The key a cursor names, or a 400 naming ``cursor`` for anything this list did not give."""
    try:
        values = signing.loads(cursor, salt=f"{_SALT}:{scope}")
    except signing.BadSignature:
        raise _refuse(_NOT_OURS) from None
    if not isinstance(values, list) or (width is not None and len(values) != width):
        raise _refuse(_NOT_OURS)
    return values


def _after(order: Sequence[str], key: Sequence[Any]) -> Q:
    """Rows strictly after ``key`` in ``order``: (a > x) or (a = x and (b > y or ...))."""
    found: Q | None = None
    for name, value in reversed(list(zip(order, key, strict=True))):
        field = name.removeprefix("-")
        beyond = Q(**{f"{field}__{'lt' if name.startswith('-') else 'gt'}": value})
        found = beyond if found is None else beyond | (Q(**{field: value}) & found)
    assert found is not None
    return found


def keyset_page[M: Model](
    rows: QuerySet[M], *, order: Sequence[str], limit: int, cursor: str | None
) -> Page[M]:
    """One page of ``rows`` in ``order``, whose last name must make the order total (the id).

    Each name is a column of the model itself (not across a relation), never null.
    """
    scope = f"{rows.model._meta.label}:{','.join(order)}"
    meta = rows.model._meta
    names = [n.removeprefix("-") for n in order]
    fields = [meta.pk if n == "pk" else meta.get_field(n) for n in names]
    if cursor:
        raw = decode_cursor(scope, cursor, len(order))
        try:
            key = [f.to_python(v) for f, v in zip(fields, raw, strict=True)]  # type: ignore[union-attr]
        except Exception:
            raise _refuse(_NOT_OURS) from None
        rows = rows.filter(_after(order, key))
    found = list(rows.order_by(*order)[: limit + 1])
    if len(found) <= limit:
        return Page(found, None)
    last = found[limit - 1]
    return Page(found[:limit], encode_cursor(scope, _row_key(last, order)))


def _row_key(row: Model, order: Sequence[str]) -> Key:
    return tuple(getattr(row, n.removeprefix("-")) for n in order)


def list_page[T](
    rows: Sequence[T], *, scope: str, key: Callable[[T], Key], limit: int, cursor: str | None
) -> Page[T]:
    """One page of a list worked out in memory (a few hundred rows at most), in ascending
    ``key`` order; the key is made of strings and integers and is unique per row."""
    ordered = sorted(rows, key=key)
    if cursor:
        after = tuple(decode_cursor(scope, cursor))
        try:
            ordered = [r for r in ordered if key(r) > after]
        except TypeError:
            raise _refuse(_NOT_OURS) from None
    if len(ordered) <= limit:
        return Page(list(ordered), None)
    return Page(list(ordered[:limit]), encode_cursor(scope, key(ordered[limit - 1])))


def link_next(request: HttpRequest, response: HttpResponse, page: Page[Any]) -> None:
    """Point to the next page, if any, with the request's other query parameters kept."""
    if page.next_cursor is None:
        return
    query = request.GET.copy()
    query["cursor"] = page.next_cursor
    url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    response["Link"] = f'<{url}>; rel="next"'
