"""The fixed facts of the Anthropic Messages API that the request depends on.

Plain immutable constants: module code runs at component build time, so nothing here reads
the environment; the variables named here are read when a request is built.
"""

from __future__ import annotations

LABEL = "Anthropic"
"""How the provider is named in error messages."""

NAME = "anthropic"
"""`Provider.name` and the component name (`llm-anthropic.wasm`)."""

API_KEY_ENV = "ANTHROPIC_API_KEY"
"""The variable holding the API key, sent as `x-api-key`."""

BASE_URL_ENV = "ANTHROPIC_BASE_URL"
"""Overrides `DEFAULT_BASE_URL` (proxies, gateways, the local provider emulator).  Like the
official SDKs' variable of the same name, it is the origin *without* `/v1`: the request goes
to `{base}/v1/messages`."""

DEFAULT_BASE_URL = "https://api.anthropic.com"

PATH = "/v1/messages"

API_VERSION = "2023-06-01"
"""The `anthropic-version` header; required by the API, and the version every current
model and feature (tools, images, thinking) is documented against."""

DEFAULT_MAX_TOKENS = 4096
"""`max_tokens` is required by the Messages API and golem:llm's is optional.  4096 is the
largest output limit that every Claude model accepts (the Claude 3 models cap output at
4096, newer ones allow more), so the default never makes a request fail on any model while
leaving room for an ordinary answer.  Set `config.max-tokens` (or the `max_tokens` provider
option) for longer answers.  When the `thinking` option gives a `budget_tokens`, the
default becomes budget + 4096, because the API requires max_tokens > budget_tokens."""
