"""Schemathesis over the whole OpenAPI document: server errors and answers off the document.

Sets up a fresh database with the benchmark force and an API token, pushes a few contacts,
crimes and call figures so that lists and look-ups have something to answer, serves the app
with gunicorn on loopback (the harness of ``bench/intake.py``), then runs Schemathesis'
generated requests, valid and invalid, against every operation in ``/api/v1/openapi.json``
with the token. Each answer is checked: not a server error, a status the document lists for
the operation, a body that matches its schema. Prints the operations, requests and
failures (distinct ones listed); exits 1 if any.

    .venv/bin/python bench/fuzz.py                        # SQLite, 300 examples a mode
    .venv/bin/python bench/fuzz.py --db postgres --examples 1000 --seed 7

``tests/test_api_fuzz.py`` runs ``fuzz()`` below in CI with fewer examples.
"""

import argparse
import datetime as dt
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
Skip = Callable[[Any, Any, Failure], str | None]
# gunicorn refuses a request line longer than this (its default) before the app sees it.
GUNICORN_REQUEST_LINE = 4094


@dataclass
class Figures:
    operations: int = 0
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    # (operation, check title, status) -> how many requests, and one example to reproduce it.
    failures: dict[tuple[str, str, int], int] = field(default_factory=dict)
    examples: dict[tuple[str, str, int], str] = field(default_factory=dict)
    set_aside: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def server_errors(self) -> int:
        return sum(n for (_, _, status), n in self.failures.items() if status >= 500)

    def report(self) -> str:
        lines = [
            f"operations {self.operations}  requests {self.requests}  failures {self.failed} "
            f"({len(self.failures)} distinct)  server errors {self.server_errors()}  "
            f"in {self.seconds:.0f} s",
            "statuses " + "  ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items())),
        ]
        for reason, n in sorted(self.set_aside.items()):
            lines.append(f"set aside, not counted: {n} x {reason}")
        for key, n in sorted(self.failures.items()):
            operation, title, status = key
            lines.append(f"  {n:5d} x {operation}: {title} ({status})")
            lines.append(f"          {self.examples[key]}")
        return "\n".join(lines)


def fuzz(
    schema: Any,
    *,
    token: str,
    examples: int,
    seed_value: int,
    skip: "Skip | None" = None,
) -> Figures:
    """Every operation of ``schema`` with ``examples`` generated cases a mode (valid and
    invalid input), the token in every request. ``skip`` names the reason to set a failure
    aside (one the app cannot answer for), or None; those are counted apart, by reason."""
    skip = skip or (lambda case, response, failure: None)
    figures = Figures()
    headers = {"Authorization": f"Bearer {token}"}
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        figures.operations += 1
        for mode in MODES:
            _fuzz_operation(operation, mode, headers, examples, seed_value, figures, skip)
    figures.seconds = time.monotonic() - started
    return figures


def _fuzz_operation(
    operation: Any,
    mode: GenerationMode,
    headers: dict[str, str],
    examples: int,
    seed_value: int,
    figures: Figures,
    skip: Skip,
) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    # Failures are counted, not raised, so that one operation's run never stops at its first
    # and Hypothesis does not spend requests shrinking it.
    @seed(seed_value)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        # A connection a request: a kept-alive one waits on delayed ACKs, 40 ms a request.
        response = case.call(headers=headers, timeout=60)
        figures.requests += 1
        figures.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            _count(figures, label, case, response, group.exceptions, skip)
        except Failure as failure:
            _count(figures, label, case, response, [failure], skip)

    run()


def _count(
    figures: Figures,
    label: str,
    case: Any,
    response: Any,
    failures: Iterable[Failure],
    skip: Skip,
) -> None:
    for failure in failures:
        reason = skip(case, response, failure)
        if reason is not None:
            figures.set_aside[reason] += 1
            continue
        key = (label, failure.title, response.status_code)
        figures.failures[key] = figures.failures.get(key, 0) + 1
        if key not in figures.examples:
            sent = response.request
            body = sent.body or b""
            figures.examples[key] = f"{sent.method} {_cut(sent.url, 200)} {_cut(repr(body), 2000)}"


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else f"{text[:most]}... ({len(text)} characters)"


# --- The benchmark's own data ----------------------------------------------------------------


def seed_data(base_url: str, token: str) -> None:
    """A few contacts, crimes and call figures, through the API itself."""
    headers = {"Authorization": f"Bearer {token}"}
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    for i in range(20):
        contact = {
            "reference": f"FUZZ-{i:03d}",
            "received_at": (now - dt.timedelta(hours=i)).isoformat(),
            "channel": "999" if i % 2 else "101",
            "incident_type": "burglary_residential",
            "person": {"name": f"Fuzz Caller {i}", "phone": f"07700 900{i:03d}"},
        }
        _post(f"{base_url}/api/v1/contacts", contact, headers)
    for i in range(5):
        crime = {
            "reference": f"41/{10000 + i}/26",
            "offence": "burglary_residential",
            "recorded_at": (now - dt.timedelta(days=1)).isoformat(),
            "location": {"postcode": "AL1 3JS", "address_key": f"FUZZ-UPRN-{i}"},
            "victims": [{"name": f"Fuzz Victim {i}", "age": 84, "phone": "07700 900999"}],
        }
        _post(f"{base_url}/api/v1/crimes", crime, headers)
    intervals = [
        {
            "queue": "101", "start": (now - dt.timedelta(minutes=15 * k)).isoformat(),
            "minutes": 15, "offered": 20, "answered": 18, "abandoned": 2,
            "answered_within_target": 15, "average_handle_seconds": 300,
            "average_answer_seconds": 40, "average_abandon_seconds": 60,
            "handlers_logged_in": 6,
        }
        for k in range(1, 97)
    ]  # fmt: skip
    _post(f"{base_url}/api/v1/call-intervals", {"intervals": intervals}, headers)


def _post(url: str, body: dict[str, Any], headers: dict[str, str]) -> None:
    r = requests.post(
        url,
        data=json.dumps(body),
        headers=headers | {"Content-Type": "application/json"},
        timeout=60,
    )
    if r.status_code not in (200, 201):
        raise SystemExit(f"POST {url} answered {r.status_code}: {r.text[:300]}")


def too_long_for_gunicorn(case: Any, response: Any, failure: Failure) -> str | None:
    """gunicorn's own 414 for a request line over its limit: answered before the app runs,
    so no operation of the document can list it."""
    sent = response.request
    line = len(f"{sent.method} {sent.path_url} HTTP/1.1")
    if response.status_code == 414 and line > GUNICORN_REQUEST_LINE:
        return f"gunicorn's 414 for a request line over {GUNICORN_REQUEST_LINE} bytes"
    return None


def main() -> None:
    # The harness lives beside this file; imported here so tests can import fuzz() above
    # without the bench directory on the path.
    from intake import machine_load, running

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--examples", type=int, default=300, help="cases an operation and mode")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    print(f"before: {machine_load()}")
    with running(args.db) as (server, token):
        base_url = f"http://127.0.0.1:{server.port}"
        seed_data(base_url, token)
        schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
        figures = fuzz(
            schema, token=token, examples=args.examples, seed_value=args.seed,
            skip=too_long_for_gunicorn,
        )  # fmt: skip
    print(
        f"{args.db}: schemathesis {schemathesis.__version__}, seed {args.seed}, "
        f"{args.examples} examples an operation and mode (valid, invalid)"
    )
    print(figures.report())
    print(f"after: {machine_load()}")
    if figures.failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
