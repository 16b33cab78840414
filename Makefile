# wsconform: the conformance suite for the eKuiper WebSocket source.
GO      ?= go
REPORTS ?= reports

.PHONY: all test specs conformance conformance-rest conformance-ekuiper generate check-generated vet fmt-check lint-workflows bench bench-ekuiper build mutation mutation-sample

all: test

## test: vet, formatting, generated files fresh, every package's tests with the race detector (actionlint on every workflow and action among them), then the self-test and the other tests of deliberate defects in a build with the selftest tag.
test: vet fmt-check check-generated
	WSCONFORM_TAGS='$(SPECS_TAGS)' $(GO) test -p $(TEST_PACKAGES_AT_ONCE) -race -count=1 ./...
	$(GO) test -race -count=1 -tags selftest $(SELFTEST_RUN) $(SELFTEST_PKGS)

# How many packages' tests run at once. Most of them wait on sockets, so
# more than the CPU count (go test's default) saves time: 145 s down to
# 105 s on the 2-core machine.
TEST_PACKAGES_AT_ONCE ?= 4

# The generated ginkgo suite (steps/specs) runs its @must scenarios in make
# test: every scenario already runs in the tests of ./steps, and the ginkgo
# suite runs them one at a time. make specs runs all of them.
SPECS_TAGS ?= @must

## specs: every scenario as a ginkgo spec against the reference (the generated suite, all of it).
specs:
	$(GO) test -race -count=1 ./steps/specs

# The packages with tests of deliberate defects, which only a build with the
# selftest tag applies (the untagged run skips them, saying so): the self-test
# of ./steps, and the specs labelled selftest of the others, which are all
# their ginkgo suites run in that build (internal/selftest).
SELFTEST_PKGS = ./steps/ ./impl/engine/ ./impl/wsource/ ./impl/dataserver/ ./steps/target/ref/ ./tools/wsconform/ ./tools/internal/bench/
SELFTEST_RUN  = -run '^(TestSuiteCatchesDefects|TestEngine|TestWSource|TestDataServer|TestRef|TestWsconform|TestBench)$$'

## lint-workflows: actionlint on CI.yml, .github/workflows, action.yml and the README's workflow example (part of make test).
lint-workflows:
	$(GO) test -count=1 ./tools/internal/workflows

## conformance: the whole suite against the embedded reference implementation.
conformance:
	$(GO) run ./tools/wsconform run --target ref --report $(REPORTS)

## conformance-rest: the whole suite through the REST target against kuiperd.
conformance-rest:
	bash tools/conformance-rest.sh

## conformance-ekuiper: the whole suite against the real eKuiper (built from source once, then cached), judged by fixtures/expectations/ekuiper-2.4.0.yaml.
conformance-ekuiper:
	bash tools/conformance-ekuiper.sh

## generate: regenerate the ginkgo specs and the behaviour documentation from the features.
generate:
	$(GO) run ./tools/specgen
	$(GO) run ./tools/docgen

## check-generated: fail when generated files are stale.
check-generated:
	$(GO) run ./tools/specgen -check
	$(GO) run ./tools/docgen -check

vet:
	$(GO) vet ./...
	$(GO) vet -tags selftest ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## bench: ingest benchmarks: source and engine next to a raw gorilla read loop, a 1,000,000-message burst, decoding; memory per idle connection (bytes/conn).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./impl/decode/
	$(GO) test -run '^$$' -bench 'ServerIngest|RawGorilla|Million' -benchmem ./impl/wsource/
	$(GO) test -run '^$$' -bench 'IdleConnection' -benchtime 3x ./impl/wsource/
	$(GO) test -run '^$$' -bench 'EngineIngest|RawGorillaRead' -benchtime 300000x ./impl/engine/
	$(GO) test -run '^$$' -bench 'EngineMillion' -benchtime 1x ./impl/engine/

## bench-ekuiper: wsconform bench against the in-process reference, kuiperd over REST and the real eKuiper, each beside a raw gorilla loop; writes BENCHMARKS.md and BENCHMARKS.svg (a few minutes).
bench-ekuiper:
	bash tools/bench-ekuiper.sh

build:
	$(GO) build ./...

MUTATION_JOBS ?= 2
MUTATION_SEED ?= 1

## mutation: every mutant of the six impl/ packages, each judged by the conformance suite alone (hours); score per package, survivors, $(REPORTS)/mutation.json.
mutation:
	$(GO) run ./tools/mutation -j $(MUTATION_JOBS) -json $(REPORTS)/mutation.json

## mutation-sample: 40 random mutants (seed MUTATION_SEED), about 5 minutes; $(REPORTS)/mutation-sample.json.
mutation-sample:
	$(GO) run ./tools/mutation -j $(MUTATION_JOBS) -sample 40 -seed $(MUTATION_SEED) -json $(REPORTS)/mutation-sample.json
