"""The calls from Rasa to the action server (``python -m bench.levers16 call``):

- the JSON body of one call, bytes and Rasa's CPU to build and encode it, with
  the domain sent to every action (Rasa's default) and with none
  (endpoints.yml; the form validators read theirs from the domain files,
  actions/form_domain.py);
- Rasa's CPU per call to an action-server stand-in in another process, with a
  session per call (Rasa's own ``EndpointConfig.request``) and kept alive
  (rasa_ext/action_calls.py).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

from bench.levers_support import conversation, cpu_ms, in_flight_cpu, per_call

ACTION_SERVER = """
import sys
from aiohttp import web
async def webhook(request):
    await request.read()
    return web.json_response({"events": [], "responses": []})
app = web.Application(); app.router.add_post("/webhook", webhook)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=lambda *_: print("up", flush=True))
"""


def bench_keepalive(calls: int = 2000, in_flight: int = 20) -> list[dict[str, Any]]:
    """Rasa's CPU per call to an action server stand-in (another process), body 12 KB."""
    from rasa.utils.endpoints import EndpointConfig

    from rasa_ext import action_calls
    from tests.stack import free_port

    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", ACTION_SERVER, str(port)],
                              stdout=subprocess.PIPE, text=True)
    body = {"next_action": "action_recommend", "tracker": {"events": ["x" * 100] * 120}}
    rows = []
    try:
        assert server.stdout is not None
        server.stdout.readline()
        for name in ("Rasa's own (a session per call)", "kept alive"):
            if name == "kept alive":
                action_calls.install()
            endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")

            async def run(endpoint: EndpointConfig = endpoint) -> tuple[float, float]:
                async def one(_: int) -> None:
                    await endpoint.request(json=body, method="post")

                return await in_flight_cpu(one, calls, in_flight)

            rows.append(per_call("session", name, calls, in_flight, *asyncio.run(run())))
        return rows
    finally:
        server.terminate()
        server.wait()


def bench_action_call(runs: int = 200) -> list[dict[str, Any]]:
    """Bytes and CPU of one call's JSON body, with the domain sent to every action or not."""
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    rows = []
    for turns in (12, 60):
        tracker, domain = conversation(f"bench-call-{turns}", 1, turns)
        for selective in (False, True):
            endpoint = EndpointConfig("http://127.0.0.1:1/webhook",
                                      enable_selective_domain=selective)
            for name in ("action_recommend", "validate_profile_form"):
                action = RemoteAction(name, endpoint)

                async def body(action: RemoteAction = action, tracker: Any = tracker,
                               domain: Any = domain) -> None:
                    json.dumps(action._action_call_format(tracker, domain))

                rows.append({
                    "turns": turns, "selective_domain": selective, "action": name,
                    "body_bytes": len(json.dumps(action._action_call_format(tracker, domain))),
                    "body_cpu_ms": cpu_ms(runs, body),
                })
    return rows
