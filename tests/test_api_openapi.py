"""The OpenAPI document lists every answer an operation gives, with its schema: an integrator
generates a client from it and handles each status it names."""

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def document() -> dict[str, Any]:
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    return r.json()


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [
        (f"{method.upper()} {path}", op)
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    ]
    assert len(found) >= 20
    return found


def error_schema(document: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    ref = answer["content"]["application/json"]["schema"]["$ref"]
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_every_operation_lists_its_error_answers_with_their_schema(document):
    wrong = []
    for name, op in operations(document):
        answers = op["responses"]
        locations = {p["in"] for p in op.get("parameters", [])}
        want = {"401"}
        if "requestBody" in op or "query" in locations:
            want.add("400")
        if "path" in locations:
            want.add("404")
        missing = want - set(answers)
        if missing:
            wrong.append((name, "missing", sorted(missing)))
        for status in want & set(answers):
            schema = error_schema(document, answers[status])
            if "detail" not in schema.get("properties", {}):
                wrong.append((name, status, "no detail in the error schema"))
    assert not wrong, "\n".join(map(str, wrong))


def test_the_error_schema_names_each_field(document):
    (_, op), *_ = operations(document)
    schema = error_schema(document, op["responses"]["401"])
    assert schema["required"] == ["detail"]
    item = schema["properties"]["errors"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert set(document["components"]["schemas"][item]["required"]) == {"field", "message"}


def test_every_list_documents_its_pages(document):
    lists = [
        (name, op)
        for name, op in operations(document)
        if name.startswith("GET ")
        and op["responses"]["200"]["content"]["application/json"]["schema"].get("type") == "array"
    ]
    assert len(lists) >= 7
    for name, op in lists:
        query = {p["name"]: p for p in op["parameters"] if p["in"] == "query"}
        assert {"limit", "cursor"} <= set(query), name
        assert query["limit"]["schema"]["maximum"] == 500, name
        assert "Link" in op["responses"]["200"].get("headers", {}), name


def test_the_documentation_page_shows_every_operation_and_schema(document):
    r = Client().get("/api/v1/docs")
    assert r.status_code == 200
    page = r.content.decode()
    for name, op in operations(document):
        assert f"<code>{name}</code>" in page, name
        assert f'id="{op["operationId"]}"' in page
    for schema in document["components"]["schemas"]:
        assert f'id="schema-{schema}"' in page, schema
    # Links between schemas land on their sections.
    assert 'href="#schema-ErrorOut"' in page
    assert "<script" not in page.split("</head>")[1]  # the page needs no script
