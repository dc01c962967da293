"""docs/api.md names every field of every write's request body, each with
its meaning, in the section of its route: what the API takes is what the
guide says (the OpenAPI document is the source)."""

import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
SECTION = re.compile(r"^### `(?P<method>[A-Z]+) (?P<path>[^`]+)`", re.MULTILINE)
ROW = re.compile(r"^\| `(?P<field>[a-z_]+)` \|(?P<rest>.*)\|\s*$", re.MULTILINE)

pytestmark = pytest.mark.django_db


def _sections() -> dict[tuple[str, str], dict[str, str]]:
    """(method, path) → {field: its row's last cell, the meaning}."""
    text = GUIDE.read_text(encoding="utf-8")
    marks = list(SECTION.finditer(text))
    found = {}
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        body = text[mark.end() : following.start() if following else len(text)]
        rows = {row["field"]: row["rest"].rsplit("|", 1)[-1].strip() for row in ROW.finditer(body)}
        found[(mark["method"].lower(), _shape("/api/v1" + mark["path"]))] = rows
    return found


def _shape(path: str) -> str:
    """A route with its placeholders unnamed: the guide's `{id}` is the document's `{txn_id}`."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _request_fields(document: dict, operation: dict) -> set[str]:
    fields: set[str] = set()
    for content in operation.get("requestBody", {}).get("content", {}).values():
        schema = content["schema"]
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        fields |= set(schema.get("properties", {}))
    return fields


def test_every_request_field_of_every_write_is_in_the_guide_with_its_meaning(client):
    document = client.get("/api/v1/openapi.json").json()
    sections = _sections()
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "get" or path.startswith("/api/v1/webhooks/"):
                continue
            fields = _request_fields(document, operation)
            if not fields:
                continue
            rows = sections.get((method, _shape(path)))
            if rows is None:
                missing.append(f"{method.upper()} {path}: no section")
                continue
            missing += [
                f"{method.upper()} {path}: `{field}`" for field in sorted(fields) if len(rows.get(field, "")) < 10
            ]
    assert not missing, missing
