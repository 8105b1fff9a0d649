# ismonitor: `make run` sets up and runs the demo; `make test` sets up and runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo

.PHONY: install run test lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@echo "Installed: $(BIN)/ismonitor"

run: install
	$(BIN)/ismonitor demo-data --out $(DEMO) --seed 2018
	$(BIN)/ismonitor validate $(DEMO)/responses.csv --instrument ism-2018
	$(BIN)/ismonitor score $(DEMO)/responses.csv --instrument ism-2018 --json > $(DEMO)/scores.json
	$(BIN)/ismonitor summary $(DEMO)/responses.csv --instrument ism-2018
	@echo
	@echo "Done. The demo edition is SYNTHETIC (no real organisation). Look next at:"
	@echo "  $(DEMO)/responses.csv   the answers of 139 organisations (ism-2018)"
	@echo "  $(DEMO)/scores.json     each organisation's maturity scores, stage, position and advice"
	@echo "  $(BIN)/ismonitor score $(DEMO)/responses.csv --instrument ism-2018 --lang en"
	@echo "  $(BIN)/ismonitor --help, and docs/ (the instrument, the responses, the maturity model)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install lint
	# pytest exits 5 when it collected no tests: that is not a failure.
	$(BIN)/pytest || [ $$? -eq 5 ]

clean:
	rm -rf $(VENV) $(DEMO) build *.egg-info src/*.egg-info
