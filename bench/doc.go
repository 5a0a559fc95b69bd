// Package bench holds kevy's comparative benchmarks: the shapes the Rust
// kevy embedded store publishes, each run against kevy and against a bare
// Go baseline (a map guarded by a sync.RWMutex) in the same process, so
// the two figures share one machine, one Go version and one moment.
//
// It is a separate Go module (github.com/kevydb/kevy/bench) so that
// benchmark-only code, and any peer stores it may one day compare
// against, never enter the main module's dependency graph.
//
// # Shapes
//
//   - a: one goroutine, 256 keys (k0..k255), 16-byte values, warm:
//     SET, GET (kevy returns a copy), AppendGet (when kevy has it).
//   - b: as a, with a one-hour TTL on every key.
//   - c: 1 and 2 goroutines over 4096 keys, GET and SET throughput.
//   - d: 10 million keys ("key:%08d", 16-byte values): heap bytes per key,
//     with and without TTL, and the GC's CPU share under a steady GET/SET
//     load (RunMem; too big for routine runs, so it is opt-in).
//
// # Running
//
//	cd bench
//	go test -bench . -benchmem -run x           # shapes a-c
//	go test -run x -bench Mem -memkeys 10000000 # shape d
//	go run ./cmd/kevybench                      # a-c as a table
//	go run ./cmd/kevybench -mem                 # a-d
//	go run ./cmd/memkeys -keys 10000000         # d alone
//
// docs/performance.md records measured figures and how to profile each
// shape.
package bench
