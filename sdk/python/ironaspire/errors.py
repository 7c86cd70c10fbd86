"""Exceptions carrying the API's own message, for the Supervisor's ProblemDetails and the Router's OpenAI and
Anthropic error bodies alike."""
from __future__ import annotations

import email.utils
import json
import time
import urllib.error
from typing import Any, Mapping, Optional, Tuple, Union


class IronAspireError(Exception):
    """Base of every IronAspire error. ``status`` is the HTTP status (None when the service could not be reached),
    ``code`` the API's error code or type (``budget_exceeded``, ``invalid_api_key``, ...) and ``body`` the parsed body."""

    def __init__(self, message: str, status: Optional[int] = None, code: Optional[str] = None, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.body = body


class Unauthorized(IronAspireError):
    """401: a missing, wrong or revoked key (an agent key at the Router, the admin key at the Supervisor)."""


class BudgetExceeded(IronAspireError):
    """402: the budget cannot pay for the call; the message names the spend and the limit."""


class NotFound(IronAspireError):
    """404: no such agent (or, at the Router, a model the agent may not use)."""


class RateLimited(IronAspireError):
    """429: too many calls. ``retry_after`` is the wait in seconds the server asked for (None when it did not say)."""

    def __init__(self, message: str, status: Optional[int] = None, code: Optional[str] = None, body: Any = None,
                 retry_after: Optional[float] = None) -> None:
        super().__init__(message, status, code, body)
        self.retry_after = retry_after


class WaitTimeout(IronAspireError, TimeoutError):
    """``Agent.wait`` gave up: the agent did not reach the state in time."""


_BY_STATUS = {401: Unauthorized, 402: BudgetExceeded, 404: NotFound}


def error_for(status: int, body: Union[bytes, str, Mapping[str, Any], None],
              headers: Optional[Mapping[str, str]] = None) -> IronAspireError:
    """The exception for an HTTP error answer from any IronAspire service (Router or Supervisor).

    Use it in code that calls the Router with plain HTTP::

        except urllib.error.HTTPError as e:
            raise ironaspire.from_http_error(e)
    """
    parsed = _parse(body)
    message, code = _message_and_code(parsed)
    if not message:
        message = f"HTTP {status}"
    if status == 429:
        return RateLimited(message, status, code, parsed, retry_after=_retry_after(headers))
    return _BY_STATUS.get(status, IronAspireError)(message, status, code, parsed)


def from_http_error(error: urllib.error.HTTPError) -> IronAspireError:
    """The exception for a ``urllib.error.HTTPError`` raised by ``urllib.request.urlopen`` (reads its body)."""
    try:
        body = error.read()
    except OSError:
        body = b""
    return error_for(error.code, body, error.headers)


def _parse(body: Union[bytes, str, Mapping[str, Any], None]) -> Any:
    if body is None or isinstance(body, Mapping):
        return body
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        return text


def _message_and_code(body: Any) -> Tuple[str, Optional[str]]:
    if isinstance(body, str):
        return body.strip()[:500], None
    if not isinstance(body, Mapping):
        return "", None
    error = body.get("error")
    if isinstance(error, Mapping):
        # OpenAI: {"error": {"message", "type", "code"}}; Anthropic: {"type": "error", "error": {"type", "message"}}.
        return str(error.get("message") or ""), error.get("code") or error.get("type")
    # ProblemDetails: title and detail, and for a validation problem what is wrong with each field.
    message = ": ".join(str(body[k]) for k in ("title", "detail") if body.get(k))
    errors = body.get("errors")
    if isinstance(errors, Mapping) and errors:
        fields = "; ".join(f"{field}: {' '.join(map(str, problems))}" for field, problems in errors.items())
        message = f"{message} ({fields})" if message else fields
    return message, body.get("code")


def _retry_after(headers: Optional[Mapping[str, str]]) -> Optional[float]:
    value = headers.get("Retry-After") if headers is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:  # an HTTP date
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
