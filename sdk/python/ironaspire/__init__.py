"""IronAspire's Python SDK (standard library only).

A governed session with a budget in three lines::

    import ironaspire
    with ironaspire.Client().session("my-app", budget_usd=1.0) as s:
        openai.OpenAI(base_url=s.base_url, api_key=s.api_key).chat.completions.create(...)

Agents under supervision: ``Client().start_agent("python3", ["agent.py"], budget_usd=0.5)``.
"""
from .agent import FINAL_STATES, Agent
from .client import DEFAULT_SUPERVISOR_URL, Client
from .errors import (BudgetExceeded, IronAspireError, NotFound, RateLimited, Unauthorized, WaitTimeout, error_for,
                     from_http_error)
from .models import AgentMetrics, BudgetStatus, Call, LogLine
from .session import LlmRouter, Session

__version__ = "0.1.0"

__all__ = [
    "Agent", "AgentMetrics", "BudgetExceeded", "BudgetStatus", "Call", "Client", "DEFAULT_SUPERVISOR_URL", "FINAL_STATES",
    "IronAspireError", "LlmRouter", "LogLine", "NotFound", "RateLimited", "Session", "Unauthorized", "WaitTimeout",
    "error_for", "from_http_error",
]
