"""Field encryption and blind indexes, keyed by FENGQIAO_FIELD_KEY (never SECRET_KEY).

Values are sealed with AES-256-GCM under a key derived from FENGQIAO_FIELD_KEY; a random
nonce per value means equal plaintexts give different ciphertexts. Exact-match lookup
and duplicate detection use a separate HMAC-SHA256 key (the blind index), so the index
reveals nothing without the key.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "v1:"


@functools.cache
def _keys(master: str) -> tuple[bytes, bytes]:
    material = HKDF(
        algorithm=hashes.SHA256(), length=64, salt=b"fengqiao-field-keys", info=b"v1"
    ).derive(master.encode())
    return material[:32], material[32:]


def _encryption_key() -> bytes:
    return _keys(settings.FENGQIAO_FIELD_KEY)[0]


def _index_key() -> bytes:
    return _keys(settings.FENGQIAO_FIELD_KEY)[1]


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_encryption_key()).encrypt(nonce, plaintext.encode(), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    raw = base64.urlsafe_b64decode(token[len(PREFIX) :])
    return AESGCM(_encryption_key()).decrypt(raw[:12], raw[12:], None).decode()


def blind_index(kind: str, normalised_value: str) -> str:
    """The lookup digest of a value already normalised by its validator."""
    message = f"{kind}:{normalised_value}".encode()
    return hmac.new(_index_key(), message, hashlib.sha256).hexdigest()
