//go:build race

package persist

// raceEnabled reports whether the race detector is on (tests scale their
// sizes down: it slows everything about tenfold).
const raceEnabled = true
