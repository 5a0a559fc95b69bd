package persist

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kevydb/kevy/internal/aof"
)

// TestWriteRacingLogFailureIsNotAcknowledged checks that a write whose
// record cannot be appended because the log failed after the command was
// admitted (Refuse passed) reports the failure instead of succeeding, for
// a plain record and for a unit (an EXEC), with each fsync policy.
func TestWriteRacingLogFailureIsNotAcknowledged(t *testing.T) {
	for _, policy := range []aof.FsyncPolicy{aof.FsyncEverySec, aof.FsyncAlways} {
		for _, kind := range []string{"record", "unit"} {
			t.Run(policy.String()+"/"+kind, func(t *testing.T) {
				o := defaultOpts(t.TempDir())
				o.Fsync = policy
				d := mustOpen(t, 1, o, nil)
				defer d.close()
				if got := d.do("SET", "a", "1"); got != "OK" {
					t.Fatalf("SET before the failure: %q", got)
				}
				if kind == "unit" {
					d.do("MULTI")
					d.do("SET", "b", "2")
					d.do("INCR", "a")
				}
				// The log fails without the store having seen it yet, as
				// when it fails between a command's admission and its
				// append.
				if err := d.st.shards[0].log.Close(); err != nil {
					t.Fatal(err)
				}
				var got string
				if kind == "unit" {
					got = d.do("EXEC")
				} else {
					got = d.do("SET", "b", "2")
				}
				if !strings.HasPrefix(got, "!WAIT ") {
					t.Fatalf("write after the log failed: %q, want a persistence error", got)
				}
				if got := d.do("SET", "c", "3"); !strings.HasPrefix(got, "!MISCONF ") {
					t.Fatalf("next write: %q, want MISCONF", got)
				}
			})
		}
	}
}

// TestSavePausesSyncFS checks that while a snapshot writes a shard's base
// file, the Always rounds do not use syncfs (they would wait for the base
// file's pages), and that they may again afterwards.
func TestSavePausesSyncFS(t *testing.T) {
	o := defaultOpts(t.TempDir())
	o.Fsync = aof.FsyncAlways
	d := mustOpen(t, 2, o, nil)
	defer d.close()
	d.do("SET", "a", "1")
	var seen, paused atomic.Int32
	d.st.snapHook = func(int, int64) {
		seen.Add(1)
		if d.st.group.Stats().Paused {
			paused.Add(1)
		}
	}
	if err := d.st.Save(); err != nil {
		t.Fatal(err)
	}
	if seen.Load() != 2 || paused.Load() != 2 {
		t.Fatalf("%d of %d snapshot points ran with syncfs paused, want all 2", paused.Load(), seen.Load())
	}
	if d.st.group.Stats().Paused {
		t.Fatal("syncfs still paused after the save")
	}
}
