"""A list a person works through: sorted by the order they choose, a page at a time, the
filters they set kept in every link. Pages are counted (a person reads "51 to 100 of 730"),
which costs one ``COUNT`` a page; the lists are a force's working sets, not its history.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import OrderBy, QuerySet

from bluelamp.lib.params import QueryCheck

PER_PAGE = 50


@dataclass(frozen=True)
class Order:
    label: str  # "Soonest due first"
    fields: tuple[str | OrderBy, ...]  # ("due_at", "pk")


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    number: int
    pages: int
    total: int
    sort: str
    orders: Mapping[str, Order]
    filters: Mapping[str, str]  # the list's other query parameters, as given
    per_page: int = PER_PAGE

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.number * self.per_page, self.total)

    def _query(self, **changes: Any) -> str:
        values = {**self.filters, "sort": self.sort, "page": self.number, **changes}
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    @property
    def previous_query(self) -> str:
        return self._query(page=self.number - 1) if self.number > 1 else ""

    @property
    def next_query(self) -> str:
        return self._query(page=self.number + 1) if self.number < self.pages else ""

    @property
    def sort_choices(self) -> list[tuple[str, str]]:
        return [(code, order.label) for code, order in self.orders.items()]

    @property
    def kept_filters(self) -> list[tuple[str, str]]:
        """The filters as hidden fields of the sort form, so choosing an order keeps them."""
        return [(k, v) for k, v in self.filters.items() if v]


def page_of(
    rows: QuerySet[Any],
    *,
    query: QueryCheck,
    orders: Mapping[str, Order],
    default: str,
    filters: Mapping[str, str],
    per_page: int = PER_PAGE,
) -> Page:
    """The page of ``rows`` the query asks for (``page``, from 1) in the order it asks for
    (``sort``, one of ``orders``). A page past the last is an error naming ``page``, as is an
    order not offered; call ``query.done()`` after."""
    sort = query.choice("sort", list(orders), default=default)
    number = query.positive("page", default=1)
    total = rows.count()
    pages = max(1, -(-total // per_page))
    if number > pages:
        query.errors["page"] = f"should be from 1 to {pages}"
        number = 1
    start = (number - 1) * per_page
    found = list(rows.order_by(*orders[sort].fields)[start : start + per_page])
    return Page(found, number, pages, total, sort, orders, dict(filters), per_page)


def filters_given(query: Mapping[str, str], names: Sequence[str]) -> dict[str, str]:
    return {name: query.get(name, "") for name in names}
