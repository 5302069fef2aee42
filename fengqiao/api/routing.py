"""How every endpoint of /api/v1 is declared: one router class with one way to write
(`Router.write`) and one way to answer a page of a list (`paginate`).

- `@router.write(path, status=201, response={201: Out})`: a POST that changes something.
  It answers the errors of `WRITE_ERRORS`, and takes an `Idempotency-Key` header: the
  body the view returns is stored under the key, and a retry with the same key and the
  same request gets that first answer instead of acting twice (`api.idempotency`). The
  view returns the JSON-ready body of its answer.
- `paginate(rows, params, present)`: `{count, page, page_size, results}` of one page,
  `params` being a `PageParams` (or a subclass adding the list's filters).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import ninja
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from pydantic import BaseModel, Field, create_model

from fengqiao.api.idempotency import HEADER, MAX_KEY_LENGTH, idempotent
from fengqiao.api.schemas import ConflictOut, ErrorOut, Input
from fengqiao.core.uploads import upload_fingerprint

# What any endpoint may answer besides success; a write adds 403, 409 and 422 (a reused
# Idempotency-Key).
READ_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 409: ConflictOut, 422: ErrorOut}

IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": (
        "Any unique text of up to 100 printable ASCII characters (a UUID). A retry with the "
        "same key and the same request answers as the first time, without acting again; "
        "the same key with another request is a 422."
    ),
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
}


def _fingerprint(value: Any) -> Any:
    """What identifies a request's input, for telling a retry from a different request."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, UploadedFile):
        return upload_fingerprint(value)
    if isinstance(value, list | tuple):
        return [_fingerprint(item) for item in value]
    return value


def idempotent_write(status: int) -> Callable[[Callable[..., Any]], Callable[..., HttpResponse]]:
    """Wrap a view that returns the body of its answer into an idempotent write."""

    def decorate(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, **inputs: Any) -> HttpResponse:
            fingerprint = {name: _fingerprint(value) for name, value in inputs.items()}
            return idempotent(
                request,
                key=request.headers.get(HEADER),
                fingerprint=fingerprint,
                run=lambda: (status, view(request, **inputs)),
            )

        # ninja reads the inputs from the signature; the view's annotations are evaluated
        # where the view is written, not here.
        wrapper.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
        return wrapper

    return decorate


class Router(ninja.Router):
    def write(
        self, path: str, *, status: int = 200, response: dict[int, Any], **kwargs: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., HttpResponse]]:
        """A POST that changes something (see the module's docstring)."""
        extra = dict(kwargs.pop("openapi_extra", None) or {})
        extra["parameters"] = [*extra.get("parameters", []), IDEMPOTENCY_PARAMETER]

        def decorate(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
            return self.post(
                path,
                response={**WRITE_ERRORS, **response},
                openapi_extra=extra,
                **kwargs,
            )(idempotent_write(status)(view))

        return decorate


# --------------------------------------------------------------------------- pages
class PageParams(Input):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def page_of(item: type[Any], name: str, **counts: Any) -> type[ninja.Schema]:
    """The schema of one page of `item`s, named for the OpenAPI document; `counts` names
    further whole-list figures the page carries (e.g. `unread_count=int`)."""
    return create_model(
        name,
        __base__=ninja.Schema,
        count=(int, ...),
        **{key: (kind, ...) for key, kind in counts.items()},
        page=(int, ...),
        page_size=(int, ...),
        results=(list[item], ...),
    )


def paginate(
    rows: Any, params: PageParams, present: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """One page of `rows` (a queryset or a list), each presented by `present`."""
    start = (params.page - 1) * params.page_size
    count = rows.count() if hasattr(rows, "count") and not isinstance(rows, Sequence) else len(rows)
    return {
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "results": [present(row) for row in rows[start : start + params.page_size]],
    }
