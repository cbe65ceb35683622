"""The OpenAPI schema's shared parts: the error shape on every operation."""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Stable, English: invalid, not_authenticated, "
                    "permission_denied, not_found, method_not_allowed, throttled, server_error…",
                },
                "message": {
                    "type": "string",
                    "description": "For people, in Vietnamese unless Accept-Language asks for "
                    "English.",
                },
                "fields": {
                    "type": "object",
                    "description": "The inputs at fault (400), each with its messages.",
                    "additionalProperties": True,
                },
            },
        }
    },
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema of a view, described only by what ``extend_schema`` says.

    Its default describes an operation by the view's docstring, which is written for the
    project's developers in English (and is inherited from DRF's own classes where a view has
    none); the summaries given to ``extend_schema`` are translated.
    """

    # drf-spectacular's override takes no arguments, unlike DRF's inspector it derives from.
    def get_description(self) -> str:  # type: ignore[override]
        return ""


_ERRORS = {
    "400": "The input is not valid; fields names what to correct.",
    "401": "No credentials, or a token that is unknown, expired or revoked.",
    "403": "Signed in, but the token lacks the scope (or the CSRF check failed).",
    "404": "Not found, or outside the caller's scope.",
    "429": "Too many requests; Retry-After says how many seconds to wait.",
}
_METHODS = ("get", "put", "post", "patch", "delete")


def error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation may answer the documented errors,
    each in the one error shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in result.get("paths", {}).values():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in _ERRORS.items():
                responses.setdefault(code, {"description": description, "content": body})
            responses["429"]["headers"] = {
                "Retry-After": {
                    "schema": {"type": "integer", "minimum": 1},
                    "description": "Seconds to wait before the next request.",
                }
            }
    return result
