"""Passwords and API tokens: argon2 hashes for passwords, SHA-256 digests for tokens.

A token is long and random, so a fast digest is enough to find it again and a leaked table gives
nothing away; a password is chosen by a person, so it gets argon2's deliberately slow hash.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "cf_"
MIN_PASSWORD_CHARS = 10


class Passwords:
    """An argon2 hasher and a hash made with it that no password matches: verified against when
    the account does not exist, so a wrong email costs the same time as a wrong password and
    sign-in timing does not tell which accounts exist."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher
        self.dummy_hash = hasher.hash(secrets.token_urlsafe(16))


passwords = Passwords(PasswordHasher())  # argon2id with the library's recommended costs


def hash_password(password: str) -> str:
    return passwords.hasher.hash(password)


def check_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (None: an account without a password)."""
    try:
        return passwords.hasher.verify(stored_hash or passwords.dummy_hash, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why ``password`` is too weak to accept, or None."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"is {len(password)} characters long; use at least {MIN_PASSWORD_CHARS}"
    return None


def new_password() -> str:
    """A password for a first-run account: 20 characters, printed once."""
    return secrets.token_urlsafe(15)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
