"""Verification codes: 16 characters of Crockford's base32 (80 random bits),
printed in groups of four. Unguessable, so a code not issued, or edited by
one character, finds nothing; read forgivingly (case, dashes, spaces, O for
0, I and L for 1), since a person may type it from paper."""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def code_new() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def code_normalise(raw: str | None) -> str | None:
    """The code as stored, or None when what was typed cannot be one."""
    text = "".join(ch for ch in (raw or "").upper() if ch.isalnum()).translate(_READ_AS)
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text
