"""An agent under the Supervisor: its state, metrics, logs, and control."""
from __future__ import annotations

import time
from typing import Any, Dict, Iterable, List, Optional, Union

from ._http import JsonApi, quote
from .errors import WaitTimeout
from .models import AgentMetrics, BudgetStatus, LogLine

#: States after which a process will not come back by itself.
FINAL_STATES = frozenset({"Stopped", "Exited", "Failed", "BudgetExhausted", "Lost", "Revoked"})


class Agent:
    """An agent known to the Supervisor. ``state`` and ``view`` are as of the last ``refresh()`` (or creation)."""

    def __init__(self, api: JsonApi, view: Dict[str, Any]) -> None:
        self._api = api
        self.view: Dict[str, Any] = view
        self.id: str = view["id"]

    @property
    def name(self) -> str:
        return str(self.view.get("name", ""))

    @property
    def state(self) -> str:
        """``Pending``, ``Starting``, ``Running``, ``Stopping``, ``Stopped``, ``Exited``, ``Failed``, ``BudgetExhausted``,
        ``Lost`` or ``Revoked`` (see docs/agent-supervisor.md)."""
        return str(self.view.get("state", ""))

    @property
    def reason(self) -> Optional[str]:
        return self.view.get("reason")

    @property
    def pid(self) -> Optional[int]:
        return self.view.get("pid")

    def refresh(self) -> "Agent":
        """Reads the agent again from the Supervisor; raises NotFound once it is deleted."""
        self.view = self._api.request("GET", f"/v1/agents/{quote(self.id)}")
        return self

    def metrics(self) -> AgentMetrics:
        """Spend, calls, tokens and PII detections, read now."""
        return AgentMetrics.from_view(self.refresh().view)

    def budget(self) -> Optional[BudgetStatus]:
        """The budget, read now (None when the Budget service cannot be reached)."""
        budget = self.refresh().view.get("budget")
        return None if budget is None else BudgetStatus.from_json(budget)

    def set_budget(self, usd: float) -> BudgetStatus:
        """Sets the budget's limit; raising an exhausted budget lets the agent be started again."""
        return BudgetStatus.from_json(self._api.request("PUT", f"/v1/agents/{quote(self.id)}/budget", {"budgetUsd": usd}))

    def logs(self, tail: int = 100) -> List[LogLine]:
        """The last ``tail`` lines (1-10000) of its stdout and stderr."""
        answer = self._api.request("GET", f"/v1/agents/{quote(self.id)}/logs", query={"tail": tail})
        return [LogLine(line["timestamp"], line["stream"], line["text"]) for line in answer["lines"]]

    def start(self) -> "Agent":
        """Starts a stopped agent (IronAspireError 409 when it runs, is external, revoked or out of budget)."""
        self.view = self._api.request("POST", f"/v1/agents/{quote(self.id)}/start")
        return self

    def stop(self) -> "Agent":
        """Stops it (SIGTERM to its process group, SIGKILL after the grace period); returns once the group is gone."""
        self.view = self._api.request("POST", f"/v1/agents/{quote(self.id)}/stop")
        return self

    def delete(self) -> None:
        """Stops it, revokes its keys and removes it from the Supervisor (its history stays in Analytics)."""
        self._api.request("DELETE", f"/v1/agents/{quote(self.id)}")

    def wait(self, state: Union[str, Iterable[str]], timeout: float = 30.0, interval: float = 0.2) -> "Agent":
        """Polls until the agent is in ``state`` (a name or several); raises WaitTimeout with the last state."""
        wanted = {state} if isinstance(state, str) else set(state)
        deadline = time.monotonic() + timeout
        while True:
            if self.refresh().state in wanted:
                return self
            if time.monotonic() >= deadline:
                raise WaitTimeout(f"agent {self.id} is {self.state} ({self.reason or 'no reason given'}), "
                                  f"not {' or '.join(sorted(wanted))}, after {timeout:g} s")
            time.sleep(interval)

    def __repr__(self) -> str:
        return f"Agent(id={self.id!r}, name={self.name!r}, state={self.state!r})"
