# Same targets locally and in CI (.ci/run runs fmt-check, vet and test).
GO       ?= go
FUZZTIME ?= 10s

.PHONY: test race bench difftest fuzz vet fmt-check

# The README's test command: installs redis-server if missing (the
# differential tests need it), then every package, race detector on, then
# the allocation tests again without it (with -race, sync.Pool drops a
# random share of what it is given, so exact allocation counts only hold
# without it).
test:
	./scripts/ensure-redis.sh
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 -run 'Alloc' ./...

# Repeat the suite under the race detector to shake out rare interleavings.
race:
	$(GO) test -race -count=5 -timeout 30m ./...

# Comparative benchmarks (bench/ has its own go.mod).
bench:
	cd bench && $(GO) test -bench . -run x

# Differential tests: the same commands against kevy and a real
# redis-server, compared byte for byte (needs redis-server on PATH; also
# part of "test").
difftest:
	./scripts/ensure-redis.sh
	$(GO) test -count=1 -v ./internal/difftest/

# Run every native fuzz target for FUZZTIME each.
fuzz:
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' . | grep -v '^./bench/'); do \
		for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "$(GO) test -run '^$$' -fuzz '^$$t$$' -fuzztime $(FUZZTIME) $$(dirname $$f)"; \
			$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$(dirname $$f); \
		done; \
	done

vet: fmt-check
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l .); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
