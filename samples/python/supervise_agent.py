#!/usr/bin/env python3
"""Runs samples/python/agent.py under the IronAspire Supervisor with the SDK, watches its metrics and logs, stops it.

    IRONASPIRE_ADMIN_KEY=<printed by the AppHost> PYTHONPATH=sdk/python python3 samples/python/supervise_agent.py

Settings (environment): IRONASPIRE_SUPERVISOR_URL (http://127.0.0.1:8101), SUPERVISE_SECONDS (5).
"""
import os
import sys
import time

import ironaspire

AGENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "agent.py")


def main() -> int:
    client = ironaspire.Client()
    # The bare name: the Supervisor looks it up on PATH for the user agents run as, who may not reach this interpreter.
    agent = client.start_agent("python3", [AGENT], name="supervised-sample", budget_usd=0.05,
                               restart="on-failure", max_restarts=3, env={"AGENT_INTERVAL": "0.5"})
    try:
        agent.wait("Running", timeout=30)
        print(f"agent {agent.id} running as pid {agent.pid}", flush=True)
        time.sleep(float(os.environ.get("SUPERVISE_SECONDS") or "5"))
        m = agent.metrics()
        print(f"calls {m.calls}, tokens {m.tokens}, spent {m.spent_usd} USD, PII {m.pii_detections}", flush=True)
        for line in agent.logs(tail=3):
            print(f"  [{line.stream}] {line.text}", flush=True)
        print(f"stopped: {agent.stop().state}", flush=True)
    finally:
        agent.delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
