"""Attachment storage: the type is judged by the file's content (never by its name or the
browser's say-so), the size is capped, and the file is kept under a random name in
``MEDIA_ROOT/webforms``, which nothing serves directly. Names from the database are checked to
resolve inside that folder before any file is opened."""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename

from contactcentre.errors import ContactCentreError, NotPermitted

# Content type by the file's first bytes; plain text is checked separately.
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
TEXT = ("text/plain", ".txt")


class UploadRefused(ContactCentreError):
    code = "attachment_refused"


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    display_name: str


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    sha256: str


def folder() -> Path:
    return Path(settings.MEDIA_ROOT).resolve() / "webforms"


def display_name(name: str) -> str:
    """The uploaded name, for showing only: no folders, no control characters, safe chars."""
    base = os.path.basename(name.replace("\\", "/"))
    base = unicodedata.normalize("NFKC", base)
    base = "".join(c for c in base if c.isprintable())
    try:
        safe = get_valid_filename(base)
    except Exception:
        safe = ""
    return (safe or "file")[-100:]


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        return error.start >= len(head) - 3
    return True


def check_upload(upload: UploadedFile) -> CheckedUpload:
    size = upload.size or 0
    if size == 0:
        raise UploadRefused("The selected file is empty.")
    if size > settings.WEBFORMS_MAX_ATTACHMENT_BYTES:
        raise UploadRefused("The selected file is too large.")
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return CheckedUpload(content_type, extension, display_name(upload.name or ""))
    if _looks_like_text(head) and (upload.name or "").lower().endswith(".txt"):
        return CheckedUpload(TEXT[0], TEXT[1], display_name(upload.name or ""))
    raise UploadRefused("The selected file must be a PDF, JPG, PNG or plain text file.")


def store_upload(upload: UploadedFile) -> StoredFile:
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(20)
    digest = hashlib.sha256()
    size = 0
    path = target / name
    # O_EXCL: never write over an existing file, whatever the name.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        for chunk in upload.chunks():
            size += len(chunk)
            if size > settings.WEBFORMS_MAX_ATTACHMENT_BYTES:
                out.close()
                path.unlink(missing_ok=True)
                raise UploadRefused("The selected file is too large.")
            digest.update(chunk)
            out.write(chunk)
    return StoredFile(name=name, size=size, sha256=digest.hexdigest())


def stored_path(stored_name: str) -> Path:
    """The file for a stored name, refusing any name that would leave the folder."""
    base = folder()
    if not stored_name or not all(c in "0123456789abcdef" for c in stored_name):
        raise NotPermitted("Not a stored attachment name.")
    path = (base / stored_name).resolve()
    if path.parent != base:
        raise NotPermitted("Not a stored attachment name.")
    return path
