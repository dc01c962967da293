"""Personal data (phone, CCCD) is shown whole only to the people who need it:
the vendor's market board and operators. Everyone else sees it masked."""

from core.access import role_of
from core.actors import Actor
from core.models import Role


def sees_personal_data(user: Actor) -> bool:
    return role_of(user) in (Role.BOARD, Role.OPERATOR)


def mask(value: str, keep_start: int = 3, keep_end: int = 2) -> str:
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_payer(name: str, account: str = "") -> str:
    """A customer as a stall screen may show them: the first letter of each
    word of the name, and at most the last three characters of the account,
    which partners send masked already ("091****678")."""
    words = [word[0] + "*" * min(len(word) - 1, 4) for word in name.split()[:6]]
    account = "".join(ch for ch in account if ch.isalnum())
    shown = " ".join(words)
    if len(account) >= 3:
        shown = f"{shown} · ***{account[-3:]}" if shown else f"***{account[-3:]}"
    return shown[:80]


def personal(user: Actor, value: str) -> str:
    return value if sees_personal_data(user) else mask(value)


# Keys under which records (audit snapshots, settlement lines) carry a phone
# number, a CCCD or a wallet account number (usually the phone).
PERSONAL_KEYS = frozenset({"phone", "national_id", "account_number", "credit_account", "account"})


def personal_fields(user: Actor, data: dict | None) -> dict | None:
    """A record with its personal values masked for people who do not need them."""
    if data is None or sees_personal_data(user):
        return data
    return {
        key: mask(str(value)) if key in PERSONAL_KEYS and isinstance(value, str) and value else value
        for key, value in data.items()
    }
