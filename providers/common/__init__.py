"""What the Anthropic Messages and Chat Completions dialects do the same way, written once.

The dialect packages keep everything that is theirs (wire shapes, the key patterns they
scrub, reserved option names, schema rules); the mechanics both need live here, one job per
module:

- `refusal`      `Refusal`, raised where a rule fails; `Provider.chat_request` turns it into
                 the error value
- `secrets`      the API key: read from the environment; the one scrubber that keeps it out
                 of everything the component returns or records
- `json_body`    the body's type, strict JSON in, compact JSON out
- `options`      `provider-options` → typed JSON body fields, with reserved keys refused
- `tools`        unique tool names, schema text → JSON, a tool-choice that names a tool
- `http_errors`  the words for each code, and the error body kept as valid JSON
- `response_headers`  the request id and rate-limit state a response's headers give
"""
