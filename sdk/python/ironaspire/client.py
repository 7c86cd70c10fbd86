"""The entry point: the Supervisor's control API with the admin key."""
from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ._http import JsonApi, quote
from .agent import Agent
from .errors import IronAspireError
from .session import Session

DEFAULT_SUPERVISOR_URL = "http://127.0.0.1:8101"


class Client:
    """IronAspire's control plane. ``supervisor_url`` defaults to ``IRONASPIRE_SUPERVISOR_URL`` (else
    http://127.0.0.1:8101) and ``admin_key`` to ``IRONASPIRE_ADMIN_KEY``. The Router's URL is asked of the Supervisor."""

    def __init__(self, supervisor_url: Optional[str] = None, admin_key: Optional[str] = None, timeout: float = 30.0) -> None:
        url = supervisor_url or os.environ.get("IRONASPIRE_SUPERVISOR_URL") or DEFAULT_SUPERVISOR_URL
        key = admin_key or os.environ.get("IRONASPIRE_ADMIN_KEY")
        if not key:
            raise IronAspireError("no admin key: pass admin_key or set IRONASPIRE_ADMIN_KEY (the AppHost prints it)")
        self._api = JsonApi(url, key, timeout)
        self._router: Optional[Dict[str, Any]] = None

    @property
    def supervisor_url(self) -> str:
        return self._api.base_url

    def _router_urls(self) -> Dict[str, Any]:
        if self._router is None:
            self._router = self._api.request("GET", "/v1/router")
        return self._router

    @property
    def router_url(self) -> str:
        """The Router's base URL as the Supervisor knows it (where its agents reach it)."""
        return str(self._router_urls()["routerBaseUrl"])

    @property
    def openai_base_url(self) -> str:
        return str(self._router_urls()["openAIBaseUrl"])

    @property
    def anthropic_base_url(self) -> str:
        return str(self._router_urls()["anthropicBaseUrl"])

    def session(self, name: str, budget_usd: float, models: Optional[Sequence[str]] = None,
                limits: Optional[Mapping[str, Any]] = None) -> Session:
        """A governed session (use it with ``with``): its own key and a hard budget of ``budget_usd``; ``models``
        limits what it may call (names or ``*`` patterns), ``limits`` (rate limits) is passed to the Supervisor as is."""
        return Session(self, name, budget_usd, models, limits)

    def start_agent(self, command: str, args: Optional[Sequence[str]] = None, name: Optional[str] = None,
                    budget_usd: Optional[float] = None, restart: Optional[str] = None,
                    env: Optional[Mapping[str, str]] = None, *, max_restarts: Optional[int] = None,
                    working_directory: Optional[str] = None, models: Optional[Sequence[str]] = None,
                    limits: Optional[Mapping[str, Any]] = None, project_id: Optional[str] = None) -> Agent:
        """Starts ``command args...`` under supervision with OPENAI_BASE_URL/OPENAI_API_KEY (and the Anthropic pair)
        pointing at the Router with a key of its own. ``restart`` is ``"never"`` (default) or ``"on-failure"``
        (with ``max_restarts``). The Supervisor requires a budget: without ``budget_usd`` it answers 400, raised as
        IronAspireError with its message."""
        body: Dict[str, Any] = {"name": name or os.path.basename(args[0] if args else command), "command": command,
                                "args": list(args or [])}
        optional = {"budgetUsd": budget_usd, "restart": restart, "env": dict(env) if env is not None else None,
                    "maxRestarts": max_restarts, "workingDirectory": working_directory,
                    "models": list(models) if models is not None else None, "limits": limits, "projectId": project_id}
        body.update({k: v for k, v in optional.items() if v is not None})
        created = self._api.request("POST", "/v1/agents", body)
        return self.agent(created["id"])

    def agent(self, agent_id: str) -> Agent:
        """One agent by id (NotFound if there is none)."""
        return Agent(self._api, self._api.request("GET", f"/v1/agents/{quote(agent_id)}"))

    def agents(self) -> List[Agent]:
        """Every agent the Supervisor knows, oldest first (sessions included)."""
        return [Agent(self._api, view) for view in self._api.request("GET", "/v1/agents")]
