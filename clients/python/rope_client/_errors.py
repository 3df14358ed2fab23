"""Exceptions: server refusals (`RopeServerError` and its subclasses), connection failures (`RopeConnectionError`)."""

from __future__ import annotations

from typing import Mapping


class RopeError(Exception):
    """Base of every exception this package raises."""


class RopeConnectionError(RopeError):
    """The server could not be reached, or the connection broke before a complete answer arrived."""


class RopeServerError(RopeError):
    """The server answered with an error status.

    Attributes:
        status: the HTTP status code.
        error_type: the server's machine-readable kind (`validation_error`, `overloaded`, ...), or "" when the body
            was not the contract's JSON error.
        message: the server's sentence naming the offending field.
        retry_after: seconds from the `Retry-After` header, when the server sent one.
    """

    def __init__(self, status: int, error_type: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"{status} {error_type}: {message}" if error_type else f"{status}: {message}")
        self.status = status
        self.error_type = error_type
        self.message = message
        self.retry_after = retry_after


class RopeMalformedRequestError(RopeServerError):
    """400: the body is not valid JSON or not a valid .npy file."""


class RopeUnauthorizedError(RopeServerError):
    """401: the server needs `Authorization: Bearer <key>` (give `api_key=`) or the key is wrong."""


class RopeNotFoundError(RopeServerError):
    """404: no endpoint at this path (for instance /spectrum on a server that predates it)."""


class RopeMethodNotAllowedError(RopeServerError):
    """405: the path exists, but not with this method."""


class RopePayloadTooLargeError(RopeServerError):
    """413 (and 414, 431): a size limit of the server (see `RopeClient.info()["limits"]`)."""


class RopeUnsupportedMediaTypeError(RopeServerError):
    """415: a Content-Type or .npy dtype the endpoint does not read."""


class RopeValidationError(RopeServerError):
    """422: well-formed input that breaks the contract; `message` names the field."""


class RopeOverloadedError(RopeServerError):
    """503 or 429: the server refuses work for now; retry after `retry_after` seconds."""


_BY_STATUS: Mapping[int, type[RopeServerError]] = {
    400: RopeMalformedRequestError,
    401: RopeUnauthorizedError,
    404: RopeNotFoundError,
    405: RopeMethodNotAllowedError,
    413: RopePayloadTooLargeError,
    414: RopePayloadTooLargeError,
    415: RopeUnsupportedMediaTypeError,
    422: RopeValidationError,
    429: RopeOverloadedError,
    431: RopePayloadTooLargeError,
    503: RopeOverloadedError,
}


def server_error(status: int, error_type: str, message: str, retry_after: float | None) -> RopeServerError:
    """The exception for an error status: the subclass of that status, else `RopeServerError` itself."""
    return _BY_STATUS.get(status, RopeServerError)(status, error_type, message, retry_after)
