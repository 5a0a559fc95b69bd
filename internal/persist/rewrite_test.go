package persist

import (
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/aof"
	"github.com/kevydb/kevy/internal/command"
)

// TestAutoRewrite checks that a log growing past the thresholds is
// compacted, and that the compacted directory holds the same data.
func TestAutoRewrite(t *testing.T) {
	dir := t.TempDir()
	o := defaultOpts(dir)
	o.RewritePercentage = 100
	o.RewriteMinSize = 8 << 10
	d := mustOpen(t, 2, o, nil)
	for i := range 2000 {
		d.do("INCR", "counter")
		d.do("SET", "k"+strconv.Itoa(i%10), strconv.Itoa(i))
	}
	d.st.autoRewrite() // what the once-a-second loop does
	if d.st.Rewrites() == 0 {
		t.Fatal("no automatic rewrite")
	}
	want := d.dump()
	d.close()
	// The old files are gone: one base and one log per shard.
	ents, _ := os.ReadDir(filepath.Join(dir, "aof-1"))
	if len(ents) != 2*3 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("files after rewrite: %v", names)
	}
	d = mustOpen(t, 2, defaultOpts(dir), nil)
	if got := d.dump(); got != want {
		t.Fatalf("after rewrite:\n%s\nwant:\n%s", got, want)
	}
	d.close()
}

// TestRewriteUnderLoad runs writers on every shard while the logs are
// rewritten and snapshots saved, then checks that a reopen gives exactly
// the final state: no record lost or applied twice across the cuts.
func TestRewriteUnderLoad(t *testing.T) {
	for _, policy := range []aof.FsyncPolicy{aof.FsyncEverySec, aof.FsyncAlways} {
		t.Run(policy.String(), func(t *testing.T) {
			dir := t.TempDir()
			o := defaultOpts(dir)
			o.Fsync = policy
			d := mustOpen(t, 4, o, nil)
			var stop atomic.Bool
			var wg sync.WaitGroup
			for g := range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := command.NewSession(g % 3)
					var r textReply
					for i := 0; !stop.Load(); i++ {
						for _, args := range [][]string{
							{"INCR", "c" + strconv.Itoa(g)},
							{"RPUSH", "l" + strconv.Itoa(g), strconv.Itoa(i)},
							{"HSET", "h", strconv.Itoa(g), strconv.Itoa(i)},
							{"SET", "s" + strconv.Itoa(i%50), strconv.Itoa(g)},
						} {
							argv := make([][]byte, len(args))
							for j, a := range args {
								argv[j] = []byte(a)
							}
							r.reset()
							d.eng.Exec(s, argv, &r)
							if err := d.st.Wait(s.Pending()); err != nil {
								t.Error(err)
								return
							}
							s.ClearPending()
						}
					}
				}()
			}
			for range 5 {
				time.Sleep(5 * time.Millisecond)
				if err := d.st.Save(); err != nil {
					t.Fatal(err)
				}
				for i := range 4 {
					d.st.snapMu.Lock()
					_, err := d.st.rewriteShard(i)
					d.st.snapMu.Unlock()
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := d.st.BGSave(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(5 * time.Millisecond)
			stop.Store(true)
			wg.Wait()
			want := d.dump()
			d.close()
			d = mustOpen(t, 4, defaultOpts(dir), nil)
			if got := d.dump(); got != want {
				t.Fatalf("after rewrites under load:\n%s\nwant:\n%s", got, want)
			}
			d.close()
		})
	}
}
