"""`Provider`: one LLM API's facts, and the boundary where its dialect's mapping becomes values.

A provider is pure data-mapping: it builds an `HttpRequest` from golem:llm values and the
environment, maps error responses to `LlmError`, and supplies the normalizer for its wire
dialect.  It never performs I/O, so the same provider runs natively (tests, benchmarks,
library use) and inside the component, where `components/` does the wasi:http part.

Each provider is one frozen value declared in `providers/<name>.py`, the only place its facts
live, as an instance of its dialect's subclass (`ChatCompletionsProvider`,
`AnthropicMessagesProvider`).  This class holds what every provider states whatever its
dialect, how a request is assembled (the key first, then the dialect's body and headers,
POSTed to the provider's URL), and the three methods its callers use, which return values
and never raise, because an exception escaping a component export traps the worker for
good: the dialect's mapping raises `Refusal` where a rule fails, and it becomes the error
value here, once.
Nothing here is mutable, so a module-level provider is safe to build at component build
time: the environment is read only when a request is built.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import ClassVar, Mapping, Optional, Sequence, Union

from normalizer.protocol import Normalizer
from normalizer.values import (
    Config,
    ErrorCode,
    LlmError,
    Message,
    StreamEvent,
    ToolCall,
    ToolResult,
)
from providers.common.json_body import JsonObject, encode_body
from providers.common.option_headers import option_headers
from providers.common.portable_options import split_options
from providers.common.refusal import Refusal
from providers.common.secrets import Scrubber, api_key, secret_from_env
from providers.outbound import Outbound
from providers.timeouts import TIMEOUT_ENV
from providers.user_agent import user_agent


@dataclass(frozen=True)
class HttpRequest:
    """A fully built request.  Headers hold the secret; never log or persist this object."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True, kw_only=True)
