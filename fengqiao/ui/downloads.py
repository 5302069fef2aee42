"""The one way the site hands over a file: a generated document or export, or an uploaded
attachment. Every file it serves carries people's particulars, so none is ever cached
(`Cache-Control: no-store`), none is sniffed into another type, and its name keeps its
Chinese characters (RFC 5987 `filename*`, with a plain ASCII `filename` for old clients).
"""

from __future__ import annotations

from typing import IO
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _disposition(filename: str, *, inline: bool) -> str:
    ascii_name = filename.encode("ascii", "ignore").decode() or "download"
    ascii_name = ascii_name.replace('"', "").replace("\\", "")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _protect(response: HttpResponse, filename: str, *, inline: bool) -> HttpResponse:
    response["Content-Disposition"] = _disposition(filename, inline=inline)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def download_response(content: bytes, *, filename: str, content_type: str = "") -> HttpResponse:
    """A file made for this request (a document, a workbook), as an attachment. Without a
    `content_type`, it is read from the name's extension (docx, pdf, xlsx)."""
    content_type = content_type or CONTENT_TYPES[filename.rpartition(".")[2]]
    return _protect(HttpResponse(content, content_type=content_type), filename, inline=False)


def stored_file_response(stream: IO[bytes], *, filename: str, content_type: str) -> FileResponse:
    """An uploaded file, streamed: a photo is shown in the browser, anything else saved."""
    inline = content_type.startswith("image/")
    response = FileResponse(stream, content_type=content_type)
    _protect(response, filename, inline=inline)
    return response
