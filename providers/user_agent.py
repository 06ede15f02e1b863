"""The `User-Agent` every request carries: the project, its version and the provider.

A server's logs, or a gateway's, then say which client called and through which provider's
component; an HTTP client that sends none is also refused outright by some gateways and
WAFs.  The version is pyproject.toml's (tests/providers/test_user_agent.py checks that they
agree): the component cannot read package metadata, since only the engine's `.py` files are
staged.
"""

from __future__ import annotations

PROJECT = "golem-llm-py"
VERSION = "0.1.0"


def user_agent(provider: str) -> str:
    """`golem-llm-py/0.1.0 (openai)`: product/version, and the provider as a comment."""
    return f"{PROJECT}/{VERSION} ({provider})"