class Provider:
    """What every provider states, whatever its dialect.

    name: its id: the registry key, the component's name (`llm-<name>.wasm`), the CLI's
        `--provider`.
    label: how messages name it ("xAI returned HTTP 400 ...").
    api_key_env: the variable holding the API key, read at call time only (module-level
        code runs at build time in the component).
    base_url_env: the variable that overrides `default_base_url` (proxies, gateways, the
        local provider emulator).
    default_base_url: the API root that `path` is appended to.
    path: the endpoint path.
    default_model: the model the CLI asks for when it is given none.
    emulator_prefix: where the local provider emulator (`runtime/emulator/`) serves this
        API: the base URL to give the component is the emulator's origin plus this prefix.
    headers_from_env: (header, variable) pairs sent when the variable is set and non-empty,
        e.g. OpenRouter's optional attribution headers.
    prefill_model_prefixes: the models (by name prefix; "" is every model) that continue a
        trailing assistant message instead of answering it, which is how a durable stream
        resumes an interrupted answer without repeating it (durability/continuation.py).
    request_id_header: the response header (lower case) holding the provider's id for the
        request, reported as `request_id` in the finish's metadata and in
        `provider-error-json` (`providers/common/response_headers.py`).
    response_id_is_request_id: the answer's own id is that same request id (OpenRouter's
        generation id, `gen-...`, is both), so it stands in when the header is missing.
    option_headers: (documented option, header) pairs: the options this provider takes as
        request headers rather than body fields (xAI's `x-grok-conv-id` for
        `prompt-cache-key`); the dialect leaves them out of the body
        (`providers/common/option_headers.py`).
    reasoning_echo_key: the key of the finish's `provider_metadata_json` that holds the
        reasoning the API wants back before the tool calls it preceded (Anthropic's signed
        `thinking` blocks, OpenRouter's `reasoning_details`); None when the API takes none
        back.  `continue` sends it (`providers/reasoning_memory.py`).
    """

    #: The wire dialect ("chat_completions", "anthropic_messages"): the folder of its mapping
    #: in `providers/` and `normalizer/`.
    dialect: ClassVar[str]
    #: What the dialect's keys and echoed credentials look like, scrubbed from error text
    #: even when the key itself is not at hand.
    key_shaped: ClassVar[re.Pattern[str]]

    name: str
    label: str
    api_key_env: str
    base_url_env: str
    default_base_url: str
    path: str
    default_model: str
    emulator_prefix: str
    headers_from_env: tuple[tuple[str, str], ...] = ()
    prefill_model_prefixes: tuple[str, ...] = ()
    request_id_header: str = "x-request-id"
    response_id_is_request_id: bool = False
    reasoning_echo_key: Optional[str] = None
    option_headers: tuple[tuple[str, str], ...] = ()

    # -- the environment --------------------------------------------------------------------

    @property
    def env_vars(self) -> tuple[str, ...]:
        """Every variable this provider's component reads: the key, the base URL, the
        optional headers and the transport's timeouts."""
        headers = tuple(variable for _, variable in self.headers_from_env)
        return (self.api_key_env, self.base_url_env, *headers, *TIMEOUT_ENV)

    def select(self, environ: Mapping[str, str]) -> dict[str, str]:
        """The set variables of `environ` this provider's component reads: a host passes
        only these, so one provider's key is never visible to another's component."""
        return {name: environ[name] for name in self.env_vars if environ.get(name)}

    def emulator_env(self, origin: str, api_key: str) -> dict[str, str]:
        """The environment that points this provider's component at the local emulator."""
        return {self.api_key_env: api_key, self.base_url_env: origin + self.emulator_prefix}

    def url(self, env: Mapping[str, str]) -> str:
        """The base URL (the override variable when set and non-empty) plus the endpoint
        path; a trailing slash on the base is dropped so "…/v1/" does not give "…/v1//chat"."""
        base = (env.get(self.base_url_env) or "").strip() or self.default_base_url
        return base.rstrip("/") + self.path

    def api_key(self, env: Mapping[str, str]) -> str:
        """The key, stripped; a missing one is refused (`providers.common.secrets`)."""
        return api_key(env, self.api_key_env, self.label)

    def scrubber(self, env: Optional[Mapping[str, str]]) -> Scrubber:
        """The one scrubber for what a call made with `env` returns: its key in every form,
        and in error text anything shaped like this dialect's keys
        (`providers.common.secrets`)."""
        return Scrubber(secret_from_env(self.api_key_env, env), self.key_shaped)

    def outbound(self, env: Optional[Mapping[str, str]]) -> Outbound:
        """The step every value of a call made with `env` takes on its way out of the
        component: valid Unicode, and no key (`providers.outbound`)."""
        return Outbound(self.scrubber(env))

    def extra_headers(self, env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
        """The `headers_from_env` whose variables are set (unset ones are left out rather
        than sent empty)."""
        headers = []
        for header, variable in self.headers_from_env:
            value = (env.get(variable) or "").strip()
            if value:
                headers.append((header, value))
        return tuple(headers)

    def continues_assistant_prefix(self, config: Config) -> bool:
        """Whether `config.model` continues a trailing assistant message (a prefill)."""
        return bool(self.prefill_model_prefixes) and config.model.startswith(
            self.prefill_model_prefixes)

    # -- the boundary: values out, never exceptions -----------------------------------------

    def chat_request(
        self,
        messages: Sequence[Message],
        config: Config,
        env: Mapping[str, str],
        tool_results: Sequence[tuple[ToolCall, ToolResult]] = (),
    ) -> Union[HttpRequest, LlmError]:
        """The streaming request for `send`/`stream` (no tool results) or `continue`, or
        the error value that stops it before anything is sent: a `Refusal` (input the API
        could not accept, a missing key) or, for a bug, an `internal-error` with the key
        scrubbed from it (the exception text may quote request data)."""
        try:
            return self.build_request(messages, config, env, tool_results)
        except Refusal as refusal:
            return refusal.error
        except Exception as exc:  # a bug here must not trap the component
            scrub = self.scrubber(env).diagnostic
            return LlmError(
                ErrorCode.INTERNAL_ERROR,
                scrub(f"building the {self.label} request failed: {type(exc).__name__}: {exc}"),
            )

    def error_from_response(self, status: int, body: bytes,
                            env: Optional[Mapping[str, str]] = None) -> LlmError:
        """The error value for a non-2xx response; it never holds the API key.  The
        scrubber for `env` (the one the request was built from; `scrubber`) runs over the
        body before it is read, so the message and the kept JSON agree and no quoted start
        of the body cuts a key in half, and once more over the result, for a key the body
        wrote in escapes.  No real server echoes a full key, but a proxy, gateway or
        emulator might, and an error value ends up in the oplog and in logs.  A body the
        mapping cannot read still gives the status's meaning."""
        scrub = self.scrubber(env).diagnostic
        body = scrub(body.decode("utf-8", "replace")).encode("utf-8")
        try:
            error = self.error_from_body(status, body)
        except Exception as exc:  # an export must never trap; keep the status's meaning
            error = LlmError(
                self.code_for_status(status),
                f"{self.label} returned HTTP {status}; its body could not be read "
                f"({type(exc).__name__})",
                json.dumps({"status": status}),
            )
        body_json = error.provider_error_json
        return LlmError(error.code, scrub(error.message),
                        None if body_json is None else scrub(body_json))

    def events_from_json(self, body: bytes) -> list[StreamEvent]:
        """Events for a non-streamed (application/json) 2xx response body: a server that
        ignored `stream: true` still gives a correct answer, through the same accumulator;
        an unreadable body is one `internal-error` event."""
        try:
            return self.completion_events(body)
        except Exception as exc:  # an export must never trap
            return [LlmError(
                ErrorCode.INTERNAL_ERROR,
                f"{self.label} response could not be read: {type(exc).__name__}: {exc}",
            )]

    # -- the request (may raise `Refusal`; `chat_request` converts) -------------------------

    def build_request(self, messages: Sequence[Message], config: Config,
                      env: Mapping[str, str],
                      tool_results: Sequence[tuple[ToolCall, ToolResult]]) -> HttpRequest:
        """The POST: the key (a missing one is refused before anything else), the dialect's
        body and headers, the provider's optional headers, the options it takes as headers
        (`option_headers`), then the User-Agent."""
        key = self.api_key(env)
        body = encode_body(self.request_body(messages, config, tool_results, env))
        headers = (*self.request_headers(key), *self.extra_headers(env),
                   *self._option_headers(config), ("User-Agent", user_agent(self.name)))
        return HttpRequest(method="POST", url=self.url(env), headers=headers, body=body)

    def _option_headers(self, config: Config) -> tuple[tuple[str, str], ...]:
        if not self.option_headers:
            return ()
        portable, _ = split_options(config.provider_options)
        return option_headers(portable, self.option_headers)

    # -- the dialect's mapping (may raise; the boundary above converts) ---------------------

    def request_body(self, messages: Sequence[Message], config: Config,
                     tool_results: Sequence[tuple[ToolCall, ToolResult]],
                     env: Mapping[str, str]) -> JsonObject:
        """The request body; raises `Refusal` for input the API could not accept.  `env`
        says where the request goes, which can decide a field's name (Chat Completions'
        max-tokens field for an OpenAI-compatible server)."""
        raise NotImplementedError

    def request_headers(self, key: str) -> tuple[tuple[str, str], ...]:
        """The dialect's headers: authentication with `key`, the body's and answer's types."""
        raise NotImplementedError

    def error_from_body(self, status: int, body: bytes) -> LlmError:
        """The error value for a non-2xx response's (already redacted) body."""
        raise NotImplementedError

    def code_for_status(self, status: int) -> ErrorCode:
        """What an HTTP status means from this provider, when its body says nothing."""
        raise NotImplementedError

    def completion_events(self, body: bytes) -> list[StreamEvent]:
        """The events of a whole (non-streamed) 2xx body."""
        raise NotImplementedError

    def normalizer(self) -> Normalizer:
        """A fresh stream normalizer for one streamed response."""
        raise NotImplementedError
