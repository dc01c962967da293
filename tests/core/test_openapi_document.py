"""The OpenAPI document as an integrator's tools read it: text a strict JSON
parser accepts (no key twice in one object, which Swagger UI refuses with
"duplicated mapping key"), and a document an independent validator passes."""

import json

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def _refuse_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    keys = [key for key, _value in pairs]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    assert not twice, f"keys given twice in one object: {twice}"
    return dict(pairs)


def test_the_document_names_no_key_twice(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    json.loads(response.content, object_pairs_hook=_refuse_duplicate_keys)


def test_the_document_passes_an_independent_openapi_validator(client):
    validate(client.get("/api/v1/openapi.json").json())


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/vendors/{code}/payment-codes/{code_id}/qr.png", "image/png"),
        ("/api/v1/vendors/{code}/payment-codes/{code_id}/qr.svg", "image/svg+xml"),
        ("/api/v1/vendors/{code}/poster.pdf", "application/pdf"),
        ("/api/v1/reconciliation/runs/{run_id}/export.csv", "text/csv"),
        ("/api/v1/reconciliation/runs/{run_id}/report.pdf", "application/pdf"),
        ("/api/v1/adoption/export", "text/csv"),
    ],
)
def test_a_file_answer_is_one_200_describing_the_file(client, path, content_type):
    text = client.get("/api/v1/openapi.json").content.decode()
    operation = json.loads(text, object_pairs_hook=_refuse_duplicate_keys)["paths"][path]["get"]
    assert content_type in operation["responses"]["200"]["content"]
