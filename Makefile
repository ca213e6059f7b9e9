# The two commands a new machine needs: `make run` and `make test`.
GO ?= go

.PHONY: run test test-dates build vet fuzz bench

## run: serve on the embedded default database with demo hours seeded.
run:
	$(GO) run ./cmd/consult serve --demo

## test: every test (PostgreSQL clusters are started by the tests themselves).
## Tests that need Chromium or the node checkers skip without them (not
## under CI=true); the last lines then say what was skipped and how to
## install it, since plain `go test` hides skips.
test: vet
	@status=0; $(GO) test -count=1 -timeout 15m ./... || status=$$?; \
	missing=""; \
	command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing="$$missing\n  - Chromium (browser tests): apt-get install chromium"; \
	[ -f web/testdata/axe/node_modules/axe-core/axe.min.js ] || missing="$$missing\n  - axe-core (browser accessibility checks): (cd web/testdata/axe && npm ci)"; \
	command -v node >/dev/null 2>&1 && [ -d calendar/testdata/icaljs/node_modules ] || missing="$$missing\n  - node and ical.js (independent iCalendar checks): apt-get install nodejs npm; (cd calendar/testdata/icaljs && npm ci)"; \
	command -v node >/dev/null 2>&1 && [ -d api/testdata/redocly/node_modules ] || missing="$$missing\n  - node and Redocly's linter (API description checks): (cd api/testdata/redocly && npm ci)"; \
	if [ -n "$$missing" ]; then printf "\nSKIPPED: some tests did not run because this machine lacks:$$missing\n.ci/run installs all of it.\n"; fi; \
	exit $$status

## test-dates: the tests that touch the database again, with the test
## server's clock and the service's moving clock both DATE_SHIFT ahead
## (libfaketime, Debian package faketime), proving no outcome depends on
## today's date or on the database's clock.
DATE_SHIFT ?= +1100d
test-dates:
	CONSULT_TEST_FAKETIME=$(DATE_SHIFT) $(GO) test -count=1 -timeout 15m ./storage/... ./api/... ./notify/... ./cmd/consult/... ./webhook/... ./calendar/calsync/...

## vet: static checks that every change must pass.
vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## build: a static binary at ./bin/consult.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/consult ./cmd/consult

## fuzz: a short run of every fuzz target (FUZZTIME each: a duration, or a
## count of inputs such as 500x, which CI uses).
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
