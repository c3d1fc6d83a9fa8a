# SellerHub: `make run` and `make test` are all a newcomer needs (Python 3.11 and git).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Test processes: two by default (the CI machine has two cores).
TEST_WORKERS ?= 2

.PHONY: install run test lint migrate demo emulator clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

migrate: install
	mkdir -p var
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput --verbosity 0

demo: migrate
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_demo_data

run: demo
	DEBUG=$${DEBUG:-true} $(BIN)/python -m devtools.run --procfile Procfile

# worksteal: an idle test process takes tests queued for the other, so a few long tests at the
# end of one queue no longer hold up the run (on two cores: 8-9 minutes down to 6 on PostgreSQL).
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m tests.module_size

clean:
	rm -rf var staticfiles .pytest_cache
