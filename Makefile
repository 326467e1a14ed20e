# The two commands of the README: `make demo` and `make test`. Both install what they need.
SWIFT ?= swift
RELEASE_BIN := $(CURDIR)/.build/release/parasol

.PHONY: deps build test demo clean

deps:
	@Tools/install-deps.sh

build: deps
	$(SWIFT) build -c release --product parasol

# Tests run against the release build: the end-to-end tests start real `parasol server`
# processes from it, and the optimizer/training math is only representative when optimized.
test: build
	PARASOL_BIN=$(RELEASE_BIN) $(SWIFT) test -c release -Xswiftc -enable-testing

demo: build
	PARASOL_BIN=$(RELEASE_BIN) Tools/demo.sh

clean:
	rm -rf .build data
