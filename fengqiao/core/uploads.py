"""Uploaded files (photos and scans on cases, sessions and agreements): checked by their
content, not their name, and stored with who uploaded them and when."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext as _

from fengqiao.core.errors import DomainError

# What may be uploaded, recognised by the first bytes of the file.
UPLOAD_TYPES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
    "image/webp": (b"RIFF",),
}


def uploads_validate(files: Sequence[UploadedFile]) -> None:
    """Refuse too many files, a file too large, or one that is not a photo or a PDF; set
    each file's content type from what it really is."""
    limit = settings.FENGQIAO_ATTACHMENT_MAX_BYTES
    if len(files) > settings.FENGQIAO_ATTACHMENT_MAX_COUNT:
        raise DomainError(
            "too_many_files",
            _("At most %(n)d files can be attached at once.")
            % {"n": settings.FENGQIAO_ATTACHMENT_MAX_COUNT},
            field="attachments",
        )
    for upload in files:
        if upload.size > limit:
            raise DomainError(
                "file_too_large",
                _("%(name)s is larger than %(mb)d MB.")
                % {"name": upload.name, "mb": limit // (1024 * 1024)},
                field="attachments",
            )
        head = upload.read(16)
        upload.seek(0)
        kind = next(
            (
                content_type
                for content_type, signatures in UPLOAD_TYPES.items()
                if any(head.startswith(signature) for signature in signatures)
                and (content_type != "image/webp" or head[8:12] == b"WEBP")
            ),
            None,
        )
        if kind is None:
            raise DomainError(
                "file_type",
                _("%(name)s is not a photo (JPEG, PNG, WebP) or a PDF document.")
                % {"name": upload.name},
                field="attachments",
            )
        upload.content_type = kind


def uploads_store(
    model: type[models.Model],
    files: Sequence[UploadedFile],
    *,
    actor: Any,
    now: dt.datetime,
    **owner: Any,
) -> list[str]:
    """One row of `model` per (validated) file, tied to `owner` (e.g. case=…); the names."""
    names = []
    for upload in files:
        model.objects.create(
            **owner,
            file=upload,
            original_name=upload.name[:200],
            content_type=upload.content_type,
            size=upload.size,
            uploaded_by=actor,
            uploaded_at=now,
        )
        names.append(upload.name[:200])
    return names


def upload_fingerprint(upload: UploadedFile) -> dict[str, Any]:
    """What identifies an upload for idempotency: its name, size and SHA-256."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return {"name": upload.name, "size": upload.size, "sha256": digest.hexdigest()}
