package main

import (
	"io"
	"log/slog"
	"runtime"
	"testing"
)

// TestServingProcs checks the GOMAXPROCS kevy serve runs with: the flag,
// else the environment variable's choice, else one less than available.
func TestServingProcs(t *testing.T) {
	orig := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(orig) })
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cases := []struct {
		name  string
		env   string
		start int
		flag  int
		want  int
	}{
		{"flag", "", 4, 3, 3},
		{"flag over env", "2", 4, 1, 1},
		{"env chose", "4", 4, 0, 4},
		{"one less", "", 4, 0, 3},
		{"at least one", "", 1, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("GOMAXPROCS", c.env)
			runtime.GOMAXPROCS(c.start)
			servingProcs(c.flag, logger)
			if got := runtime.GOMAXPROCS(0); got != c.want {
				t.Fatalf("GOMAXPROCS = %d, want %d", got, c.want)
			}
		})
	}
}
