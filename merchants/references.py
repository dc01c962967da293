"""Codes people read aloud and type: no look-alikes (0/O, 1/I/L)."""

import secrets

SAFE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# "C4" makes a payment reference recognisable in a transfer note; 11
# characters in all sits within the 8–12 rule and leaves 31^9 codes to draw
# from. A draw is random, so it can repeat: services draw again any code a
# vendor already holds.
PAYMENT_REFERENCE_PREFIX = "C4"
PAYMENT_REFERENCE_LENGTH = 11
VENDOR_CODE_PREFIX = "TT"
VENDOR_CODE_LENGTH = 8


def _random_code(prefix: str, length: int) -> str:
    return prefix + "".join(secrets.choice(SAFE_ALPHABET) for _ in range(length - len(prefix)))


def new_payment_reference() -> str:
    return _random_code(PAYMENT_REFERENCE_PREFIX, PAYMENT_REFERENCE_LENGTH)


def new_vendor_code() -> str:
    return _random_code(VENDOR_CODE_PREFIX, VENDOR_CODE_LENGTH)
