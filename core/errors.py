"""Domain errors that services raise; the API and pages map them in one place.

NotFound and PermissionDenied are also Django's own 404 and 403, so a page
that lets them through answers like the API does."""

from typing import Self

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}

    @classmethod
    def single(cls, field: str, reason: str) -> Self:
        return cls(f"{field}: {reason}", errors={field: [reason]})

    @property
    def body(self) -> dict:
        """The answer's body, in the one shape of every refusal of the API."""
        return {"detail": self.message, "errors": self.errors}

    @property
    def summary(self) -> str:
        """Every reason in one line, for a page message or a command's error."""
        return "; ".join(reason for reasons in self.errors.values() for reason in reasons) or self.message


class ValidationFailed(DomainError):
    """Bad input: `errors` maps each field to its reasons, in Vietnamese."""

    status_code = 422

    @classmethod
    def of(cls, errors: dict[str, list[str]]) -> "ValidationFailed":
        """Bad input in any number of fields, under the sentence all such refusals share."""
        return cls(_("Dữ liệu gửi lên chưa hợp lệ"), errors=errors)


class NotFound(DomainError, Http404):
    status_code = 404


class PermissionDenied(DomainError, DjangoPermissionDenied):
    status_code = 403


class Conflict(DomainError):
    """Well-formed, but the object's current state refuses it (a code already
    replaced or revoked, a vendor that is not active)."""

    status_code = 409
