"""The API's documentation page, at /api/v1/docs: every operation, its parameters, body and
answers, read from the OpenAPI document and written as a plain page (headings, tables, links
between schemas) that passes axe and needs no script. The machine-readable document stays
at /api/v1/openapi.json for code generators and interactive tools."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

REF = "#/components/schemas/"


def type_words(schema: dict[str, Any]) -> tuple[str, str]:
    """A schema's type in a few words, and the schema it names (for a link), if any."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(REF)
        return name, name
    if "anyOf" in schema:
        parts = [type_words(s) for s in schema["anyOf"] if s.get("type") != "null"]
        nullable = any(s.get("type") == "null" for s in schema["anyOf"])
        words = " or ".join(p[0] for p in parts) + (" or null" if nullable else "")
        return words, next((p[1] for p in parts if p[1]), "")
    kind = schema.get("type", "any")
    if kind == "array":
        inner, linked = type_words(schema.get("items", {}))
        return f"list of {inner}", linked
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"]), ""
    if "format" in schema:
        return f"{kind} ({schema['format']})", ""
    return str(kind), ""


@dataclass
class Field:
    name: str
    type: str
    link: str
    required: bool
    description: str


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: list[Field] = field(default_factory=list)
    body: tuple[str, str] | None = None
    answers: list[tuple[str, str, str, str]] = field(default_factory=list)


def _fields(properties: dict[str, Any], required: list[str]) -> list[Field]:
    found = []
    for name, schema in properties.items():
        words, link = type_words(schema)
        found.append(Field(name, words, link, name in required, schema.get("description", "")))
    return found


def _schema_of(content: dict[str, Any]) -> tuple[str, str] | None:
    for media in content.values():
        return type_words(media.get("schema", {}))
    return None


def document_pages(document: dict[str, Any]) -> dict[str, Any]:
    """The page's content from an OpenAPI document."""
    operations = []
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            item = Operation(
                method=method.upper(),
                path=path,
                anchor=op.get("operationId", f"{method}{path}"),
                summary=op.get("summary", ""),
                description=op.get("description", ""),
            )
            for p in op.get("parameters", []):
                words, link = type_words(p.get("schema", {}))
                item.parameters.append(
                    Field(f"{p['name']} ({p['in']})", words, link, p.get("required", False),
                          p.get("description", ""))
                )  # fmt: skip
            if "requestBody" in op:
                item.body = _schema_of(op["requestBody"].get("content", {}))
            for status, answer in op.get("responses", {}).items():
                words, link = _schema_of(answer.get("content", {})) or ("", "")
                item.answers.append((status, answer.get("description", ""), words, link))
            operations.append(item)
    schemas = [
        (name, s.get("description", ""), _fields(s.get("properties", {}), s.get("required", [])))
        for name, s in document.get("components", {}).get("schemas", {}).items()
    ]
    return {"info": document["info"], "operations": operations, "schemas": schemas}


class ReadableDocs(DocsBase):
    def render_page(self, request: HttpRequest, api: "NinjaAPI", **kwargs: Any) -> HttpResponse:
        context = document_pages(api.get_openapi_schema(path_params=kwargs))
        context["openapi_url"] = self.get_openapi_url(api, kwargs)
        return render(request, "apidocs.html", context)
