# Kurultai. `make help` lists the targets.
GO ?= go
PKGS ?= ./...

.PHONY: help test test-short test-postgres lint bench run build fuzz

help:
	@echo "make run        run the demo node on 127.0.0.1:8080 (data in ./kurultai-data)"
	@echo "make test       all tests with the race detector (what CI runs)"
	@echo "make test-short quick tests, no race detector, no end-to-end"
	@echo "make test-postgres the PostgreSQL store suite on a throwaway local server"
	@echo "make lint       gofmt, go vet, staticcheck"
	@echo "make bench      Go benchmarks of the hot paths"
	@echo "make fuzz       each fuzz target for FUZZTIME (default 20s)"
	@echo "make build      build bin/kurultai"

build:
	$(GO) build -o bin/kurultai ./cmd/kurultai

run:
	$(GO) run ./cmd/kurultai demo --data ./kurultai-data

test:
	@if [ -z "$$KURULTAI_TEST_POSTGRES" ]; then echo "*** PostgreSQL suite SKIPPED: set KURULTAI_TEST_POSTGRES=postgres://... (or run make test-postgres); CI runs it ***"; fi
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

test-short:
	$(GO) test -short -count=1 $(PKGS)

# The PostgreSQL store suite against a throwaway server (see .ci/postgres.sh);
# make test runs it too when KURULTAI_TEST_POSTGRES is set.
test-postgres:
	bash -c 'set -euo pipefail; source .ci/postgres.sh; start_postgres; trap stop_postgres EXIT; $(GO) test -count=1 ./internal/postgres/'

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@latest $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done
