"""A waiting item's pickup code, sealed at rest so that the resident's list can show it again (API.md,
Residents: "the household's parcels waiting, with their pickup codes").

The desk finds an item by the keyed hash (``services._common.code_hash``); the sealed copy is only ever opened
for the item's own household. It is a Fernet token (AES-CBC + HMAC) under a key derived by HKDF from
SECRET_KEY, with the item's id sealed alongside the code so a token copied onto another row does not open.
SECRET_KEY_FALLBACKS open it too, as Django's signed values do during a rotation; once the old key is gone a
sealed code no longer opens and the resident asks for a fresh one (``None``, never an error).
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"guanjia.frontdesk.pickup-code.v1"


def _key(secret: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


@lru_cache(maxsize=4)
def _keys(secrets: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_key(s) for s in secrets])


def _current() -> MultiFernet:
    return _keys((settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())))


def seal(item_id: int, code: str) -> str:
    """The token to store for ``code`` on item ``item_id`` (ASCII, under 200 characters)."""
    return _current().encrypt(f"{item_id}:{code}".encode()).decode("ascii")


def unseal(item_id: int, token: str) -> str | None:
    """The code sealed in ``token`` for item ``item_id``; None when there is none, the keys cannot open it, or
    it was sealed for another item."""
    if not token:
        return None
    try:
        opened = _current().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        return None
    owner, _sep, code = opened.partition(":")
    return code if owner == str(item_id) and code else None
