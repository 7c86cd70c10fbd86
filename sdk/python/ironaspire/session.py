"""A governed session: an agent record with its own key and budget (no process), revoked when the session ends."""
from __future__ import annotations

import os
import uuid
from types import TracebackType
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Type

from ._http import quote
from .errors import IronAspireError
from .models import BudgetStatus, Call

if TYPE_CHECKING:
    from .client import Client


class Session:
    """Use as a context manager (``with client.session("my-app", budget_usd=1.0) as s:``): entering creates the agent
    record with its own key and budget at the Supervisor; leaving revokes the key, after which the Router answers 401
    (within its key cache time, 2 s by default). The record, its spend and its calls stay readable after the end.

    Point any OpenAI client at ``base_url`` and any Anthropic client at ``anthropic_base_url``, with ``api_key``.
    The budget properties ask the Supervisor each time they are read.
    """

    def __init__(self, client: "Client", name: str, budget_usd: float, models: Optional[Sequence[str]] = None,
                 limits: Optional[Mapping[str, Any]] = None) -> None:
        self._client = client
        self.name = name
        self._budget_usd = budget_usd
        self._models = list(models) if models is not None else None
        self._limits = dict(limits) if limits is not None else None
        self._created: Optional[Dict[str, Any]] = None
        self._closed = False

    # -- lifecycle -----------------------------------------------------------------------------------------------
    def open(self) -> "Session":
        """Creates the agent record (done by ``with``); a second call does nothing."""
        if self._created is None:
            if self._closed:
                raise IronAspireError("this session has ended; start a new one")
            body: Dict[str, Any] = {"name": self.name, "budgetUsd": self._budget_usd}
            if self._models is not None:
                body["models"] = self._models
            if self._limits is not None:
                body["limits"] = self._limits
            self._created = self._client._api.request("POST", "/v1/agents", body)
        return self

    def close(self) -> None:
        """Revokes the session's key (done by leaving ``with``); a second call does nothing."""
        if self._created is not None and not self._closed:
            self._client._api.request("POST", f"/v1/agents/{quote(self.agent_id)}/revoke")
            self._closed = True

    @property
    def is_open(self) -> bool:
        """True between ``open()`` and ``close()``: the key works."""
        return self._created is not None and not self._closed

    def __enter__(self) -> "Session":
        return self.open()

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> None:
        self.close()

    # -- what an LLM client needs --------------------------------------------------------------------------------
    def _field(self, name: str) -> str:
        if self._created is None:
            raise IronAspireError("the session is not open: use it in a with block or call open()")
        return str(self._created[name])

    @property
    def agent_id(self) -> str:
        return self._field("id")

    @property
    def api_key(self) -> str:
        """The session's own agent key (send it as ``Authorization: Bearer`` or ``x-api-key``)."""
        return self._field("apiKey")

    @property
    def base_url(self) -> str:
        """The Router's OpenAI base URL (ends in ``/v1``), for ``openai.OpenAI(base_url=..., api_key=...)``."""
        return self._field("openAIBaseUrl")

    @property
    def anthropic_base_url(self) -> str:
        """The Router's base URL for ``anthropic.Anthropic(base_url=..., api_key=...)`` (the SDK appends /v1/messages)."""
        return self._field("anthropicBaseUrl")

    # -- budget --------------------------------------------------------------------------------------------------
    @property
    def budget_status(self) -> BudgetStatus:
        """Spent, limit, reserved and remaining, read now from the Budget service through the Supervisor."""
        view = self._client._api.request("GET", f"/v1/agents/{quote(self.agent_id)}")
        if view.get("budget") is None:
            raise IronAspireError("the Budget service cannot be reached: the budget is unknown right now", status=503)
        return BudgetStatus.from_json(view["budget"])

    @property
    def spent_usd(self) -> float:
        return self.budget_status.spent

    @property
    def reserved_usd(self) -> float:
        """Held by calls in flight (their worst case), until they complete."""
        return self.budget_status.reserved

    @property
    def limit_usd(self) -> float:
        return self.budget_status.limit

    @property
    def remaining_usd(self) -> float:
        return self.budget_status.remaining

    def set_budget(self, usd: float) -> BudgetStatus:
        """Sets the limit (USD); raising it lets calls that were refused with BudgetExceeded go through again."""
        answer = self._client._api.request("PUT", f"/v1/agents/{quote(self.agent_id)}/budget", {"budgetUsd": usd})
        return BudgetStatus.from_json(answer)

    def calls(self, limit: int = 100) -> List[Call]:
        """The session's calls as Analytics recorded them (its call log), newest first, at most ``limit`` (1-1000); they
        arrive a moment after each call."""
        answer = self._client._api.request("GET", f"/v1/agents/{quote(self.agent_id)}/calls", query={"limit": limit})
        return [Call.from_json(c) for c in answer["calls"]]

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed" if self._closed else "not opened"
        agent = self._created["id"] if self._created else None
        return f"Session(name={self.name!r}, agent_id={agent!r}, {state})"


class LlmRouter(Session):
    """The session under the name of the package IronAspire replaces: it opens at once, so both
    ``router = LlmRouter(budget=5.0) ... router.stop()`` and ``with LlmRouter(budget=5.0) as router:`` work.
    The Supervisor and admin key come from ``IRONASPIRE_SUPERVISOR_URL`` / ``IRONASPIRE_ADMIN_KEY`` unless a
    ``client`` is given."""

    def __init__(self, budget: float, name: Optional[str] = None, client: Optional["Client"] = None,
                 models: Optional[Sequence[str]] = None, limits: Optional[Mapping[str, Any]] = None) -> None:
        if client is None:
            from .client import Client

            client = Client()
        super().__init__(client, name or f"llm-router-{os.getpid()}-{uuid.uuid4().hex[:6]}", budget, models, limits)
        self.open()

    def total_spent(self) -> float:
        """USD spent so far."""
        return self.spent_usd

    def stop(self) -> None:
        """Ends the session: the key is revoked."""
        self.close()

    @property
    def is_running(self) -> bool:
        return self.is_open
