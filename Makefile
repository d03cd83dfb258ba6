# Two commands: `make run` (editor / preview on http://127.0.0.1:8000) and `make test`.
# Each does its own set-up through scripts/bootstrap.
SAMPLE ?= courses/samples/security-basics
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: run test bench clean

run:
	./scripts/bootstrap
	.venv/bin/courseforge preview $(SAMPLE) --port $(PORT)

test:
	./scripts/bootstrap --test
	.venv/bin/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -q -p no:cacheprovider

bench:
	./scripts/bootstrap
	.venv/bin/python -m bench

clean:
	rm -rf .venv tests/node_modules .courseforge-cache out
