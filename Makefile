# Two commands do everything on a fresh machine: `make demo` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-done
DEMO := out/demo

# `make results RESULTS_ARGS="--reuse tesseract,ppocrv4,ppocrv6,easyocr"` re-runs OCRNet only.
.PHONY: setup demo test lint bench-synth results clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	touch $@

demo: setup
	rm -f $(DEMO)/results.jsonl
	$(VENV)/bin/ocrnet read examples --json $(DEMO)/results.jsonl --viz $(DEMO)/overlays --masks $(DEMO)/masks \
		--erase $(DEMO)/erased --markdown $(DEMO)/markdown
	$(VENV)/bin/ocrnet synth --preview $(DEMO)/synth_preview.png
	@echo "demo outputs in $(DEMO)/: overlays/, masks/, erased/, markdown/, results.jsonl, synth_preview.png"

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check ocrnet tests

bench-synth: setup
	$(VENV)/bin/ocrnet synth --bench --n 200 --kind scene,sign,plate,document,receipt,crop

results: setup
	-[ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-eng >/dev/null
	$(PY) -m pip install -q -e '.[compare]'
	$(PY) scripts/results.py ../shared/data $(RESULTS_ARGS)

clean:
	rm -rf out .pytest_cache .ruff_cache
