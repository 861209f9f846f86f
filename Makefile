# Two commands a person needs: `make demo` and `make test`. Everything else is set-up they call.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := requirements/constraints.txt
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench samples clean

setup: $(STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[dev]"
	touch $(STAMP)

demo: setup
	$(BIN)/shenbao batch data/samples/packets --out out/demo \
		--manifest data/samples/manifest.csv --registry data/samples/registry.csv
	@echo "Reports: $(CURDIR)/out/demo/index.html (one report.html, result.json and audit.jsonl per packet; summary.xlsx)"

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check shenbao tests bench

bench: setup
	$(BIN)/python bench/ocr_speed.py

samples: setup
	$(BIN)/python -m shenbao.fixtures.samples data/samples

clean:
	rm -rf $(VENV) out var
