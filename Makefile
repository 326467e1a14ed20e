# The two commands of the README: `make demo` and `make test`. Both install what they need.
SWIFT ?= swift
RELEASE_BIN := $(CURDIR)/.build/release/parasol
# One set of flags for the binary and the tests, so `make test` builds the package once:
# tests use @testable imports, which need -enable-testing even in release.
RELEASE_FLAGS := -c release -Xswiftc -enable-testing

.PHONY: deps build test demo clean

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

clean:
	rm -rf .build data
