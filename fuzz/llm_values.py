"""Hypothesis strategies for every golem:llm input value, including hostile ones.

Used to fuzz the component boundary (any input must come back as a value, never a trap,
tests/components/test_fuzz.py) and to round-trip the durability codec
(tests/durability/test_codec_properties.py).  Strings exclude lone surrogates because a
WIT `string` cannot carry them: the host refuses them before the component is called.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

from normalizer import values as v

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
SHORT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
U32 = st.integers(min_value=0, max_value=2**32 - 1)

details = st.none() | st.sampled_from(list(v.ImageDetail))
image_refs = st.one_of(
    st.builds(v.ImageUrl, url=st.sampled_from(["https://example.com/a.png", "", "not a url"])
              | TEXT, detail=details),
    st.builds(v.ImageSource, data=st.binary(max_size=64),
              mime_type=st.sampled_from(["image/png", "image/jpeg", "", "text/plain"]) | SHORT,
              detail=details),
)
content_parts = st.one_of(st.builds(v.Text, TEXT), st.builds(v.Image, image_refs))
messages = st.builds(
    v.Message,
    role=st.sampled_from(list(v.Role)),
    content=st.lists(content_parts, max_size=3).map(tuple),
    name=st.none() | SHORT,
)

json_schemas = st.one_of(
    st.just('{"type": "object", "properties": {"city": {"type": "string"}}}'),
    st.just(""),
    st.just("{not json"),
    st.just("[1, 2]"),
    st.dictionaries(SHORT, st.integers() | SHORT, max_size=3).map(json.dumps),
    TEXT,
)
tools = st.builds(v.ToolDefinition, name=SHORT, parameters_schema=json_schemas,
                  description=st.none() | TEXT)
kvs = st.builds(v.Kv, key=st.sampled_from(["seed", "user", "model", "stream", "top_p",
                                           "stream_options", "api_key"]) | SHORT,
                value=st.sampled_from(["7", "true", "null", '{"a": 1}', "[", "0.5"]) | TEXT)
floats32 = st.floats(width=32, allow_nan=True, allow_infinity=True)

configs = st.builds(
    v.Config,
    model=st.sampled_from(["auto", "text", "tool-call", "parallel-tool-calls", "length",
                           "error-400", "in-band-error", "truncated"]) | SHORT,
    temperature=st.none() | floats32,
    max_tokens=st.none() | U32,
    stop_sequences=st.none() | st.lists(SHORT, max_size=3).map(tuple),
    tools=st.lists(tools, max_size=2).map(tuple),
    tool_choice=st.none() | st.sampled_from(["auto", "none", "required", ""]) | SHORT,
    provider_options=st.lists(kvs, max_size=3).map(tuple),
)

tool_calls = st.builds(v.ToolCall, id=SHORT, name=SHORT,
                       arguments_json=st.sampled_from(["{}", '{"a": 1}', ""]) | TEXT)
tool_results = st.one_of(
    st.builds(v.ToolSuccess, id=SHORT, name=SHORT, result_json=TEXT,
              execution_time_ms=st.none() | U32),
    st.builds(v.ToolFailure, id=SHORT, name=SHORT, error_message=TEXT,
              error_code=st.none() | SHORT),
)
tool_pairs = st.lists(st.tuples(tool_calls, tool_results), max_size=3)

# --- Output values (responses, stream events), for round-tripping the durability codec ---

usages = st.builds(v.Usage, input_tokens=st.none() | U32, output_tokens=st.none() | U32,
                   total_tokens=st.none() | U32)
response_metadata = st.builds(
    v.ResponseMetadata,
    finish_reason=st.none() | st.sampled_from(list(v.FinishReason)),
    usage=st.none() | usages,
    provider_id=st.none() | SHORT,
    timestamp=st.none() | st.sampled_from(["1700000000", "2025-05-01T00:00:00Z"]) | SHORT,
    provider_metadata_json=st.none() | st.just('{"system_fingerprint": "fp"}') | TEXT,
)
llm_errors = st.builds(v.LlmError, code=st.sampled_from(list(v.ErrorCode)), message=TEXT,
                       provider_error_json=st.none() | TEXT)
complete_responses = st.builds(
    v.CompleteResponse, id=SHORT, content=st.lists(content_parts, max_size=3).map(tuple),
    tool_calls=st.lists(tool_calls, max_size=3).map(tuple), metadata=response_metadata)
chat_events = st.one_of(
    complete_responses,
    st.builds(v.ToolRequest, st.lists(tool_calls, max_size=3).map(tuple)),
    llm_errors,
)
stream_deltas = st.builds(
    v.StreamDelta,
    content=st.none() | st.lists(content_parts, max_size=3).map(tuple),
    tool_calls=st.none() | st.lists(tool_calls, max_size=2).map(tuple),
)
stream_events = st.one_of(stream_deltas, st.builds(v.Finish, response_metadata), llm_errors)
get_next_batches = st.none() | st.lists(stream_events, max_size=5)
"""What one `get-next` returns: `None` (nothing ready yet) or a batch."""
