"""The fake provider server in its own process, so its CPU is not the measured process's.

Protocol (one JSON object per line). The child prints {"port": N} once listening, then reads:
    {"scenario": {"tokens": [...], "delay_s": 0.001, "ttft_s": 0.05, "paced": false}}
                        every request gets this (paced: on a fixed schedule, see Scenario)
    {"records": true}   -> prints a list of {"provider", "model", "t_received", "sent_at", "t_end"}
    {"clear": true}     forget the records
EOF on stdin stops it. Server timestamps are `time.monotonic()`, the engine's clock on Linux.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.fakeserver import FakeProviderServer, Scenario


@dataclass(frozen=True, slots=True)
class ServerRecord:
    provider: str | None
    model: str | None
    t_received: float
    sent_at: list[float]
    t_end: float | None


class FakeServerProcess:
    """The parent's handle on the child server."""

    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self._process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.openai_base_url = f"{self.url}/v1"

    @classmethod
    @contextlib.contextmanager
    def running(cls) -> Iterator[FakeServerProcess]:
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.fake_server_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            port = json.loads(process.stdout.readline())["port"]
            yield cls(process, port)
        finally:
            if process.stdin is not None:
                process.stdin.close()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()

    def _send(self, message: dict[str, Any]) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(message) + "\n")
        self._process.stdin.flush()

    def set_scenario(
        self, tokens: list[str], *, delay_s: float, ttft_s: float, paced: bool = False
    ) -> None:
        scenario = {"tokens": tokens, "delay_s": delay_s, "ttft_s": ttft_s, "paced": paced}
        self._send({"scenario": scenario})

    def records(self) -> list[ServerRecord]:
        self._send({"records": True})
        assert self._process.stdout is not None
        return [ServerRecord(**r) for r in json.loads(self._process.stdout.readline())]

    def clear(self) -> None:
        self._send({"clear": True})


def serve() -> None:
    with FakeProviderServer.running() as server:
        print(json.dumps({"port": server.port}), flush=True)
        cleared = 0
        for line in sys.stdin:
            message = json.loads(line)
            if "scenario" in message:
                spec = message["scenario"]
                server.default_scenario = Scenario(
                    tokens=tuple(spec["tokens"]),
                    delay_s=spec["delay_s"],
                    ttft_s=spec["ttft_s"],
                    paced=spec.get("paced", False),
                )
            elif "records" in message:
                records = [
                    {
                        "provider": r.provider,
                        "model": r.model,
                        "t_received": r.t_received,
                        "sent_at": list(r.delta_sent_at),
                        "t_end": r.t_end,
                    }
                    for r in server.generation_requests[cleared:]
                ]
                print(json.dumps(records), flush=True)
            elif "clear" in message:
                cleared = len(server.generation_requests)


if __name__ == "__main__":
    serve()
