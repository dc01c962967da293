"""OpenAPI descriptions of answers that are files rather than JSON, so the
document says what a client gets (a checker holds the server to it)."""


def file_answer(*content_types: str, description: str = "Tệp", extra: dict | None = None) -> dict:
    """`openapi_extra` for an operation answering 200 with a file."""
    content = {ctype: {"schema": {"type": "string", "format": "binary"}} for ctype in content_types}
    responses = {"200": {"description": description, "content": content}}
    responses.update(extra or {})
    return {"responses": responses}


CONFLICT = {
    "409": {
        "description": "Chưa có mã QR đang hoạt động để in",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }
}
GONE = {
    "410": {
        "description": "Mã QR đã bị thu hồi",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }
}
