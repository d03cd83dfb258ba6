# Two commands: `make run` (editor / preview on http://127.0.0.1:8000) and `make test`.
# Each does its own set-up through scripts/bootstrap.
SAMPLE ?= courses/samples/security-basics
PORT ?= 8000
PYTEST_WORKERS ?= 2
# ruff (lint and format) and mypy gate the code that ships; the tests are held by running them.
LINT_PATHS = courses media exporters player storage importers authoring migrations deploy cli bench settings.py

.PHONY: run test lint bench clean

# The editor, with the sample course imported on the first start and the admin's password printed
# once. `python -m cli` is the `courseforge` command, found from the repository even when the
# virtualenv was installed before a package was added.
run:
	./scripts/bootstrap
	.venv/bin/courseforge serve --port $(PORT) --first-course $(SAMPLE)

test:
	./scripts/bootstrap --test
	$(MAKE) --no-print-directory lint
	.venv/bin/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -q -p no:cacheprovider

lint:
	.venv/bin/ruff check $(LINT_PATHS)
	.venv/bin/ruff format --check $(LINT_PATHS)
	.venv/bin/mypy $(LINT_PATHS)

bench:
	./scripts/bootstrap --bench
	.venv/bin/python -m bench

clean:
	rm -rf .venv tests/node_modules .courseforge-cache out
