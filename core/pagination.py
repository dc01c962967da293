"""The API's page numbers, bounded so a huge `page` is bad input (422), not
an OFFSET the database cannot hold (a 500)."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 1_000_000


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        # Larger sizes than the list allows are served at its own maximum.
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)
