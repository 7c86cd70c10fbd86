"""JSON over HTTP with urllib, errors mapped to IronAspire's exceptions."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Mapping, Optional

from .errors import IronAspireError, from_http_error


class JsonApi:
    """One service (the Supervisor) at ``base_url``, authenticated with ``Authorization: Bearer <key>``."""

    def __init__(self, base_url: str, key: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._key = key
        self.timeout = timeout

    def request(self, method: str, path: str, body: Optional[Mapping[str, Any]] = None,
                query: Optional[Mapping[str, Any]] = None) -> Any:
        """The parsed JSON answer (None for an empty one); an HTTP error raises the matching IronAspireError."""
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Authorization": "Bearer " + self._key, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise from_http_error(error) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise IronAspireError(f"{method} {url} failed: {reason}") from error
        return json.loads(raw) if raw.strip() else None


def quote(segment: str) -> str:
    """A path segment (an agent id) made safe for a URL."""
    return urllib.parse.quote(segment, safe="")
