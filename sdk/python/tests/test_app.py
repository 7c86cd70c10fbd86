"""The SDK against the real running app (scripts/test-python.sh starts it and sets IRONASPIRE_SUPERVISOR_URL and
IRONASPIRE_ADMIN_KEY). Calls go through the Router with plain HTTP (urllib), as an agent without the openai package
would make them; the MockProvider answers."""
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request
import uuid
from typing import Any, Callable, Dict, Optional, TypeVar

import ironaspire

T = TypeVar("T")
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SAMPLE_AGENT = os.path.join(REPO, "samples", "python", "agent.py")
# The bare name: the Supervisor resolves it on PATH for the unprivileged user agents run as (docs/security.md); this
# interpreter (sys.executable, e.g. pyenv's under /root) may be one that user cannot run.
AGENT_PYTHON = "python3"


def run_sample(name: str, **env: str) -> str:
    """Runs samples/python/<name> against the app (the SDK from this checkout) and returns its output."""
    environment = dict(os.environ, PYTHONPATH=os.path.join(REPO, "sdk", "python"), **env)
    done = subprocess.run([sys.executable, os.path.join(REPO, "samples", "python", name)], env=environment,
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"{name} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def chat(base_url: str, api_key: str, max_tokens: int = 16) -> Dict[str, Any]:
    """One OpenAI chat completion through the Router; an HTTP error raises the SDK's exception."""
    body = json.dumps({"model": "gpt-4o-mini", "max_tokens": max_tokens,
                       "messages": [{"role": "user", "content": "Say something short."}]}).encode()
    request = urllib.request.Request(base_url + "/chat/completions", data=body, method="POST",
                                     headers={"Authorization": "Bearer " + api_key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise ironaspire.from_http_error(error) from None


def message(anthropic_base_url: str, api_key: str) -> Dict[str, Any]:
    """One Anthropic message through the Router (x-api-key, /v1/messages appended as the Anthropic SDK does)."""
    body = json.dumps({"model": "claude-sonnet-4-5", "max_tokens": 16,
                       "messages": [{"role": "user", "content": "Say something short."}]}).encode()
    request = urllib.request.Request(anthropic_base_url + "/v1/messages", data=body, method="POST", headers={
        "x-api-key": api_key, "anthropic-version": "2023-06-01", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise ironaspire.from_http_error(error) from None


def eventually(probe: Callable[[], Optional[T]], timeout: float = 30.0, what: str = "condition") -> T:
    """Polls until probe() returns something truthy (events and settlements arrive a moment after the calls)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:g} s")
        time.sleep(0.2)


def settled(session: ironaspire.Session) -> ironaspire.BudgetStatus:
    """The budget once no call holds a reservation any more."""
    return eventually(lambda: (lambda s: s if s.reserved == 0 else None)(session.budget_status), what="settlement")


def refused_with_401(session: ironaspire.Session) -> bool:
    """True once the Router refuses the session's key (its key cache holds a revoked key up to 2 s)."""
    try:
        chat(session.base_url, session.api_key)
    except ironaspire.Unauthorized:
        return True
    return False


class AppTestCase(unittest.TestCase):
    client: ironaspire.Client

    @classmethod
    def setUpClass(cls) -> None:
        if not os.environ.get("IRONASPIRE_ADMIN_KEY") or not os.environ.get("IRONASPIRE_SUPERVISOR_URL"):
            raise RuntimeError("these tests need the running app: run scripts/test-python.sh "
                               "(or set IRONASPIRE_SUPERVISOR_URL and IRONASPIRE_ADMIN_KEY)")
        cls.client = ironaspire.Client()


class SessionTests(AppTestCase):
    def test_calls_through_the_router_raise_the_spend_by_their_recorded_cost(self) -> None:
        with self.client.session(unique("sdk-spend"), budget_usd=1.0) as session:
            self.assertTrue(session.base_url.endswith("/v1"), session.base_url)
            self.assertEqual(self.client.openai_base_url, session.base_url)
            self.assertEqual(self.client.anthropic_base_url, session.anthropic_base_url)
            before = session.budget_status
            self.assertEqual((0.0, 1.0, 0.0, 1.0), (before.spent, before.limit, before.reserved, before.remaining))

            answers = [chat(session.base_url, session.api_key) for _ in range(3)]
            answers.append(message(session.anthropic_base_url, session.api_key))
            self.assertTrue(all(a.get("usage") for a in answers))

            status = settled(session)
            self.assertGreater(status.spent, 0)
            self.assertAlmostEqual(1.0 - status.spent, status.remaining, places=9)
            self.assertEqual(status.spent, session.spent_usd)
            self.assertEqual(1.0, session.limit_usd)
            self.assertEqual(0.0, session.reserved_usd)
            self.assertAlmostEqual(status.remaining, session.remaining_usd, places=9)

            calls = eventually(lambda: (lambda c: c if len(c) == 4 else None)(session.calls()), what="4 recorded calls")
            self.assertAlmostEqual(status.spent, sum(c.cost_usd for c in calls), places=9)
            self.assertEqual(["claude-sonnet-4-5", "gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini"], sorted(c.model for c in calls))
            self.assertTrue(all(c.status_code == 200 and not c.failed and c.output_tokens > 0 for c in calls))
            self.assertEqual(4, len({c.event_id for c in calls}), "one entry per call, each with its event id")
            self.assertEqual([c.event_id for c in calls[:2]], [c.event_id for c in session.calls(limit=2)], "newest first")
            self.assertTrue(session.is_open)

        self.assertFalse(session.is_open)
        self.assertTrue(eventually(lambda: refused_with_401(session), timeout=10, what="401 for the revoked key"))
        # The record stays: its spend and calls can be read after the session (calls the Router let through in its
        # key cache window, up to 2 s after the revocation, are in both).
        final = settled(session)
        self.assertGreaterEqual(final.spent, status.spent)
        recorded = eventually(lambda: (lambda c: c if abs(sum(x.cost_usd for x in c) - final.spent) < 1e-9 else None)(
            session.calls()), what="every call recorded")
        self.assertGreaterEqual(len(recorded), 4)
        self.assertEqual("Revoked", self.client.agent(session.agent_id).state)

    def test_a_tiny_budget_ends_in_budget_exceeded_and_set_budget_lets_calls_continue(self) -> None:
        # A call costs ~0.00003 USD and reserves its worst case (~0.00008): this pays for a few, never more.
        with self.client.session(unique("sdk-tiny"), budget_usd=0.0002) as session:
            made = 0
            with self.assertRaises(ironaspire.BudgetExceeded) as refused:
                for _ in range(50):
                    chat(session.base_url, session.api_key)
                    made += 1
            self.assertGreater(made, 0)
            self.assertEqual(402, refused.exception.status)
            self.assertEqual("budget_exceeded", refused.exception.code)
            self.assertTrue(refused.exception.message)
            status = settled(session)
            self.assertLessEqual(status.spent, status.limit)
            self.assertEqual(0.0002, status.limit)

            raised = session.set_budget(1.0)
            self.assertEqual(1.0, raised.limit)
            self.assertIn("choices", chat(session.base_url, session.api_key))
            self.assertGreater(settled(session).spent, status.spent)

    def test_models_limit_what_the_session_may_call(self) -> None:
        with self.client.session(unique("sdk-models"), budget_usd=1.0, models=["claude-*"]) as session:
            with self.assertRaises(ironaspire.NotFound) as refused:
                chat(session.base_url, session.api_key)
            self.assertEqual("model_not_allowed", refused.exception.code)
            self.assertIn("content", message(session.anthropic_base_url, session.api_key))

    def test_llm_router_behaves_the_same(self) -> None:
        router = ironaspire.LlmRouter(budget=0.0002)
        try:
            self.assertTrue(router.is_running)
            self.assertTrue(router.base_url.endswith("/v1"))
            with self.assertRaises(ironaspire.BudgetExceeded):
                for _ in range(50):
                    chat(router.base_url, router.api_key)
            self.assertGreater(eventually(lambda: settled(router).spent), 0)
            self.assertEqual(router.budget_status.spent, router.total_spent())
            self.assertLessEqual(router.total_spent(), 0.0002)
            router.set_budget(0.5)
            self.assertEqual(0.5, router.budget_status.limit)
            chat(router.base_url, router.api_key)
        finally:
            router.stop()
        self.assertFalse(router.is_running)
        self.assertTrue(eventually(lambda: refused_with_401(router), timeout=10, what="401 after stop()"))

        with ironaspire.LlmRouter(budget=0.1, name=unique("sdk-llmrouter")) as again:
            chat(again.base_url, again.api_key)
        self.assertFalse(again.is_running)
        self.assertTrue(eventually(lambda: refused_with_401(again), timeout=10, what="401 after the with block"))

    def test_a_wrong_admin_key_and_an_unknown_agent_raise(self) -> None:
        with self.assertRaises(ironaspire.Unauthorized):
            ironaspire.Client(admin_key="not-the-admin-key-at-all").agents()
        with self.assertRaises(ironaspire.NotFound):
            self.client.agent("agt-does-not-exist")
        with self.assertRaises(ironaspire.IronAspireError) as invalid:
            self.client.session(unique("sdk-bad"), budget_usd=-1).open()
        self.assertEqual(400, invalid.exception.status)
        self.assertIn("budgetUsd", invalid.exception.message)


class SupervisedAgentTests(AppTestCase):
    def test_start_agent_runs_the_sample_agent_under_supervision_and_stop_stops_it(self) -> None:
        name = unique("sdk-sample")
        agent = self.client.start_agent(AGENT_PYTHON, [SAMPLE_AGENT], name=name, budget_usd=1.0,
                                        restart="never", env={"AGENT_INTERVAL": "0.2"})
        try:
            self.assertEqual(name, agent.name)
            agent.wait("Running", timeout=30)
            pid = agent.pid
            self.assertIsNotNone(pid)
            self.assertIn(agent.id, [a.id for a in self.client.agents()])

            metrics = eventually(lambda: (lambda m: m if m.calls >= 3 and (m.spent_usd or 0) > 0 else None)(agent.metrics()),
                                 what="the agent's calls and spend")
            self.assertGreater(metrics.tokens, 0)
            self.assertEqual(metrics.input_tokens + metrics.output_tokens, metrics.tokens)
            self.assertEqual(0, metrics.failures)
            self.assertIsInstance(metrics.pii_detections, dict)
            later = eventually(lambda: (lambda m: m if m.calls > metrics.calls else None)(agent.metrics()), what="more calls")
            self.assertGreaterEqual(later.spent_usd or 0, metrics.spent_usd or 0)

            lines = agent.logs(tail=50)
            self.assertTrue(any(line.text.startswith("call 1:") for line in lines), [line.text for line in lines])
            self.assertTrue(any(agent.id in line.text for line in lines))

            stopped = agent.stop()
            self.assertEqual("Stopped", stopped.state)
            self.assertFalse(os.path.exists(f"/proc/{pid}"), "the agent's process is gone")
            settled_calls = agent.metrics().calls
            time.sleep(1)
            self.assertEqual(settled_calls, agent.metrics().calls, "no calls after stop()")
            self.assertEqual("Stopped", agent.wait(ironaspire.FINAL_STATES, timeout=1).state)
        finally:
            agent.delete()
        with self.assertRaises(ironaspire.NotFound):
            agent.refresh()

    def test_wait_gives_up_with_the_state_it_saw(self) -> None:
        agent = self.client.start_agent(AGENT_PYTHON, ["-c", "import time; time.sleep(60)"], name=unique("sdk-sleeper"),
                                        budget_usd=0.1)
        try:
            agent.wait("Running", timeout=30)
            with self.assertRaises(ironaspire.WaitTimeout) as gave_up:
                agent.wait("Exited", timeout=0.5)
            self.assertIn("Running", str(gave_up.exception))
        finally:
            agent.delete()


class SampleTests(AppTestCase):
    def test_the_governed_session_sample_is_refused_raises_its_budget_and_reads_its_calls(self) -> None:
        output = run_sample("governed_session.py")
        self.assertRegex(output, r"call \d+: refused: ")
        self.assertIn("budget raised to 0.002 USD", output)
        self.assertRegex(output, r"\n[1-9]\d* calls recorded")

    def test_the_supervision_sample_runs_the_agent_and_stops_it(self) -> None:
        output = run_sample("supervise_agent.py", SUPERVISE_SECONDS="2")
        self.assertRegex(output, r"calls [1-9]\d*, tokens [1-9]")
        self.assertIn("stopped: Stopped", output)


if __name__ == "__main__":
    unittest.main()
