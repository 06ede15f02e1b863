"""The payload types of older oplogs, which replay still reads (never written).

Two shapes came before the one we write (golem-llm v0.2.x's, `durability/llm_schema.py`):

- **golem-llm v0.1.x** (verified at its v0.1.2 tag, `llm/src/durability.rs`, golem-rust
  1.5.3, hand-written `IntoValue` impls): the same records and result wrapping, but its
  unit markers were one-case variants, `NoInput` = `variant { no-input }`, `NoOutput` =
  `variant { no-output }`, `UnusedError` = `variant { unused-error }`; and its golem:llm
  WIT predates `image-reference`, so `content-part` was `variant { text(string),
  image(image-url) }`.  That image decodes as `image(url(...))`, the same value today's
  interface gives it.
- **bare**, what this project's first release wrote: the golem:llm types themselves, no
  result wrapping, `record {}` for "nothing" (the requests were already golem-llm v0.2.x's).
"""

from __future__ import annotations

from durability import llm_schema as s
from durability.wit_schema import STRING, Case, ListT, OptionT, ResultT, TupleT, VariantT, record
from normalizer import values as v

# --- golem-llm v0.1.x ----------------------------------------------------------------------

CONTENT_PART_V01 = VariantT((
    Case("text", STRING, v.Text, "text"),
    Case("image", s.IMAGE_URL, v.Image, "reference"),
))
MESSAGE_V01 = record(("role", s.ROLE), ("name", OptionT(STRING)),
                     ("content", ListT(CONTENT_PART_V01)), cls=v.Message)
_, CHAT_EVENT_V01, _, STREAM_EVENT_V01 = s.answer_types(CONTENT_PART_V01)

NO_INPUT_V01 = VariantT((Case("no-input"),))
NO_OUTPUT_V01 = VariantT((Case("no-output"),))
UNUSED_ERROR_V01 = VariantT((Case("unused-error"),))

SEND_REQUEST_V01 = record(("messages", ListT(MESSAGE_V01)), ("config", s.CONFIG))
CONTINUE_REQUEST_V01 = record(("messages", ListT(MESSAGE_V01)),
                              ("tool-results", ListT(TupleT((s.TOOL_CALL, s.TOOL_RESULT)))),
                              ("config", s.CONFIG))
STREAM_REQUEST_V01 = SEND_REQUEST_V01
GET_NEXT_REQUEST_V01 = NO_INPUT_V01
SEND_RESPONSE_V01 = CONTINUE_RESPONSE_V01 = ResultT(CHAT_EVENT_V01, UNUSED_ERROR_V01)
STREAM_RESPONSE_V01 = ResultT(NO_OUTPUT_V01, UNUSED_ERROR_V01)
GET_NEXT_RESPONSE_V01 = ResultT(OptionT(ListT(STREAM_EVENT_V01)), UNUSED_ERROR_V01)

# --- bare (this project's first release) ----------------------------------------------------

SEND_RESPONSE_BARE = CONTINUE_RESPONSE_BARE = s.CHAT_EVENT
STREAM_RESPONSE_BARE = s.EMPTY
GET_NEXT_RESPONSE_BARE = OptionT(ListT(s.STREAM_EVENT))
