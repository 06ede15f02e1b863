# Two entry points on a fresh clone: `make demo` and `make test`.  Each sets up what it
# needs itself: a local virtualenv with pinned packages, the WASI WIT from a pinned
# registry package, and the components (rebuilt only when their sources change).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready

.PHONY: demo test build clean

$(READY): requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(READY)

build: $(READY)
	$(BIN)/python -m components.build

demo: build
	$(BIN)/python -m runtime.cli demo

test: build
	$(BIN)/python -m pytest -q

clean:
	rm -rf dist build .cache wit/deps
