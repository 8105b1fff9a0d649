# ismonitor: `make run` sets up and runs the demo; `make test` sets up and runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := demo

.PHONY: install run test lint format clean messages browser

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
	$(BIN)/ismonitor demo-data --out $(DEMO)/2016 --seed 2016 --year 2016
	$(BIN)/ismonitor analyse $(DEMO)/responses.csv --instrument ism-2018 \
		--previous $(DEMO)/2016/responses.csv --json > $(DEMO)/analysis.json
	$(BIN)/ismonitor activity demo-export --out $(DEMO)/activity-export
	test -f $(DEMO)/pseudonym.key || $(BIN)/ismonitor activity new-key $(DEMO)/pseudonym.key
	ISMONITOR_PSEUDONYM_KEY_FILE=$(DEMO)/pseudonym.key $(BIN)/ismonitor activity import slack \
		$(DEMO)/activity-export/slack-export.zip --roster $(DEMO)/activity-export/roster.csv \
		--out $(DEMO)/activity --overwrite
	$(BIN)/ismonitor activity metrics $(DEMO)/activity
	# SYN-002 uses internal social media in this edition (seed 2018): its report has the
	# maturity pages (SYN-001 does not use it: its report is the one for non-adopters)
	for lang in nl en; do \
		$(BIN)/ismonitor report national $(DEMO)/responses.csv --instrument ism-2018 \
			--previous $(DEMO)/2016/responses.csv --lang $$lang --out $(DEMO)/national-$$lang.pdf || exit 1; \
		$(BIN)/ismonitor report organisation $(DEMO)/responses.csv --org SYN-002 \
			--instrument ism-2018 --lang $$lang --out $(DEMO)/organisation-SYN-002-$$lang.pdf || exit 1; \
	done
	@echo
	@echo "Done. The demo edition is SYNTHETIC (no real organisation). Look next at:"
	@echo "  $(DEMO)/responses.csv   the answers of 139 organisations (ism-2018)"
	@echo "  $(DEMO)/scores.json     each organisation's maturity scores, stage, position and advice"
	@echo "  $(DEMO)/analysis.json   the national analysis (against a synthetic 2016 edition)"
	@echo "  $(DEMO)/national-nl.pdf, national-en.pdf             the national report"
	@echo "  $(DEMO)/organisation-SYN-002-nl.pdf, ...-en.pdf      one organisation's report"
	@echo "  $(DEMO)/activity/          a synthetic organisation's Slack activity, pseudonymised"
	@echo "  $(BIN)/ismonitor score $(DEMO)/responses.csv --instrument ism-2018 --lang en"
	@echo "  $(BIN)/ismonitor --help, and docs/ (the instrument, the responses, the maturity model)"
	@echo
	@echo "Now the portal, with the same SYNTHETIC editions (Ctrl-C stops it):"
	$(BIN)/ismonitor demo-portal
	$(BIN)/ismonitor serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)

format: install
	$(BIN)/ruff format src tests $(wildcard bench)
	$(BIN)/ruff check --fix src tests $(wildcard bench)

# The browser tests drive Debian's chromium; install it when missing (as root, as on CI).
browser:
	@test -x /usr/bin/chromium || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: install lint browser
	# pytest exits 5 when it collected no tests: that is not a failure.
	$(BIN)/pytest || [ $$? -eq 5 ]

# Extract the texts to translate and merge them into the Dutch catalog (see src/ismonitor/i18n.py).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
		--project ismonitor -o src/ismonitor/locale/ismonitor.pot .
	@if [ -f src/ismonitor/locale/nl/LC_MESSAGES/ismonitor.po ]; then \
		$(BIN)/pybabel update --no-fuzzy-matching -i src/ismonitor/locale/ismonitor.pot \
			-d src/ismonitor/locale -D ismonitor -l nl; \
	else \
		$(BIN)/pybabel init -i src/ismonitor/locale/ismonitor.pot \
			-d src/ismonitor/locale -D ismonitor -l nl; \
	fi

clean:
	rm -rf $(VENV) $(DEMO) var test-artifacts build *.egg-info src/*.egg-info
