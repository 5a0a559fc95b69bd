package persist

import (
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/command"
)

// snapBenchKeys is the key count of the snapshot benchmarks: the
// KEVY_SNAPSHOT_KEYS environment variable, 1M by default (the published
// figure uses 10000000).
func snapBenchKeys() int {
	if v, err := strconv.Atoi(os.Getenv("KEVY_SNAPSHOT_KEYS")); err == nil && v > 0 {
		return v
	}
	return 1_000_000
}

// fillStrings stores n small string keys ("key:i" -> "value-i") in db 0.
func fillStrings(d *testDB, n int) {
	ks := d.eng.KS
	var kb, vb []byte
	for i := range n {
		kb = strconv.AppendInt(append(kb[:0], "key:"...), int64(i), 10)
		vb = strconv.AppendInt(append(vb[:0], "value-"...), int64(i), 10)
		key := string(kb)
		sh := ks.ShardFor(key)
		sh.Lock()
		sh.SetString(0, key, vb, 0, false)
		sh.Unlock()
	}
}

// openFilled opens a 32-shard store in a temporary directory holding n
// keys.
func openFilled(b *testing.B, n int) *testDB {
	b.Helper()
	o := defaultOpts(b.TempDir())
	o.AppendOnly = os.Getenv("KEVY_SNAPSHOT_AOF") != "no"
	d := mustOpen(b, 32, o, nil)
	fillStrings(d, n)
	runtime.GC() // the fill's garbage collection is not the save's
	return d
}

// BenchmarkSnapshotSave measures a foreground Save of every shard
// (written and fsynced) of KEVY_SNAPSHOT_KEYS small string keys.
func BenchmarkSnapshotSave(b *testing.B) {
	d := openFilled(b, snapBenchKeys())
	defer d.close()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		if err := d.st.Save(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkSnapshotLoad measures opening a directory of KEVY_SNAPSHOT_KEYS
// keys saved as snapshots.
func BenchmarkSnapshotLoad(b *testing.B) {
	n := snapBenchKeys()
	d := openFilled(b, n)
	if err := d.st.Save(); err != nil {
		b.Fatal(err)
	}
	o := d.opts
	d.close()
	d = nil
	runtime.GC() // a restart starts with an empty heap
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		d2 := mustOpen(b, 32, o, nil)
		b.StopTimer()
		if got := d2.eng.KS.DBSize(0); got != n {
			b.Fatalf("%d keys loaded, want %d", got, n)
		}
		d2.close()
		d2 = nil
		runtime.GC()
		b.StartTimer()
	}
}

// writerLatency runs SETs of random existing keys in a goroutine until
// stop is closed and returns the highest latency of one command and the
// number of commands run.
func writerLatency(d *testDB, n int, stop <-chan struct{}, started *sync.WaitGroup) (maxLat *atomic.Int64, ops *atomic.Int64, done chan struct{}) {
	maxLat, ops, done = new(atomic.Int64), new(atomic.Int64), make(chan struct{})
	started.Add(1)
	go func() {
		defer close(done)
		sess := command.NewSession(0)
		var r textReply
		argv := [][]byte{[]byte("SET"), nil, []byte("new-value")}
		rnd := rand.New(rand.NewPCG(1, 2))
		var kb []byte
		started.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			kb = strconv.AppendInt(append(kb[:0], "key:"...), int64(rnd.IntN(n)), 10)
			argv[1] = kb
			t0 := time.Now()
			d.eng.Exec(sess, argv, &r)
			lat := time.Since(t0).Nanoseconds()
			sess.ClearPending()
			r.reset()
			if lat > maxLat.Load() {
				maxLat.Store(lat)
			}
			ops.Add(1)
		}
	}()
	return maxLat, ops, done
}

// BenchmarkSnapshotBGSaveWriters measures a background save of
// KEVY_SNAPSHOT_KEYS keys while a writer runs SETs: the save time and the
// writer's worst command latency during it.
func BenchmarkSnapshotBGSaveWriters(b *testing.B) {
	n := snapBenchKeys()
	d := openFilled(b, n)
	defer d.close()
	b.ReportAllocs()
	b.ResetTimer()
	var saveNs, maxNs, idleNs, ops int64
	for range b.N {
		stop := make(chan struct{})
		var started sync.WaitGroup
		maxLat, nops, done := writerLatency(d, n, stop, &started)
		started.Wait()
		t0 := time.Now()
		if err := d.st.BGSave(); err != nil {
			b.Fatal(err)
		}
		waitBGSave(d)
		took := time.Since(t0)
		saveNs += took.Nanoseconds()
		maxNs = max(maxNs, maxLat.Load())
		ops += nops.Load()
		// The same writer for as long without a save: the latency noise
		// of the machine (GC, scheduling) to compare with.
		maxLat.Store(0)
		time.Sleep(took)
		close(stop)
		<-done
		idleNs = max(idleNs, maxLat.Load())
		if err := d.st.LastBGSaveErr(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(saveNs)/float64(b.N)/1e6, "save-ms")
	b.ReportMetric(float64(maxNs)/1e6, "writer-max-ms")
	b.ReportMetric(float64(idleNs)/1e6, "idle-max-ms")
	b.ReportMetric(float64(ops)/float64(b.N), "writer-ops")
}
