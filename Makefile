# Two commands do everything on a fresh machine: `make demo` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-done
DEMO := out/demo

.PHONY: setup demo test lint bench-synth clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	touch $@

demo: setup
	$(VENV)/bin/ocrnet synth --preview $(DEMO)/synth_preview.png --kind scene,sign,plate,document,receipt
	$(VENV)/bin/ocrnet synth --kind scene,sign,plate,document,receipt,crop --n 24 --out $(DEMO)/synth --workers 2
	@echo "demo outputs in $(DEMO)/"

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check ocrnet tests

bench-synth: setup
	$(VENV)/bin/ocrnet synth --bench --n 200 --kind scene,sign,plate,document,receipt,crop

clean:
	rm -rf out .pytest_cache .ruff_cache
