"""Personal data (phone, CCCD) is shown whole only to the people who need it:
the vendor's market board and operators. Everyone else sees it masked."""

from core.access import role_of
from core.models import Role


def sees_personal_data(user) -> bool:
    return role_of(user) in (Role.BOARD, Role.OPERATOR)


def mask(value: str, keep_start: int = 3, keep_end: int = 2) -> str:
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def personal(user, value: str) -> str:
    return value if sees_personal_data(user) else mask(value)
