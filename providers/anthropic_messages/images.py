"""golem:llm images → Messages `image` blocks (reference/providers.md §2.1).

- A URL becomes a `url` source: Anthropic fetches it.  A `data:` URL is not fetchable, so
  `data:<type>;base64,<data>` is turned into the `base64` source it stands for.
- Inline bytes become a `base64` source; base64 is this module's business (golem:llm hands
  over raw bytes).
- The media type must be one of `image/jpeg`, `image/png`, `image/gif`, `image/webp`, the
  only four the API takes; anything else is refused here, before a request exists, with
  the list in the message.  It is compared case-insensitively, and the common misspelling
  `image/jpg` is read as `image/jpeg`.
- `detail` has no Anthropic equivalent (the API sizes images itself) and is ignored.
"""

from __future__ import annotations

import base64
import binascii
from normalizer.values import ImageReference, ImageSource, ImageUrl
from providers.common.refusal import Refusal
from providers.common.json_body import JsonObject

MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
_ALIASES = (("image/jpg", "image/jpeg"),)


def image_block(reference: ImageReference, where: str) -> JsonObject:
    """One `{"type": "image", "source": ...}` block; an image that cannot be sent is refused."""
    if isinstance(reference, ImageUrl):
        source = _url_source(reference.url, where)
    else:
        source = _inline_source(reference, where)
    return {"type": "image", "source": source}


def media_type(raw: str, where: str) -> str:
    """The accepted media type for `raw`; any other is refused, naming the four accepted."""
    normalized = raw.strip().lower()
    for alias, canonical in _ALIASES:
        if normalized == alias:
            normalized = canonical
    if normalized not in MEDIA_TYPES:
        raise Refusal(
            f"{where}: image type {raw!r} is not accepted by the Anthropic API "
            f"(accepted: {', '.join(MEDIA_TYPES)})"
        )
    return normalized


def _inline_source(source: ImageSource, where: str) -> JsonObject:
    mime = media_type(source.mime_type, where)
    if not source.data:
        raise Refusal(f"{where}: inline image has no data")
    return {
        "type": "base64",
        "media_type": mime,
        "data": base64.b64encode(source.data).decode("ascii"),
    }


def _url_source(url: str, where: str) -> JsonObject:
    url = url.strip()
    if not url:
        raise Refusal(f"{where}: image URL is empty")
    if url[:5].lower() != "data:":
        return {"type": "url", "url": url}
    header, comma, payload = url[5:].partition(",")
    params = [p.strip() for p in header.split(";")]
    if not comma or "base64" not in (p.lower() for p in params[1:]):
        raise Refusal(f"{where}: a data: image URL must be base64 (data:<type>;base64,<data>)")
    mime = media_type(params[0], where)
    payload = "".join(payload.split())
    try:
        base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise Refusal(f"{where}: the data: image URL does not hold valid base64") from None
    if not payload:
        raise Refusal(f"{where}: inline image has no data")
    return {"type": "base64", "media_type": mime, "data": payload}
