# Two commands: `make demo` (set up, then run the main job on the bundled corpus) and `make test`.
# torch is installed FIRST and pinned: the CPU build lies on the machine's disk; an unpinned torch
# would pull a multi-GB CUDA build.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
OUT    ?= out/demo

.PHONY: demo test install bench train evaluate browser-check clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[test,profile]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/imnm-nlp extract corpora/demo --out $(OUT) --report
	@echo "Outputs in $(OUT)/: records.jsonl claims.csv errors.jsonl manifest.json report.html"

test: $(STAMP)
	$(PY) -m pytest -q

evaluate: $(STAMP)
	$(VENV)/bin/imnm-nlp evaluate --gold corpora/gold/dev.jsonl --no-model
	$(VENV)/bin/imnm-nlp evaluate --gold corpora/gold/dev.jsonl

bench: $(STAMP)
	$(PY) scripts/bench.py

train: $(STAMP)
	$(VENV)/bin/imnm-nlp train --out models/imnm-e5-lora

browser-check: $(STAMP)
	$(PY) -m pytest -q -m browser tests/test_report_browser.py

clean:
	rm -rf out build dist *.egg-info
