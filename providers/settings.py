"""The knobs of a call's HTTP exchange: one table, read from the environment and, per call,
from provider options named like the variables in lower case.

Every knob is a `Setting`: its variable (`GOLEM_LLM_MAX_RETRIES`), its default, and what it
means.  A call reads them through `CallSettings`: the call's provider option wins
(`golem_llm_max_retries`), then the variable, then the default.  Those options are the
component's, never the provider's: `CallSettings.of_call` takes every option whose key
starts with `golem_llm_` out of the config before a request is built, and refuses one it
does not know or a value that is not a whole number (a typo must not be forwarded to the
provider, nor silently do nothing).  A variable that is not a whole number keeps the
default, as it always has.

The values are read at call time (module-level code runs at build time in a component).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Union

from normalizer.values import Config

OPTION_PREFIX = "golem_llm_"


@dataclass(frozen=True)
class Setting:
    """One knob: `env` is its variable; its provider option is `env.lower()`."""

    env: str
    default: Union[int, str]
    #: The text values a string setting accepts (empty for a whole-number setting).
    choices: tuple[str, ...] = ()
    #: What it does, in a line (README's table of variables is rendered from it).
    doc: str = ""

    @property
    def option(self) -> str:
        return self.env.lower()


# The host's own limits for the exchange (wasi:http request options), a backstop: 0 keeps
# the host's default.
CONNECT_TIMEOUT = Setting("GOLEM_LLM_CONNECT_TIMEOUT_MS", 30_000,
                          doc="the host's limit to connect (0: the host's default)")
FIRST_BYTE_TIMEOUT = Setting("GOLEM_LLM_FIRST_BYTE_TIMEOUT_MS", 600_000,
                             doc="the host's limit for the response to start")
BETWEEN_BYTES_TIMEOUT = Setting("GOLEM_LLM_BETWEEN_BYTES_TIMEOUT_MS", 300_000,
                                doc="the host's limit between two reads of the body")
# The guest's own deadlines, counted in events (providers/timeouts.py); 0 turns one off.
FIRST_EVENT_TIMEOUT = Setting("GOLEM_LLM_FIRST_EVENT_TIMEOUT_MS", 600_000,
                              doc="the first SSE event is due this long after the request "
                                  "(0: off)")
BETWEEN_EVENTS_TIMEOUT = Setting("GOLEM_LLM_BETWEEN_EVENTS_TIMEOUT_MS", 300_000,
                                 doc="each next event is due this long after the last; "
                                     "comments do not count (0: off)")
# Trying again (providers/retry.py).
MAX_RETRIES = Setting("GOLEM_LLM_MAX_RETRIES", 2,
                      doc="retries of a failed request before the first event")
MAX_RESUMES = Setting("GOLEM_LLM_MAX_RESUMES", 1,
                      doc="continuation requests after a stream broke mid-answer")
RETRY_DELAY = Setting("GOLEM_LLM_RETRY_DELAY_MS", 500,
                      doc="the first retry's pause, doubled each time (at most 16x)")
MAX_RETRY_AFTER = Setting("GOLEM_LLM_MAX_RETRY_AFTER_MS", 60_000,
                          doc="the longest `retry-after` waited out; longer is returned "
                              "as the error")
# When a stream is complete (providers/response_decoder.py).
END_MARKER = Setting("GOLEM_LLM_END_MARKER", "auto", ("auto", "required", "optional"),
                     doc="whether a stream is complete only at its end marker (`auto`: "
                         "at the provider's own URL)")
# How many streams one instance keeps open (components/chat_stream.py).
MAX_OPEN_STREAMS = Setting("GOLEM_LLM_MAX_OPEN_STREAMS", 16,
                           doc="streams one instance keeps open; one more closes the "
                               "least recently read (0: no cap)")
# One line per call to stderr (providers/request_log.py); off by default.
LOG = Setting("GOLEM_LLM_LOG", "off", ("off", "info", "debug", "trace"),
              doc="one line per call to stderr; `debug` adds one per request, `trace` "
                  "the request body")
# Durable flavour: how long a blocking-get-next waits after its first events for more, so
# one oplog entry holds several (durability/batch_window.py); 0 = one entry per read.
STREAM_BATCH_WINDOW = Setting("GOLEM_LLM_STREAM_BATCH_WINDOW_MS", 200,
                              doc="durable: a blocking-get-next after the stream's first "
                                  "events waits this long for more, one oplog entry for all "
                                  "(0: off)")

SETTINGS: tuple[Setting, ...] = (
    CONNECT_TIMEOUT, FIRST_BYTE_TIMEOUT, BETWEEN_BYTES_TIMEOUT,
    FIRST_EVENT_TIMEOUT, BETWEEN_EVENTS_TIMEOUT,
    MAX_RETRIES, MAX_RESUMES, RETRY_DELAY, MAX_RETRY_AFTER,
    END_MARKER, MAX_OPEN_STREAMS, STREAM_BATCH_WINDOW, LOG,
)
_BY_OPTION = {setting.option: setting for setting in SETTINGS}


class SettingError(ValueError):
    """A provider option of ours that names no setting or has a value it cannot take."""


@dataclass(frozen=True)
class CallSettings:
    """The settings one call runs with: its own options over the environment."""

    env: Mapping[str, str]
    options: Mapping[str, str]

    @staticmethod
    def of_call(env: Mapping[str, str], config: Config) -> tuple["CallSettings", Config]:
        """The call's settings, and its config without our options (what the provider is
        sent).  Raises `SettingError` for an option of ours it cannot use."""
        ours: dict[str, str] = {}
        kept = []
        for kv in config.provider_options:
            if not kv.key.lower().startswith(OPTION_PREFIX):
                kept.append(kv)
                continue
            setting = _BY_OPTION.get(kv.key.lower())
            if setting is None:
                known = ", ".join(sorted(_BY_OPTION))
                raise SettingError(f"unknown provider option {kv.key!r}: the options starting "
                                   f"with {OPTION_PREFIX!r} are the component's own ({known})")
            value = kv.value.strip()
            if not _valid(setting, value):
                wanted = ("one of " + ", ".join(setting.choices) if setting.choices
                          else "a whole number")
                raise SettingError(f"provider option {kv.key!r} must be {wanted}, not {kv.value!r}")
            ours[setting.option] = value
        if not ours:
            return CallSettings(env, {}), config
        return CallSettings(env, ours), replace(config, provider_options=tuple(kept))

    def get(self, setting: Setting) -> Union[int, str]:
        """The option, else the variable (when valid), else the default."""
        if setting.option in self.options:
            return _parse(setting, self.options[setting.option])
        raw = (self.env.get(setting.env) or "").strip()
        if raw and _valid(setting, raw):
            return _parse(setting, raw)
        return setting.default

    def int(self, setting: Setting) -> int:
        value = self.get(setting)
        return value if isinstance(value, int) else int(setting.default)

    def text(self, setting: Setting) -> str:
        return str(self.get(setting))


def _valid(setting: Setting, value: str) -> bool:
    if setting.choices:
        return value.lower() in setting.choices
    return value.isascii() and value.isdigit()


def _parse(setting: Setting, value: str) -> Union[int, str]:
    return value.lower() if setting.choices else int(value)
