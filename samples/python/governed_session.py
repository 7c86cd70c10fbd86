#!/usr/bin/env python3
"""A governed session with the IronAspire SDK: its own key and a hard budget, calls until the budget refuses one,
a raised budget, and the calls Analytics recorded. Standard library only (plain HTTP to the Router); with the
official packages it is the same session:

    openai.OpenAI(base_url=session.base_url, api_key=session.api_key)
    anthropic.Anthropic(base_url=session.anthropic_base_url, api_key=session.api_key)

    IRONASPIRE_ADMIN_KEY=<printed by the AppHost> PYTHONPATH=sdk/python python3 samples/python/governed_session.py

Settings (environment): IRONASPIRE_SUPERVISOR_URL (http://127.0.0.1:8101), SESSION_BUDGET_USD (0.0002),
SESSION_MODEL (gpt-4o-mini), SESSION_MAX_CALLS (20).
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

import ironaspire


def chat(session: ironaspire.Session, model: str, prompt: str) -> str:
    body = json.dumps({"model": model, "max_tokens": 32, "messages": [{"role": "user", "content": prompt}]}).encode()
    request = urllib.request.Request(session.base_url + "/chat/completions", data=body, method="POST",
                                     headers={"Authorization": "Bearer " + session.api_key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)["choices"][0]["message"].get("content") or ""
    except urllib.error.HTTPError as error:
        raise ironaspire.from_http_error(error) from None  # BudgetExceeded, RateLimited, Unauthorized, ...


def main() -> int:
    budget = float(os.environ.get("SESSION_BUDGET_USD") or "0.0002")
    model = os.environ.get("SESSION_MODEL") or "gpt-4o-mini"
    max_calls = int(os.environ.get("SESSION_MAX_CALLS") or "20")
    client = ironaspire.Client()
    with client.session("governed-session-sample", budget_usd=budget) as session:
        print(f"session {session.agent_id}: {session.base_url}, budget {session.limit_usd} USD", flush=True)
        for n in range(1, max_calls + 1):
            try:
                text = chat(session, model, "Say something short about budgets.")
            except ironaspire.BudgetExceeded as refused:
                print(f"call {n}: refused: {refused.message}", flush=True)
                break
            except ironaspire.RateLimited as limited:
                time.sleep(limited.retry_after or 1)
                continue
            print(f"call {n}: {text[:60]!r}", flush=True)
        else:
            print(f"the budget paid for all {max_calls} calls", flush=True)

        session.set_budget(budget * 10)
        print(f"budget raised to {session.limit_usd} USD; next call: {chat(session, model, 'One more?')[:60]!r}", flush=True)
        status = session.budget_status
        print(f"spent {status.spent:.9f} of {status.limit} USD ({status.reserved:.9f} reserved)", flush=True)

    # The key is revoked now; the record stays, and Analytics has every call (a moment after it was made).
    deadline = time.monotonic() + 30
    calls = session.calls()
    while time.monotonic() < deadline and sum(c.cost_usd for c in calls) < session.spent_usd - 1e-12:
        time.sleep(0.5)
        calls = session.calls()
    print(f"{len(calls)} calls recorded, {sum(c.cost_usd for c in calls):.9f} USD", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
