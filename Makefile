# remin — the README's two commands: `make demo` and `make test`.
# Both create a virtualenv in .venv and install remin with everything it needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test bench fuzz check-excel clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*; touch $@

demo: $(STAMP)
	$(VENV)/bin/remin check data/examples/ev-drive-unit.xlsx --rates data/examples/rates-example.csv

test: $(STAMP)
	$(PY) -m pytest -q -n 2

BENCH_STAMP := $(VENV)/.bench-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	touch $@

bench: $(BENCH_STAMP)  ## remin vs read-only floors -> bench/RESULTS.md (< 10 min on 2 cores)
	$(PY) bench/harness.py --suite full --out bench/RESULTS.md

# a long fuzzing run of every reader (CI runs a bounded number of examples in `make test`)
fuzz: $(STAMP)
	REMIN_FUZZ_EXAMPLES=$${REMIN_FUZZ_EXAMPLES:-2000} $(PY) -m pytest -q -n 2 tests/test_fuzz.py

# the workbook opened by a real spreadsheet program (LibreOffice headless -> PDF);
# needs: apt-get install -y --no-install-recommends libreoffice-calc-nogui
check-excel: $(STAMP)
	$(PY) -m pytest -q -rs tests/test_excel_libreoffice.py

clean:
	rm -rf $(VENV) .pytest_cache
