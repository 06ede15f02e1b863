"""Build tooling: turns the guest packages into components.  Never staged into one.

- `componentize`: the rules every component build follows (inputs hash, staging, a lock per
  target, the pinned componentize-py call);
- `wit_deps`: the pinned WASI 0.2.0 WIT and the project's Golem WIT, put into `wit/deps/`;
- `build`: the golem:llm components, `python -m tools.build`.
"""
