# Prover — every target does its own set-up, so a fresh clone needs only the .NET 10 SDK and Node >= 20.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
DOTNET ?= dotnet
CONFIG ?= Release
# Where `make run` keeps its data (receipt log, batches); override with DATA=...
DATA ?= .data
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

NPM_DIRS := . circuits

.PHONY: setup npm restore postgres build test run bench bench-circuits clean

setup: npm restore

# npm ci only when the lock file is newer than the installed tree.
npm: $(foreach d,$(NPM_DIRS),$(d)/node_modules/.package-lock.json)

%/node_modules/.package-lock.json: %/package-lock.json %/package.json
	cd $* && npm ci --no-audit --no-fund
	@touch $@

node_modules/.package-lock.json: package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

restore:
	$(DOTNET) restore Prover.sln

build: setup
	$(DOTNET) build Prover.sln -c $(CONFIG) --no-restore

# The pool's tests start their own throwaway PostgreSQL cluster (initdb + pg_ctl on a temp folder), so
# they need the server programs from Debian's postgresql package, installed here when missing and root.
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get install -y --no-install-recommends postgresql || { apt-get update && apt-get install -y --no-install-recommends postgresql; }; \
	else echo "PostgreSQL's server programs (initdb, pg_ctl) are missing: install Debian's postgresql package." >&2; exit 1; fi

test: build postgres
	$(DOTNET) test Prover.sln -c $(CONFIG) --no-build --logger "console;verbosity=normal"

# The whole pipeline on embedded defaults: anvil, one inbox per policy, the sequencer, the prover pool
# (SQLite, in-process workers), the light client. Each run's data goes to a new $(DATA)/demo-<time>.
run: build
	$(DOTNET) run --project src/Prover.Cli -c $(CONFIG) --no-build -- demo --data-dir $(DATA)

BENCH := $(DOTNET) run --project tests/Prover.Benchmarks -c $(CONFIG) --no-build --
INGEST_TX ?= 200000
HTTP_SECONDS ?= 5
HTTP_RATES ?= 1000 5000 10000

# Capacities whose witness and prove time `make bench` measures; larger ones need keys of power 15+,
# whose one-off development ceremony takes many minutes: `make bench-circuits` measures them all.
PROVE_N ?= 8 16
PROVE_N_ALL ?= 8 16 32 64
# Capacities whose submitBatch gas `make bench` measures on a local anvil (real proofs; one development
# ceremony of power 15 serves fcfs and priority-fee at N = 64 and everything smaller; its one-off
# preparation takes about 20 minutes, then it is cached), beside the same measurement made by the
# baseline commit's own code in a temporary worktree (issue 15's "before and after, in one run").
GAS_N ?= 4 8 64
GAS_POWER ?= 15
# Capacities at which `make bench` times the native backend against snarkjs (witness plus proof, in
# alternating rounds); keys up to power 17 (shuffle at N = 64) come from the native setup in about a minute.
NATIVE_N ?= 8 64
NATIVE_ROUNDS ?= 5
# The commit the gas and constraint figures are compared with: the last one before issue 15.
BENCH_BASELINE ?= d87e518

# Field, Poseidon and ecrecover micro-benchmarks, sustained in-process ingest, receipt latency over
# HTTP, circuit sizes and proving times, gas per finalized batch, the prover pool against snarkjs run
# directly, the light client's verification, and transaction-to-final latency (the demo: priority-fee,
# then shuffle with its commit step).
bench: build
	$(BENCH) --filter '*Field*' '*RecoverBenchmarks*' --job short
	$(BENCH) ingest $(INGEST_TX)
	$(BENCH) http $(HTTP_SECONDS) $(HTTP_RATES)
	$(BENCH) circuits --baseline $(BENCH_BASELINE) $(PROVE_N)
	$(BENCH) prove --rounds $(NATIVE_ROUNDS) --max-power 17 $(NATIVE_N)
	$(BENCH) gas --baseline $(BENCH_BASELINE) --power $(GAS_POWER) $(GAS_N)
	$(BENCH) pool --backend snarkjs --capacity 8 --batches 12 1 2
	$(BENCH) pool --backend native --capacity 8 --batches 12 1 2
	$(BENCH) pool --backend native --capacity 64 --batches 8 1 2
	$(BENCH) lightclient
	$(DOTNET) run --project src/Prover.Cli -c $(CONFIG) --no-build -- demo --data-dir $$(mktemp -d) --policy priority-fee --batches 10
	$(DOTNET) run --project src/Prover.Cli -c $(CONFIG) --no-build -- demo --data-dir $$(mktemp -d) --policy shuffle --batches 10

# MAX_POWER=16 skips proving circuits that need a larger development ceremony (shuffle at N = 64
# needs power 17, whose phase-2 preparation takes about 40 minutes on 2 cores).
bench-circuits: build
	$(BENCH) circuits $(if $(MAX_POWER),--max-power $(MAX_POWER)) $(PROVE_N_ALL)

clean:
	$(DOTNET) clean Prover.sln -c $(CONFIG)
	rm -rf node_modules circuits/node_modules
