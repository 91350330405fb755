# Two commands on a fresh machine: `make run` (the main job, on the embedded defaults) and
# `make test` (the whole suite with its real services). Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test setup lint bench clean model

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	@scripts/install-system-deps run
	$(BIN)/patrol demo

lint: setup
	$(BIN)/ruff check .

# Each benchmark once at its tiny size, so that none rots (figures printed, never asserted),
# before the suite, whose summary stays the last line.
test: setup
	scripts/install-system-deps test
	scripts/searchnode/build opensearch elasticsearch
	scripts/s3proxy/build
	$(BIN)/ruff check .
	$(BIN)/python -m benchmarks --size tiny
	$(BIN)/python -m pytest

# Every benchmark at a size that takes a few minutes in all; one table at the end.
bench: setup
	scripts/install-system-deps test
	scripts/searchnode/build opensearch
	$(BIN)/python -m benchmarks --size bench

# The public-opinion model and the platform lexicon, from the public datasets in DATA (a folder
# holding 2019-CCF-BDCI-NLP/, P2PDA/ and webservice/; see docs/labelling.md), and the offer gate,
# from the project's corpus (tests/corpus). Deterministic: the same data and labels give the
# same files, which are committed.
model: setup
	test -n "$(DATA)" || { echo "usage: make model DATA=/path/to/realdata"; exit 2; }
	$(BIN)/python -m pip install -q -e '.[train]'
	$(BIN)/python scripts/build_platform_lexicon.py --data "$(DATA)"
	$(BIN)/python scripts/train_opinion_model.py --data "$(DATA)"
	$(BIN)/python scripts/train_offer_gate.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
