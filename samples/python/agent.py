#!/usr/bin/env python3
"""A minimal governed agent: stdlib only, any OpenAI-compatible endpoint.

It reads OPENAI_BASE_URL and OPENAI_API_KEY (set by the IronAspire Supervisor, or by you), calls
/chat/completions in a loop and prints what it gets. When the budget is exhausted (HTTP 402,
code budget_exceeded) it keeps asking, slowly, so that raising the budget lets it continue;
the Supervisor usually stops it first. Any other error ends it with a non-zero exit code.

    OPENAI_BASE_URL=http://127.0.0.1:8100/v1 OPENAI_API_KEY=ia-... python3 agent.py

Settings (environment): AGENT_MODEL (gpt-4o-mini), AGENT_INTERVAL seconds between calls (1),
AGENT_MAX_CALLS (0 = no end), AGENT_PROMPT, AGENT_MAX_TOKENS (64).
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request


def env(name, default):
    return os.environ.get(name) or default


def call(base_url, api_key, model, prompt, max_tokens):
    body = json.dumps({
        "model": model,
        "max_tokens": max_tokens,
        "messages": [{"role": "user", "content": prompt}],
    }).encode("utf-8")
    request = urllib.request.Request(
        base_url.rstrip("/") + "/chat/completions",
        data=body,
        headers={"Authorization": "Bearer " + api_key, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def main():
    base_url = os.environ.get("OPENAI_BASE_URL")
    api_key = os.environ.get("OPENAI_API_KEY")
    if not base_url or not api_key:
        print("OPENAI_BASE_URL and OPENAI_API_KEY must be set", file=sys.stderr)
        return 2

    model = env("AGENT_MODEL", "gpt-4o-mini")
    interval = float(env("AGENT_INTERVAL", "1"))
    max_calls = int(env("AGENT_MAX_CALLS", "0"))
    max_tokens = int(env("AGENT_MAX_TOKENS", "64"))
    prompt = env("AGENT_PROMPT", "Say something short about governed agents.")
    agent_id = os.environ.get("IRONASPIRE_AGENT_ID", "(unsupervised)")
    print(f"agent {agent_id} calling {base_url} with model {model}", flush=True)

    calls = 0
    while max_calls == 0 or calls < max_calls:
        calls += 1
        try:
            answer = call(base_url, api_key, model, prompt, max_tokens)
            text = answer["choices"][0]["message"].get("content") or ""
            usage = answer.get("usage", {})
            print(f"call {calls}: {text[:80]!r} tokens={usage.get('total_tokens')}", flush=True)
            time.sleep(interval)
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            if error.code == 402:
                # Out of budget: wait for the operator to raise it (or for the Supervisor to stop us).
                print(f"call {calls}: budget exhausted: {detail}", flush=True)
                time.sleep(max(interval, 5))
                continue
            print(f"call {calls}: HTTP {error.code}: {detail}", file=sys.stderr, flush=True)
            return 1
        except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
            print(f"call {calls}: failed: {error}", file=sys.stderr, flush=True)
            return 1
    print(f"done after {calls} calls", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
