# The two commands a new machine needs: `make run` and `make test`.
GO ?= go

.PHONY: run test build vet fuzz bench

## run: serve on the embedded default database with demo hours seeded.
run:
	$(GO) run ./cmd/consult serve --demo

## test: every test (PostgreSQL clusters are started by the tests themselves).
test: vet
	$(GO) test -count=1 -timeout 15m ./...

## vet: static checks that every change must pass.
vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## build: a static binary at ./bin/consult.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/consult ./cmd/consult

## fuzz: a short run of every fuzz target (FUZZTIME each; CI uses a few seconds).
FUZZTIME ?= 20s
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
	  for target in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/^func //'); do \
	    echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
	    $(GO) test $$pkg -run='^$$' -fuzz="^$$target\$$" -fuzztime=$(FUZZTIME); \
	  done; \
	done

## bench: load-test the service on this machine beside same-run baselines
## (loopback only, a few minutes); prints the table, writes bench/RESULTS.md.
bench:
	$(GO) run ./bench -go $(GO) -out bench/RESULTS.md
