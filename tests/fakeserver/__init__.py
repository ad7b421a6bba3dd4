"""A fake OpenAI / Anthropic / Gemini server for tests and benchmarks (stdlib only).

It is a real HTTP/1.1 server on 127.0.0.1 (ephemeral port) running in its own thread, so the
real SDKs talk to it over real sockets. In pytest use the `fake_server` fixture from
`tests/conftest.py`; elsewhere (benchmark scripts):

    from tests.fakeserver import FakeProviderServer, Scenario

    with FakeProviderServer.running() as server:
        server.script(Scenario.text(["a", "b"], tokens_per_s=50))
        ...  # point an SDK at it, see the base URLs below

Base URLs: OpenAI `server.openai_base_url` (`.../v1`); Anthropic and Gemini `server.url`.

Routes
    POST /v1/chat/completions           OpenAI Chat Completions (SSE when "stream": true, else JSON)
    POST /v1/responses                  OpenAI Responses (named SSE events when "stream": true,
                                        else JSON; `server.serves_responses = False`: a 404)
    POST /v1/messages                   Anthropic Messages (SSE when "stream": true, else JSON)
    POST /v1*/models/{m}:generateContent, :streamGenerateContent?alt=sse   Gemini
    GET  /v1*/models                    model list; the format follows the caller (an
                                        `anthropic-version` header = Anthropic,
                                        `x-goog-api-key` = Gemini, else OpenAI)
    anything else                       404 "404 page not found" (as Ollama does for a base URL
                                        without /v1)

Choosing what a generation request gets (first match wins)
    server.script(s1, s2, ...)      queue: each generation request takes the next scenario
    server.on_model("m", s)         every request for model "m"
    server.default_scenario = s     everything else (default: 4 tokens "Hello, world!")
    server.model_ids["openai"] = [...]; server.models_error = Scenario.http_error(500)
    server.refused_fields = {"stream_options"}   Chat Completions requests with these fields get
                                    a 400 "Unrecognized request argument" (no scenario used)

Scenarios (`Scenario`, frozen; `.with_(...)` makes a changed copy)
    Scenario.text(tokens, tokens_per_s=50, ttft_s=0.4)   normal reply; or delay_s= between deltas
    Scenario.reasoning_then_text(["think"], ["answer"])  reasoning deltas first
    Scenario.drop(after=2, rst=False)      connection closed mid-stream (FIN; rst=True: RST)
    Scenario.no_finish()                   body ends cleanly, no finish/usage/[DONE]
    Scenario.error_event(after=2, error_type=None, message="Overloaded")
                                           the provider's mid-stream error event (None: the
                                           format's overloaded type, e.g. Anthropic's
                                           overloaded_error, which the SDK raises as a 200)
    Scenario.stall(seconds, after=1)       no bytes for `seconds`, then carries on
    Scenario.malformed(after=1)            a `data:` line that is not JSON, then carries on
    Scenario.http_error(429, retry_after=2, message=..., error_type=...)   401/403/404/429/
                                           500/503/529...: the provider's error body
    echo_key=True (http_error, error_event, any Scenario)   the error message ends with
                                           ": <the API key the request carried>", as a server
                                           that echoes the key does (also for models_error)
    Scenario.big_delta(200_000)            one delta of 200 kB
    Scenario.emoji_split()                 each event split in two chunks inside a UTF-8 char
    Scenario.json_instead_of_stream()      a streaming request gets the whole JSON reply (as
                                           LiteLLM's mock mode answers Anthropic Messages)
    Other fields: finish=Finish.LENGTH / CONTENT_FILTER, usage=False, input_tokens,
    cached_tokens (the part of input_tokens read from a prompt cache), output_tokens,
    json_body={...} (a whole reply's body in place of the format's),
    failed_event=True (Responses: the mid-stream error is `response.failed`, not `error`).
    `scenario.text_before_fault()` is what a client should have kept.
    Non-streaming requests get one JSON reply after ttft_s + delay_s * deltas (faults: drops
    close without a reply, MALFORMED sends broken JSON, ERROR_EVENT a 500).

Records (`server.requests`, `server.generation_requests`, `server.last`), `RecordedRequest`:
    method, path, query, headers (authorization / x-api-key / x-goog-api-key redacted), body
    (parsed JSON), provider, model, streamed, scenario; server timestamps on
    `time.monotonic()` (the same clock as the engine's): t_received (the request's last byte was
    read, before parsing), t_headers_sent,
    delta_sent_at (each delta, just before it was written), t_end; completed; disconnected
    and t_disconnect (the client went away mid-response, detected at once by watching the
    socket). `await record.await_finished(timeout)` / `record.wait_finished(timeout)` wait
    until the response completed or was cut: synchronise on these, not on sleeps.
"""

from tests.fakeserver.scenario import DEFAULT_TOKENS, Fault, Finish, Scenario
from tests.fakeserver.server import FakeProviderServer, RecordedRequest, clock

__all__ = [
    "DEFAULT_TOKENS",
    "FakeProviderServer",
    "Fault",
    "Finish",
    "RecordedRequest",
    "Scenario",
    "clock",
]
