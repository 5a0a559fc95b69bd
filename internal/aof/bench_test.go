package aof

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// benchRecord is a typical record: SET with a 16-byte key and a 64-byte
// value (113 bytes).
var benchRecord = rec("SET", "key:0000000000001", strings.Repeat("v", 64))

func openBench(b *testing.B, policy FsyncPolicy, fsys FS) *Log {
	b.Helper()
	l, err := Open(filepath.Join(b.TempDir(), "bench.aof"), Options{Fsync: policy, FS: fsys})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = l.Close() })
	return l
}

// BenchmarkAppend measures Append alone (the part under the shard lock)
// in a tight loop, with the background writer running: with disk=discard
// the writes are dropped, which shows Append's own cost; with disk=real the
// loop outruns the disk and the figure is the sustained write throughput
// (Append blocks at MaxBuffer).
func BenchmarkAppend(b *testing.B) {
	for _, disk := range []string{"discard", "real"} {
		for _, policy := range []FsyncPolicy{FsyncEverySec, FsyncNo} {
			b.Run("disk="+disk+"/"+policy.String(), func(b *testing.B) {
				benchAppend(b, disk, policy)
			})
		}
	}
}

func benchAppend(b *testing.B, disk string, policy FsyncPolicy) {
	var fsys FS
	if disk == "discard" {
		ffs := newFaultFS()
		ffs.discardWrites, ffs.fakeSync = true, true
		fsys = ffs
	}
	l := openBench(b, policy, fsys)
	b.SetBytes(int64(len(benchRecord)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Append(benchRecord); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendArgs measures encoding a command into the log buffer.
func BenchmarkAppendArgs(b *testing.B) {
	l := openBench(b, FsyncEverySec, nil)
	args := [][]byte{[]byte("SET"), []byte("key:0000000000001"), []byte(strings.Repeat("v", 64))}
	b.SetBytes(int64(len(benchRecord)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.AppendArgs(args); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAlways measures Append+Wait under FsyncAlways with 1 and 64
// concurrent writers on the real disk; the op rate is fsync-bound and the
// 64-writer rate over the 1-writer rate is the group commit gain.
func BenchmarkAlways(b *testing.B) {
	for _, disk := range []string{"real", "sim1ms"} {
		for _, writers := range []int{1, 64} {
			b.Run(fmt.Sprintf("disk=%s/writers=%d", disk, writers), func(b *testing.B) {
				benchAlways(b, disk, writers)
			})
		}
	}
}

// benchAlways runs BenchmarkAlways on the real disk or on a simulated one
// whose fsync takes 1ms.
func benchAlways(b *testing.B, disk string, writers int) {
	var fsys FS
	if disk == "sim1ms" {
		ffs := newFaultFS()
		ffs.fakeSync, ffs.syncDelay = true, time.Millisecond
		fsys = ffs
	}
	l := openBench(b, FsyncAlways, fsys)
	var shard sync.Mutex
	// RunParallel starts parallelism*GOMAXPROCS goroutines.
	b.SetParallelism((writers + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	before := l.Stats().Fsyncs
	b.ReportAllocs()
	b.ResetTimer()
	if writers == 1 {
		for range b.N {
			if err := appendWait(l, &shard); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := appendWait(l, &shard); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.StopTimer()
	fsyncs := l.Stats().Fsyncs - before
	b.ReportMetric(float64(b.N)/float64(max(fsyncs, 1)), "records/fsync")
}

// appendWait appends benchRecord under shard and waits for it.
func appendWait(l *Log, shard *sync.Mutex) error {
	shard.Lock()
	t, err := l.Append(benchRecord)
	shard.Unlock()
	if err == nil {
		err = l.Wait(t)
	}
	return err
}

// BenchmarkWriterCost compares a writer's cost per record (Append under a
// lock + Wait) under everysec and no with a plain in-memory append under a
// lock: the difference is the overhead of the log.
func BenchmarkWriterCost(b *testing.B) {
	b.Run("memory", func(b *testing.B) {
		var mu sync.Mutex
		var buf []byte
		b.SetBytes(int64(len(benchRecord)))
		b.ReportAllocs()
		for b.Loop() {
			mu.Lock()
			buf = append(buf, benchRecord...)
			if len(buf) > 1<<20 {
				buf = buf[:0]
			}
			mu.Unlock()
		}
	})
	for _, policy := range []FsyncPolicy{FsyncEverySec, FsyncNo} {
		b.Run(policy.String(), func(b *testing.B) {
			l := openBench(b, policy, nil)
			var shard sync.Mutex
			b.SetBytes(int64(len(benchRecord)))
			b.ReportAllocs()
			for b.Loop() {
				if err := appendWait(l, &shard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReplay measures replaying a log of 100k records.
func BenchmarkReplay(b *testing.B) {
	path := filepath.Join(b.TempDir(), "replay.aof")
	var data []byte
	for i := range 100_000 {
		data = append(data, rec("SET", fmt.Sprintf("key:%012d", i), strings.Repeat("v", 64))...)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		res, err := Replay(path, func(args [][]byte) error { n += len(args); return nil }, ReplayOptions{})
		if err != nil || res.Records != 100_000 || n != 300_000 {
			b.Fatal(err, res)
		}
	}
}

// BenchmarkSyncFiles measures what a group-commit round pays to make n
// freshly appended files durable: an fsync per file, in parallel, or one
// syncfs(2) of their file system (Linux; Group uses it from syncFSMin
// dirty logs). One op appends 200 bytes to each file and syncs.
func BenchmarkSyncFiles(b *testing.B) {
	rec := make([]byte, 200)
	for _, n := range []int{1, 4, 32} {
		for _, mode := range []string{"fsync", "syncfs"} {
			b.Run(fmt.Sprintf("files=%d/%s", n, mode), func(b *testing.B) {
				dir := b.TempDir()
				files := make([]*os.File, n)
				for i := range files {
					f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(i)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
					if err != nil {
						b.Fatal(err)
					}
					defer f.Close()
					files[i] = f
				}
				if ok, _ := syncFS(files[0]); mode == "syncfs" && !ok {
					b.Skip("syncfs is not available here")
				}
				for b.Loop() {
					for _, f := range files {
						if _, err := f.Write(rec); err != nil {
							b.Fatal(err)
						}
					}
					if mode == "syncfs" {
						if _, err := syncFS(files[0]); err != nil {
							b.Fatal(err)
						}
						continue
					}
					var wg sync.WaitGroup
					for _, f := range files {
						wg.Go(func() {
							if err := f.Sync(); err != nil {
								b.Error(err)
							}
						})
					}
					wg.Wait()
				}
			})
		}
	}
}
