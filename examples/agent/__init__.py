"""The example agent: a Python component (`guest/`, world `wit/agent.wit`) that imports
golem:llm/llm@1.0.0 and exports a tool loop and a streaming call; `build.py` builds it and
composes it with each provider component; `host.py` runs a composition in wasmtime-py, as a
plain WASI instance or as an emulated Golem worker."""
