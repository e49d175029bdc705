# One command to run, one to test. Everything installs into .venv.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
comma   := ,
# The embeddings extra pins the CPU build of torch 2.13.0 (on disk on our machines);
# `make run EXTRAS=gateway,worker` gives a plain install that still trains.
EXTRAS  ?= gateway,worker,dev,embeddings
STAMP   := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

.PHONY: install run migrate test lint bench up down demo sandbox browser wrk clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[$(EXTRAS)]'
	touch $(STAMP)

# Migrate, then queue re-extraction of postings stored under older extraction rules.
migrate: install
	$(BIN)/alembic -c infra/alembic.ini upgrade head
	$(BIN)/python -m shared.reextraction

run: install
	$(BIN)/python -m services.launcher

sandbox: install
	$(BIN)/python -m services.sandbox --port 8900

# Debian's chromium for the browser tests (Playwright drives it; it downloads no browser).
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null)

test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared services
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy shared services

bench: install wrk
	$(BIN)/python tests/bench/bench_parse.py
	$(BIN)/python tests/bench/bench_salary.py
	$(BIN)/python tests/bench/bench_accuracy.py
	$(BIN)/python tests/bench/bench_career.py
	$(BIN)/python tests/bench/bench_learning.py --pool-end 250 --profile tests/bench/profiles/lirecommend_ratings_351.json
	$(BIN)/python tests/bench/bench_rate_next.py
	$(BIN)/python tests/bench/bench_schedule.py
	$(BIN)/python -m tests.bench.bench_request_cost
	$(BIN)/python -m tests.bench.bench_serving
	$(BIN)/python -m tests.bench.bench_fairness

# Debian's wrk drives bench_serving's load (the same client for the gateway and the bare app).
wrk:
	@test -x /usr/bin/wrk || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)

up:
	docker compose up --build

down:
	docker compose down

demo: install
	$(BIN)/python -m services.demo

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
