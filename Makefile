# The two commands of the README: `make demo` and `make test`. Both install what they need.
SWIFT ?= swift
RELEASE_BIN := $(CURDIR)/.build/release/parasol
# One set of flags for the binary and the tests, so `make test` builds the package once:
# tests use @testable imports, which need -enable-testing even in release.
RELEASE_FLAGS := -c release -Xswiftc -enable-testing

.PHONY: deps build test demo bench bench-quick clean

deps:
	@Tools/install-deps.sh

build: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product parasol

# Tests run against the release build: the end-to-end tests start real `parasol server`
# processes from it, and the optimizer/training math is only representative when optimized.
test: build
	PARASOL_BIN=$(RELEASE_BIN) $(SWIFT) test $(RELEASE_FLAGS)

demo: build
	PARASOL_BIN=$(RELEASE_BIN) Tools/demo.sh

# Side-by-side benchmark (Tools/bench/run.sh): iperf3 and a TCP ping-pong as the ceiling, Redis,
# then `parasol bench`; results under data/bench/<timestamp>/. BENCH_QUICK=1 (or bench-quick)
# runs the quick suite (under 2 minutes).
bench: build
	PARASOL_BIN=$(RELEASE_BIN) BENCH_QUICK=$(BENCH_QUICK) Tools/bench/run.sh

bench-quick: build
	PARASOL_BIN=$(RELEASE_BIN) BENCH_QUICK=1 Tools/bench/run.sh

clean:
	rm -rf .build data
