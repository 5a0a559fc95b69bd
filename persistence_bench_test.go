package kevy_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kevydb/kevy"
)

// BenchmarkSetPersistence measures SET with the append-only file off,
// everysec and always; always with 1 and 64 concurrent writers (group
// commit shares fsyncs among them). api=typed is DB.Set, the cheapest
// write there is; api=do is Do("SET", ...), the engine path that the
// server and the portless go-redis client take.
func BenchmarkSetPersistence(b *testing.B) {
	for _, api := range []string{"typed", "do"} {
		b.Run("api="+api, func(b *testing.B) { benchSetPersistence(b, api == "do") })
	}
}

func benchSetPersistence(b *testing.B, useDo bool) {
	val := []byte("0123456789abcdef0123456789abcdef")
	cases := []struct {
		name    string
		dir     bool
		fsync   kevy.FsyncPolicy
		writers int
	}{
		{"memory", false, 0, 1},
		{"aof-off-dir", true, 0, 1}, // DisableAppendOnly
		{"everysec", true, kevy.FsyncEverySec, 1},
		{"everysec-64", true, kevy.FsyncEverySec, 64},
		{"always", true, kevy.FsyncAlways, 1},
		{"always-64", true, kevy.FsyncAlways, 64},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			dir := ""
			opts := kevy.Options{Logger: quiet, AppendFsync: tc.fsync, AutoRewritePercentage: -1}
			if tc.dir {
				dir = b.TempDir()
			}
			if tc.name == "aof-off-dir" {
				opts.DisableAppendOnly = true
			}
			db, err := kevy.Open(dir, &opts)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			b.ReportAllocs()
			b.ResetTimer()
			var next atomic.Int64
			var wg sync.WaitGroup
			for w := range tc.writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					key := "key:" + strconv.Itoa(w)
					ctx := context.Background()
					for next.Add(1) <= int64(b.N) {
						var err error
						if useDo {
							_, err = db.Do(ctx, "SET", key, val)
						} else {
							err = db.Set(key, val)
						}
						if err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
		})
	}
}

var bench1M struct {
	once sync.Once
	dir  string
	err  error
}

// bench1MDir returns a directory holding 1M string keys (saved: one base
// per shard), built once per test binary run.
func bench1MDir(b *testing.B) string {
	bench1M.once.Do(func() {
		dir, err := os.MkdirTemp("", "kevy-bench-1m")
		if err != nil {
			bench1M.err = err
			return
		}
		bench1M.dir = dir
		db, err := kevy.Open(dir, &kevy.Options{Logger: quiet, DisableAppendOnly: true})
		if err != nil {
			bench1M.err = err
			return
		}
		ctx := context.Background()
		args := make([]any, 0, 1+2*1000)
		for i := 0; i < 1_000_000; i += 1000 {
			args = append(args[:0], "MSET")
			for j := i; j < i+1000; j++ {
				args = append(args, "key:"+strconv.Itoa(j), "value-"+strconv.Itoa(j))
			}
			if _, err := db.Do(ctx, args...); err != nil {
				bench1M.err = err
				return
			}
		}
		bench1M.err = db.Close() // saves
	})
	if bench1M.err != nil {
		b.Fatal(bench1M.err)
	}
	return bench1M.dir
}

// BenchmarkSave1M measures a Save of 1M keys (every shard's snapshot,
// written and fsynced).
func BenchmarkSave1M(b *testing.B) {
	dir := bench1MDir(b)
	db, err := kevy.Open(dir, &kevy.Options{Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := db.Save(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad1M measures opening a directory of 1M keys (snapshots).
func BenchmarkLoad1M(b *testing.B) {
	dir := bench1MDir(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		db, err := kevy.Open(dir, &kevy.Options{Logger: quiet, DisableAppendOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if n, _ := db.DBSize(); n != 1_000_000 {
			b.Fatalf("%d keys", n)
		}
		db.Close()
		b.StartTimer()
	}
}
