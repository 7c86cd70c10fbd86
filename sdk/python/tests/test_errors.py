"""Error mapping and URL handling against a tiny local HTTP server (no IronAspire app needed)."""
import http.server
import json
import os
import threading
import unittest
import urllib.error
import urllib.request
from typing import Any, Dict, List, Optional, Tuple
from unittest import mock

import ironaspire

# path -> (status, headers, body) the fake server answers
Answer = Tuple[int, Dict[str, str], Any]


class FakeService:
    """An HTTP server on a free loopback port answering canned responses and recording what it was asked."""

    def __init__(self, answers: Dict[Tuple[str, str], Answer]) -> None:
        self.answers = answers
        self.requests: List[Tuple[str, str, Dict[str, str], Optional[Any]]] = []
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                service.requests.append((self.command, self.path, dict(self.headers), body))
                status, headers, payload = service.answers.get((self.command, self.path), (404, {}, {"title": "Not Found"}))
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def call(url: str) -> ironaspire.IronAspireError:
    """What a plain-HTTP agent does: POST, and turn the HTTPError into the SDK's exception."""
    try:
        urllib.request.urlopen(urllib.request.Request(url, data=b"{}", method="POST"), timeout=5)
    except urllib.error.HTTPError as error:
        return ironaspire.from_http_error(error)
    raise AssertionError("expected an HTTP error")


class ErrorMappingTests(unittest.TestCase):
    def setUp(self) -> None:
        self.service = FakeService({
            ("POST", "/v1/chat/completions"): (402, {}, {"error": {
                "message": "Budget exceeded: spent 0.000100 of 0.000100 USD.", "type": "insufficient_quota", "code": "budget_exceeded"}}),
            ("POST", "/v1/messages"): (401, {}, {"type": "error", "error": {"type": "authentication_error", "message": "Invalid API key."}}),
            ("POST", "/limited"): (429, {"Retry-After": "7"}, {"error": {"message": "Rate limit reached.", "type": "rate_limit", "code": "rate_limited"}}),
            ("POST", "/limited-date"): (429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, {"error": {"message": "slow down"}}),
            ("POST", "/problem"): (400, {}, {"title": "One or more validation errors occurred.", "status": 400,
                                             "errors": {"budgetUsd": ["budgetUsd is required."]}}),
            ("POST", "/text"): (503, {}, b"upstream down"),
        })
        self.addCleanup(self.service.close)

    def test_402_is_budget_exceeded_with_the_apis_message_and_code(self) -> None:
        error = call(self.service.url + "/v1/chat/completions")
        self.assertIsInstance(error, ironaspire.BudgetExceeded)
        self.assertEqual("Budget exceeded: spent 0.000100 of 0.000100 USD.", str(error))
        self.assertEqual(("budget_exceeded", 402), (error.code, error.status))

    def test_anthropic_401_is_unauthorized(self) -> None:
        error = call(self.service.url + "/v1/messages")
        self.assertIsInstance(error, ironaspire.Unauthorized)
        self.assertEqual("Invalid API key.", error.message)
        self.assertEqual("authentication_error", error.code)

    def test_429_is_rate_limited_with_retry_after_in_seconds_or_as_a_date(self) -> None:
        error = call(self.service.url + "/limited")
        self.assertIsInstance(error, ironaspire.RateLimited)
        assert isinstance(error, ironaspire.RateLimited)
        self.assertEqual(7.0, error.retry_after)
        self.assertEqual("Rate limit reached.", str(error))
        dated = call(self.service.url + "/limited-date")
        assert isinstance(dated, ironaspire.RateLimited)
        self.assertEqual(0.0, dated.retry_after)  # a date in the past: retry now

    def test_problem_details_and_plain_text_keep_their_message(self) -> None:
        problem = call(self.service.url + "/problem")
        self.assertIs(type(problem), ironaspire.IronAspireError)
        self.assertEqual("One or more validation errors occurred. (budgetUsd: budgetUsd is required.)", str(problem))
        text = call(self.service.url + "/text")
        self.assertEqual(("upstream down", 503), (str(text), text.status))

    def test_every_error_is_an_ironaspire_error(self) -> None:
        for cls in (ironaspire.BudgetExceeded, ironaspire.RateLimited, ironaspire.Unauthorized, ironaspire.NotFound,
                    ironaspire.WaitTimeout):
            self.assertTrue(issubclass(cls, ironaspire.IronAspireError), cls)


class ClientTests(unittest.TestCase):
    def setUp(self) -> None:
        self.service = FakeService({
            ("GET", "/v1/router"): (200, {}, {"routerBaseUrl": "http://10.0.0.5:8100", "openAIBaseUrl": "http://10.0.0.5:8100/v1",
                                              "anthropicBaseUrl": "http://10.0.0.5:8100"}),
            ("GET", "/v1/agents/agt-x%2Fy"): (404, {}, {"title": "Agent not found", "detail": "There is no agent 'agt-x/y'.", "status": 404}),
            ("GET", "/v1/agents"): (401, {}, {"title": "Unauthorized", "detail": "The admin key is missing or wrong."}),
        })
        self.addCleanup(self.service.close)

    def test_the_router_is_discovered_from_the_supervisor_named_by_the_environment(self) -> None:
        with mock.patch.dict(os.environ, {"IRONASPIRE_SUPERVISOR_URL": self.service.url + "/", "IRONASPIRE_ADMIN_KEY": "k" * 20}):
            client = ironaspire.Client()
        self.assertEqual(self.service.url, client.supervisor_url)
        self.assertEqual("http://10.0.0.5:8100", client.router_url)
        self.assertEqual("http://10.0.0.5:8100/v1", client.openai_base_url)
        self.assertEqual("http://10.0.0.5:8100", client.anthropic_base_url)
        method, path, headers, _ = self.service.requests[0]
        self.assertEqual(("GET", "/v1/router", "Bearer " + "k" * 20), (method, path, headers["Authorization"]))

    def test_defaults_and_a_missing_admin_key(self) -> None:
        with mock.patch.dict(os.environ, {"IRONASPIRE_ADMIN_KEY": "k" * 20}):
            os.environ.pop("IRONASPIRE_SUPERVISOR_URL", None)
            self.assertEqual("http://127.0.0.1:8101", ironaspire.Client().supervisor_url)
        with mock.patch.dict(os.environ, {}, clear=True):
            with self.assertRaises(ironaspire.IronAspireError):
                ironaspire.Client()

    def test_supervisor_errors_raise_with_its_message_and_ids_are_escaped(self) -> None:
        client = ironaspire.Client(self.service.url, "k" * 20)
        with self.assertRaises(ironaspire.NotFound) as missing:
            client.agent("agt-x/y")
        self.assertEqual("Agent not found: There is no agent 'agt-x/y'.", str(missing.exception))
        with self.assertRaises(ironaspire.Unauthorized):
            client.agents()

    def test_an_unreachable_supervisor_is_an_ironaspire_error_without_status(self) -> None:
        self.service.close()
        with self.assertRaises(ironaspire.IronAspireError) as unreachable:
            ironaspire.Client(self.service.url, "k" * 20, timeout=2).agents()
        self.assertIsNone(unreachable.exception.status)

    def test_a_session_is_not_usable_before_it_is_opened(self) -> None:
        session = ironaspire.Client(self.service.url, "k" * 20).session("s", budget_usd=1)
        self.assertFalse(session.is_open)
        with self.assertRaises(ironaspire.IronAspireError):
            _ = session.api_key
        session.close()  # nothing to revoke: no request
        self.assertEqual([], self.service.requests)


if __name__ == "__main__":
    unittest.main()
