"""What the APIs answer, as small immutable records."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional


@dataclass(frozen=True)
class BudgetStatus:
    """An agent's budget in USD (the Budget service's figures): ``spent`` and ``limit``, plus what is reserved by calls
    in flight and what is left (``remaining = limit - spent - reserved``)."""

    spent: float
    limit: float
    reserved: float = 0.0
    remaining: float = 0.0
    period: str = ""

    @property
    def exhausted(self) -> bool:
        """True when nothing is left for another call."""
        return self.remaining <= 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "BudgetStatus":
        return cls(spent=float(data["spent"]), limit=float(data["limit"]), reserved=float(data.get("reserved", 0)),
                   remaining=float(data.get("remaining", 0)), period=str(data.get("period") or ""))


@dataclass(frozen=True)
class Call:
    """One LLM call as Analytics recorded it."""

    request_id: str
    provider: str
    model: str
    failed: bool
    status_code: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    latency_ms: float
    streamed: bool
    timestamp: str
    error_type: Optional[str] = None
    cached_input_tokens: int = 0
    event_id: str = ""
    time_to_first_byte_ms: Optional[float] = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Call":
        ttfb = data.get("timeToFirstByteMs")
        return cls(request_id=data["requestId"], provider=data["provider"], model=data["model"], failed=bool(data["failed"]),
                   status_code=int(data["statusCode"]), input_tokens=int(data["inputTokens"]),
                   output_tokens=int(data["outputTokens"]), cost_usd=float(data["costUsd"]),
                   latency_ms=float(data["latencyMs"]), streamed=bool(data["streamed"]), timestamp=data["timestamp"],
                   error_type=data.get("errorType"), cached_input_tokens=int(data.get("cachedInputTokens") or 0),
                   event_id=str(data.get("eventId") or ""), time_to_first_byte_ms=None if ttfb is None else float(ttfb))


@dataclass(frozen=True)
class AgentMetrics:
    """An agent's activity: spend from the Budget service (None when it is unreachable), calls, tokens and PII
    detections by type as the Supervisor counted them since it started."""

    spent_usd: Optional[float]
    calls: int
    failures: int
    input_tokens: int
    output_tokens: int
    tokens: int
    pii_detections: Dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_view(cls, view: Mapping[str, Any]) -> "AgentMetrics":
        budget = view.get("budget")
        return cls(spent_usd=None if budget is None else float(budget["spent"]), calls=int(view.get("requests", 0)),
                   failures=int(view.get("failures", 0)), input_tokens=int(view.get("inputTokens", 0)),
                   output_tokens=int(view.get("outputTokens", 0)), tokens=int(view.get("tokens", 0)),
                   pii_detections={k: int(v) for k, v in (view.get("piiByType") or {}).items()})


@dataclass(frozen=True)
class LogLine:
    """A line the agent wrote: ``stream`` is ``stdout`` or ``stderr``."""

    timestamp: str
    stream: str
    text: str
