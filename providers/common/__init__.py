"""What the Anthropic Messages and Chat Completions dialects do the same way, written once.

The dialect packages keep everything that is theirs (wire shapes, the key patterns they
scrub, reserved option names, schema rules); the mechanics both need live here, one job per
module:

- `refusal`        `Refusal`, raised where a rule fails; the provider turns it into a value
- `secrets`        the API key: read from the environment, kept out of error values
- `error_response` a non-2xx response → `LlmError` that never raises and never holds the key
- `request_parts`  the endpoint URL, strict JSON in, compact JSON out, the refusal value
- `options`        `provider-options` → typed JSON body fields, with reserved keys refused
- `tools`          unique tool names, schema text → JSON, a tool-choice that names a tool
- `guards`         the provider methods' boundary: a `Refusal` or a bug becomes an error value
"""
