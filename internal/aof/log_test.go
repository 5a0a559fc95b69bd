package aof

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestParseFsyncPolicy(t *testing.T) {
	tests := []struct {
		in   string
		want FsyncPolicy
		ok   bool
	}{
		{"always", FsyncAlways, true},
		{"EverySec", FsyncEverySec, true},
		{"no", FsyncNo, true},
		{"sometimes", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseFsyncPolicy(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("%q: got %v, %v", tc.in, got, err)
		}
		if tc.ok && !strings.EqualFold(got.String(), tc.in) {
			t.Errorf("%q: String() = %q", tc.in, got.String())
		}
	}
}

// TestRoundTrip appends from several goroutines under every policy and
// replays: every record is there once, each goroutine's in order.
func TestRoundTrip(t *testing.T) {
	for _, policy := range []FsyncPolicy{FsyncAlways, FsyncEverySec, FsyncNo} {
		t.Run(policy.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.aof")
			logger, _ := testLogger()
			l, err := Open(path, Options{Fsync: policy, Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			const writers, per = 8, 200
			var shard sync.Mutex // plays the shard lock
			var wg sync.WaitGroup
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range per {
						shard.Lock()
						var tk Ticket
						var err error
						if i%2 == 0 {
							tk, err = l.Append(rec("SET", fmt.Sprintf("w%d", w), fmt.Sprint(i)))
						} else {
							tk, err = l.AppendArgs([][]byte{[]byte("SET"), []byte(fmt.Sprintf("w%d", w)), []byte(fmt.Sprint(i))})
						}
						shard.Unlock()
						if err == nil {
							err = l.Wait(tk)
						}
						if err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			st := l.Stats()
			if policy == FsyncAlways && st.Synced != st.Appended {
				t.Fatalf("always: synced %d < appended %d", st.Synced, st.Appended)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if err := l.Close(); !errors.Is(err, ErrClosed) {
				t.Fatalf("second Close: %v", err)
			}
			if _, err := l.Append(rec("PING")); !errors.Is(err, ErrClosed) {
				t.Fatalf("Append after Close: %v", err)
			}
			got, res, err := replayAll(t, path, ReplayOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Records != writers*per || res.Bytes != int64(st.Appended) {
				t.Fatalf("result %+v, appended %d", res, st.Appended)
			}
			next := make([]int, writers)
			for _, c := range got {
				var w, i int
				if _, err := fmt.Sscanf(c, "SET w%d %d", &w, &i); err != nil {
					t.Fatal(c, err)
				}
				if i != next[w] {
					t.Fatalf("writer %d: record %d after %d", w, i, next[w]-1)
				}
				next[w]++
			}
		})
	}
}

func TestOpenCreatesAndResumes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.aof")
	logger, _ := testLogger()
	for i := range 3 {
		l, err := Open(path, Options{Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Append(rec("INCR", "n")); err != nil {
			t.Fatal(err)
		}
		if st := l.Stats(); st.FileSize != int64(i*len(rec("INCR", "n"))) {
			t.Fatalf("file size before write %d", st.FileSize)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	got, _, err := replayAll(t, path, ReplayOptions{})
	if err != nil || len(got) != 3 {
		t.Fatal(got, err)
	}
}

func TestOpenTruncatesTornTail(t *testing.T) {
	good := rec("SET", "a", "1")
	data := join(good, rec("SET", "b", "2")[:7])
	tests := []struct {
		name string
		opts func(path string) (Options, error)
	}{
		{"validating open", func(string) (Options, error) { return Options{}, nil }},
		{"after dry-run replay", func(path string) (Options, error) {
			logger, _ := testLogger()
			res, err := Replay(path, nil, ReplayOptions{DryRun: true, Logger: logger})
			return Options{Replayed: &res}, err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, data)
			logger, logs := testLogger()
			opts, err := tc.opts(path)
			if err != nil {
				t.Fatal(err)
			}
			opts.Logger = logger
			l, err := Open(path, opts)
			if err != nil {
				t.Fatal(err)
			}
			if fileSize(t, path) != int64(len(good)) {
				t.Fatalf("size %d", fileSize(t, path))
			}
			if !strings.Contains(logs.String(), "truncat") {
				t.Fatalf("no log line: %s", logs.String())
			}
			if _, err := l.Append(rec("SET", "c", "3")); err != nil {
				t.Fatal(err)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			got, _, err := replayAll(t, path, ReplayOptions{})
			if err != nil || !reflect.DeepEqual(got, []string{"SET a 1", "SET c 3"}) {
				t.Fatal(got, err)
			}
		})
	}
}

func TestOpenCorrupt(t *testing.T) {
	good := rec("SET", "a", "1")
	data := join(good, []byte("junk\r\n"), rec("SET", "b", "2"))
	path := writeFile(t, data)
	logger, _ := testLogger()
	if _, err := Open(path, Options{Logger: logger}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v", err)
	}
	if fileSize(t, path) != int64(len(data)) {
		t.Fatal("file modified")
	}
	l, err := Open(path, Options{Logger: logger, Repair: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if fileSize(t, path) != int64(len(good)) {
		t.Fatal("not repaired")
	}
}

func TestOpenReplayedMismatch(t *testing.T) {
	path := writeFile(t, rec("PING"))
	if _, err := Open(path, Options{Replayed: &ReplayResult{Path: path + "x"}}); err == nil {
		t.Fatal("accepted a result for another file")
	}
	if _, err := Open(path, Options{Replayed: &ReplayResult{Path: path, Bytes: 1000}}); err == nil {
		t.Fatal("accepted a valid length beyond the file")
	}
}

// TestGroupCommit checks that concurrent FsyncAlways writers share fsyncs.
func TestGroupCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.aof")
	ffs := newFaultFS()
	ffs.syncDelay = 2 * time.Millisecond
	l, err := Open(path, Options{Fsync: FsyncAlways, FS: ffs})
	if err != nil {
		t.Fatal(err)
	}
	before := ffs.count(fopSync)
	const writers, per = 64, 20
	var shard sync.Mutex
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				shard.Lock()
				tk, err := l.Append(rec("SET", fmt.Sprint(w), fmt.Sprint(i)))
				shard.Unlock()
				if err == nil {
					err = l.Wait(tk)
				}
				if err != nil {
					t.Error(err)
					return
				}
				if s := l.Stats().Synced; s < tk {
					t.Errorf("Wait returned before the fsync: synced %d < %d", s, tk)
				}
			}
		}()
	}
	wg.Wait()
	fsyncs := ffs.count(fopSync) - before
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	total := writers * per
	t.Logf("%d records, %d fsyncs (%.1f records per fsync)", total, fsyncs, float64(total)/float64(fsyncs))
	if fsyncs > total/4 {
		t.Fatalf("%d fsyncs for %d records: no group commit", fsyncs, total)
	}
	if _, res, err := replayAll(t, path, ReplayOptions{}); err != nil || res.Records != int64(total) {
		t.Fatal(res, err)
	}
}

// TestEverySec checks that records are written within a few milliseconds,
// fsynced within about a second, and that fsyncs are periodic, not per
// record.
func TestEverySec(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.aof")
	ffs := newFaultFS()
	const maxBuf = 8192
	l, err := Open(path, Options{Fsync: FsyncEverySec, FS: ffs, WriteDelay: 2 * time.Millisecond, FlushThreshold: 4096, MaxBuffer: maxBuf})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	syncs0 := ffs.count(fopSync)
	start := time.Now()
	var maxBuffered int
	var last Ticket
	for time.Since(start) < 2500*time.Millisecond {
		for range 10 {
			tk, err := l.Append(rec("SET", "key", "value"))
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Wait(tk); err != nil {
				t.Fatal(err)
			}
			last = tk
		}
		maxBuffered = max(maxBuffered, l.Stats().Buffered)
		time.Sleep(200 * time.Microsecond)
	}
	// Written soon.
	deadline := time.Now().Add(500 * time.Millisecond)
	for l.Stats().Written < last {
		if time.Now().After(deadline) {
			t.Fatalf("not written after 500ms: %+v", l.Stats())
		}
		time.Sleep(time.Millisecond)
	}
	// Fsynced within about a second (with slack for a loaded machine).
	deadline = time.Now().Add(2500 * time.Millisecond)
	for l.Stats().Synced < last {
		if time.Now().After(deadline) {
			t.Fatalf("not fsynced after 2.5s: %+v", l.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	syncs := ffs.count(fopSync) - syncs0
	st := l.Stats()
	t.Logf("%d records, %d writes, %d fsyncs, max buffered %d", st.Appended/Ticket(len(rec("SET", "key", "value"))), st.Writes, syncs, maxBuffered)
	if syncs < 2 || syncs > 5 {
		t.Fatalf("%d fsyncs in about 3s", syncs)
	}
	if maxBuffered >= maxBuf+len(rec("SET", "key", "value")) {
		t.Fatalf("buffer grew to %d bytes", maxBuffered)
	}
}

// TestNoPolicy checks that FsyncNo writes but never fsyncs until Close.
func TestNoPolicy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.aof")
	ffs := newFaultFS()
	l, err := Open(path, Options{Fsync: FsyncNo, FS: ffs})
	if err != nil {
		t.Fatal(err)
	}
	syncs0 := ffs.count(fopSync)
	tk, err := l.Append(rec("SET", "a", "1"))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	for l.Stats().Written < tk {
		if time.Now().After(deadline) {
			t.Fatal("not written")
		}
		time.Sleep(time.Millisecond)
	}
	if fileSize(t, path) != int64(tk) {
		t.Fatal("file size")
	}
	time.Sleep(1100 * time.Millisecond)
	if n := ffs.count(fopSync) - syncs0; n != 0 {
		t.Fatalf("%d fsyncs", n)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if n := ffs.count(fopSync) - syncs0; n != 1 {
		t.Fatalf("Close did %d fsyncs", n)
	}
}

func TestWaitFutureTicket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.aof")
	l, err := Open(path, Options{Fsync: FsyncAlways})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tk, _ := l.Append(rec("PING"))
	if err := l.Wait(tk + 1000); err != nil {
		t.Fatal(err)
	}
	if st := l.Stats(); st.Synced != tk {
		t.Fatalf("synced %d, want %d", st.Synced, tk)
	}
}

func TestAppendArgsEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.aof")
	l, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.AppendArgs(nil); err == nil {
		t.Fatal("empty command accepted")
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if fileSize(t, path) != 0 {
		t.Fatal("something was written")
	}
}

func TestSyncForces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.aof")
	l, err := Open(path, Options{Fsync: FsyncNo, WriteDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tk, _ := l.Append(rec("PING"))
	if st := l.Stats(); st.Written != 0 || st.Buffered != int(tk) {
		t.Fatalf("written before the delay: %+v", st)
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	if st := l.Stats(); st.Synced != tk || st.Buffered != 0 || st.FileSize != int64(tk) {
		t.Fatalf("after Sync: %+v", st)
	}
}

func TestMetrics(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.aof")
	var mu sync.Mutex
	var evs []Event
	l, err := Open(path, Options{Fsync: FsyncAlways, Metrics: func(e Event) {
		mu.Lock()
		evs = append(evs, e)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := rec("SET", "a", "1")
	tk, _ := l.Append(r)
	if err := l.Wait(tk); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var wrote, synced int
	for _, e := range evs {
		if e.Err != nil || e.Path != path || e.Duration < 0 {
			t.Fatalf("event %+v", e)
		}
		switch e.Op {
		case OpWrite:
			wrote += e.Bytes
		case OpFsync:
			synced++
		}
	}
	if wrote != len(r) || synced != 1 {
		t.Fatalf("wrote %d bytes, %d fsyncs: %+v", wrote, synced, evs)
	}
}

// TestFsyncFailure injects a failing fsync: the log reports it, fails, and
// refuses every later record; fsync is not retried.
func TestFsyncFailure(t *testing.T) {
	for _, policy := range []FsyncPolicy{FsyncAlways, FsyncEverySec} {
		t.Run(policy.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.aof")
			ffs := newFaultFS()
			logger, logs := testLogger()
			var mu sync.Mutex
			var failedEvents int
			l, err := Open(path, Options{Fsync: policy, FS: ffs, Logger: logger, Metrics: func(e Event) {
				if e.Err != nil {
					mu.Lock()
					failedEvents++
					mu.Unlock()
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			ok, _ := l.Append(rec("SET", "a", "1"))
			if err := l.Sync(); err != nil {
				t.Fatal(err)
			}
			ffs.setFail(func(op fop, _ string) error {
				if op == fopSync {
					return syscall.EIO
				}
				return nil
			})
			tk, err := l.Append(rec("SET", "b", "2"))
			if err != nil {
				t.Fatal(err)
			}
			if policy == FsyncAlways {
				err = l.Wait(tk)
			} else {
				deadline := time.Now().Add(3 * time.Second)
				for err == nil && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
					_, err = l.Append(rec("SET", "c", "3"))
				}
			}
			if !errors.Is(err, ErrLogFailed) || !errors.Is(err, syscall.EIO) {
				t.Fatalf("err = %v", err)
			}
			syncs := ffs.count(fopSync)
			if _, err := l.Append(rec("SET", "d", "4")); !errors.Is(err, ErrLogFailed) {
				t.Fatalf("Append after failure: %v", err)
			}
			if err := l.Wait(tk + 1000); !errors.Is(err, ErrLogFailed) {
				t.Fatalf("Wait after failure: %v", err)
			}
			if policy == FsyncAlways {
				if err := l.Wait(ok); err != nil {
					t.Fatalf("Wait for a record fsynced before the failure: %v", err)
				}
			}
			if err := l.Sync(); !errors.Is(err, ErrLogFailed) {
				t.Fatalf("Sync after failure: %v", err)
			}
			if err := l.Close(); !errors.Is(err, ErrLogFailed) {
				t.Fatalf("Close: %v", err)
			}
			if n := ffs.count(fopSync); n != syncs {
				t.Fatalf("fsync retried: %d > %d", n, syncs)
			}
			if st := l.Stats(); !errors.Is(st.Err, ErrLogFailed) {
				t.Fatalf("stats err %v", st.Err)
			}
			if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "input/output error") {
				t.Fatalf("log: %s", logs.String())
			}
			mu.Lock()
			if failedEvents != 1 {
				t.Fatalf("%d failed events", failedEvents)
			}
			mu.Unlock()
			// Reopening works and keeps a valid log.
			ffs.setFail(nil)
			l2, err := Open(path, Options{FS: ffs, Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			if err := l2.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestDiskFull injects ENOSPC in the middle of a write: the error is clear
// and no partial record survives a reopen.
func TestDiskFull(t *testing.T) {
	tests := []struct {
		name    string
		truncOK bool
		value   int // size of the value of the failing record
	}{
		{"small record", true, 100},
		{"small record, truncate fails", false, 100},
		{"record over several chunks, fails on the second write", true, 3 * chunkSize},
		{"record over several chunks, truncate fails", false, 3 * chunkSize},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.aof")
			ffs := newFaultFS()
			ffs.partial = true
			logger, logs := testLogger()
			l, err := Open(path, Options{Fsync: FsyncAlways, FS: ffs, Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			tk, _ := l.Append(rec("SET", "a", "1"))
			if err := l.Wait(tk); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			writes := 0
			ffs.setFail(func(op fop, _ string) error {
				switch {
				case op == fopWrite:
					mu.Lock()
					defer mu.Unlock()
					writes++
					if tc.value < chunkSize || writes == 2 {
						return syscall.ENOSPC
					}
				case op == fopTruncate && !tc.truncOK:
					return syscall.EIO
				}
				return nil
			})
			tk, _ = l.Append(rec("SET", "b", strings.Repeat("x", tc.value)))
			err = l.Wait(tk)
			if !errors.Is(err, ErrLogFailed) || !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), "no space left") {
				t.Fatalf("err = %v", err)
			}
			if _, err := l.Append(rec("SET", "c", "3")); !errors.Is(err, ErrLogFailed) {
				t.Fatalf("Append: %v", err)
			}
			_ = l.Close()
			good := int64(len(rec("SET", "a", "1")))
			if tc.truncOK && fileSize(t, path) != good {
				t.Fatalf("partial write left: size %d", fileSize(t, path))
			}
			if !tc.truncOK && !strings.Contains(logs.String(), "partial write") {
				t.Fatalf("log: %s", logs.String())
			}
			ffs.setFail(nil)
			got, res, err := replayAll(t, path, ReplayOptions{FS: ffs, Logger: logger})
			if err != nil || !reflect.DeepEqual(got, []string{"SET a 1"}) || res.Bytes != good {
				t.Fatal(got, res, err)
			}
			if fileSize(t, path) != good {
				t.Fatal("partial record left after replay")
			}
			l, err = Open(path, Options{FS: ffs, Logger: logger, Replayed: &res})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := l.Append(rec("SET", "c", "3")); err != nil {
				t.Fatal(err)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if got, _, err := replayAll(t, path, ReplayOptions{}); err != nil || len(got) != 2 {
				t.Fatal(got, err)
			}
		})
	}
}

func TestOpenReadOnlyDir(t *testing.T) {
	t.Run("injected", func(t *testing.T) {
		ffs := newFaultFS()
		ffs.setFail(func(op fop, _ string) error {
			if op == fopOpen {
				return syscall.EROFS
			}
			return nil
		})
		path := filepath.Join(t.TempDir(), "a.aof")
		_, err := Open(path, Options{FS: ffs})
		if !errors.Is(err, syscall.EROFS) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "read-only") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("chmod", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root ignores directory permissions")
		}
		dir := t.TempDir()
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(dir, 0o755)
		path := filepath.Join(dir, "a.aof")
		_, err := Open(path, Options{})
		if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), path) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestBackpressure checks that MaxBuffer bounds the buffer when the disk is
// slower than the writers.
func TestBackpressure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.aof")
	ffs := newFaultFS()
	ffs.writeDelay = 5 * time.Millisecond
	const maxBuf = 2048
	l, err := Open(path, Options{Fsync: FsyncNo, FS: ffs, MaxBuffer: maxBuf, FlushThreshold: 1024})
	if err != nil {
		t.Fatal(err)
	}
	r := rec("SET", "key", strings.Repeat("v", 80))
	for range 200 {
		if _, err := l.Append(r); err != nil {
			t.Fatal(err)
		}
		if b := l.Stats().Buffered; b >= maxBuf+len(r) {
			t.Fatalf("buffered %d", b)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, res, err := replayAll(t, path, ReplayOptions{}); err != nil || res.Records != 200 {
		t.Fatal(res, err)
	}
}

func TestSwitch(t *testing.T) {
	for _, policy := range []FsyncPolicy{FsyncAlways, FsyncEverySec, FsyncNo} {
		t.Run(policy.String(), func(t *testing.T) {
			dir := t.TempDir()
			p1, p2 := filepath.Join(dir, "1.aof"), filepath.Join(dir, "2.aof")
			ffs := newFaultFS()
			logger, _ := testLogger()
			l, err := Open(p1, Options{Fsync: policy, FS: ffs, Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			a := rec("SET", "a", "1")
			l.Append(a)
			cut, err := l.Switch(p2)
			if err != nil {
				t.Fatal(err)
			}
			if cut != Ticket(len(a)) {
				t.Fatalf("cut at %d", cut)
			}
			if st := l.Stats(); st.Path != p2 || st.FileSize != 0 || st.Synced != cut {
				t.Fatalf("stats %+v", st)
			}
			tk, _ := l.Append(rec("SET", "b", "2"))
			if err := l.Wait(tk); err != nil {
				t.Fatal(err)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			g1, _, err1 := replayAll(t, p1, ReplayOptions{})
			g2, _, err2 := replayAll(t, p2, ReplayOptions{})
			if err1 != nil || err2 != nil || !reflect.DeepEqual(g1, []string{"SET a 1"}) || !reflect.DeepEqual(g2, []string{"SET b 2"}) {
				t.Fatal(g1, g2, err1, err2)
			}
			// The directory of the new file was fsynced after its creation.
			if ffs.count(fopSyncDir) < 2 {
				t.Fatal("directory not fsynced")
			}
		})
	}
}

// TestSwitchCutUnderLoad cuts while writers append under a shard lock:
// every record lands in exactly one file, the old file ends exactly at the
// cut, and no record appended after the cut is in the old file.
func TestSwitchCutUnderLoad(t *testing.T) {
	dir := t.TempDir()
	p1, p2 := filepath.Join(dir, "1.aof"), filepath.Join(dir, "2.aof")
	logger, _ := testLogger()
	l, err := Open(p1, Options{Fsync: FsyncEverySec, Logger: logger, WriteDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	var shard sync.Mutex
	var seq int // guarded by shard
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				shard.Lock()
				_, err := l.Append(rec("SET", "n", fmt.Sprint(seq)))
				seq++
				shard.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	sw, err := l.PrepareSwitch(p2)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	shard.Lock()
	cutSeq := seq
	cut, err := sw.Cut()
	shard.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.Finish(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	g1, _, err := replayAll(t, p1, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g2, _, err := replayAll(t, p2, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fileSize(t, p1) != int64(cut) || len(g1) != cutSeq || len(g2) == 0 {
		t.Fatalf("old file %d bytes, cut %d; %d records before the cut, %d in the old file, %d in the new", fileSize(t, p1), cut, cutSeq, len(g1), len(g2))
	}
	for i, c := range append(g1, g2...) {
		if c != fmt.Sprint("SET n ", i) {
			t.Fatalf("record %d is %q", i, c)
		}
	}
}

func TestSwitchErrors(t *testing.T) {
	dir := t.TempDir()
	p1, p2, p3 := filepath.Join(dir, "1.aof"), filepath.Join(dir, "2.aof"), filepath.Join(dir, "3.aof")
	logger, _ := testLogger()
	l, err := Open(p1, Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p3, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := l.PrepareSwitch(p3); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("switch to a non-empty file: %v", err)
	}
	sw, err := l.PrepareSwitch(p2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.PrepareSwitch(p3); err == nil {
		t.Fatal("two pending switches")
	}
	if err := sw.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p2); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("aborted file left behind")
	}
	if _, err := sw.Cut(); err == nil {
		t.Fatal("cut after abort")
	}
	sw, err = l.PrepareSwitch(p2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sw.Cut(); err != nil {
		t.Fatal(err)
	}
	if err := sw.Abort(); err == nil {
		t.Fatal("abort after cut")
	}
	// The writer completes a cut switch on its own.
	deadline := time.Now().Add(time.Second)
	for l.Stats().Path != p2 {
		if time.Now().After(deadline) {
			t.Fatal("switch not completed in the background")
		}
		time.Sleep(time.Millisecond)
	}
	// Close with a prepared, uncut switch leaves the empty file.
	sw, err = l.PrepareSwitch(filepath.Join(dir, "4.aof"))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sw.Cut(); err == nil {
		t.Fatal("cut after Close")
	}
	if fileSize(t, filepath.Join(dir, "4.aof")) != 0 {
		t.Fatal("new file")
	}
}

// TestChunkBoundaries appends records of many sizes (crossing and
// exceeding the buffer chunk size) with both append methods, cuts a switch
// in the middle of the buffered data and checks both files byte for byte.
func TestChunkBoundaries(t *testing.T) {
	dir := t.TempDir()
	p1, p2 := filepath.Join(dir, "1.aof"), filepath.Join(dir, "2.aof")
	logger, _ := testLogger()
	l, err := Open(p1, Options{Fsync: FsyncNo, Logger: logger, WriteDelay: time.Hour, FlushThreshold: 1 << 30, MaxBuffer: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int{0, 1, 100, chunkSize - 30, chunkSize, chunkSize + 7, 3 * chunkSize, 5, 40000, 40000, 40000}
	var want1, want2 []byte
	var sw *Switcher
	for round := range 2 {
		for i, n := range sizes {
			args := [][]byte{[]byte("SET"), []byte(fmt.Sprint("k", round, i)), []byte(strings.Repeat(string(rune('a'+i)), n))}
			enc := rec("SET", string(args[1]), string(args[2]))
			before := l.Stats().Appended
			var tk Ticket
			if i%2 == 0 {
				tk, err = l.AppendArgs(args)
			} else {
				tk, err = l.Append(enc)
			}
			if err != nil {
				t.Fatal(err)
			}
			if tk-before != Ticket(len(enc)) {
				t.Fatalf("size %d: ticket advanced by %d, record has %d bytes", n, tk-before, len(enc))
			}
			if round == 0 {
				want1 = append(want1, enc...)
			} else {
				want2 = append(want2, enc...)
			}
		}
		if round == 0 {
			if sw, err = l.PrepareSwitch(p2); err != nil {
				t.Fatal(err)
			}
			if _, err := sw.Cut(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if st := l.Stats(); st.Written != 0 || st.Buffered != len(want1)+len(want2) {
		t.Fatalf("written before the delay: %+v", st)
	}
	if err := sw.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	got1, _ := os.ReadFile(p1)
	got2, _ := os.ReadFile(p2)
	if !bytes.Equal(got1, want1) || !bytes.Equal(got2, want2) {
		t.Fatalf("files differ: %d/%d and %d/%d bytes", len(got1), len(want1), len(got2), len(want2))
	}
}

// TestSetPolicy changes the policy of an open log (CONFIG SET
// appendfsync): no → always fsyncs in Wait; always → everysec starts the
// syncer, which fsyncs without a Wait; everysec → no stops it.
func TestSetPolicy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.aof")
	ffs := newFaultFS()
	l, err := Open(path, Options{Fsync: FsyncNo, FS: ffs})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	appendWait := func() Ticket {
		t.Helper()
		tk, err := l.Append(rec("SET", "a", "1"))
		if err == nil {
			err = l.Wait(tk)
		}
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	tk := appendWait()
	if st := l.Stats(); st.Synced >= tk || st.Policy != FsyncNo {
		t.Fatalf("under no: %+v", st)
	}

	l.SetPolicy(FsyncAlways)
	tk = appendWait()
	if st := l.Stats(); st.Synced < tk || st.Policy != FsyncAlways {
		t.Fatalf("Wait under always returned before the fsync: %+v", st)
	}

	l.SetPolicy(FsyncEverySec)
	tk, err = l.Append(rec("SET", "b", "2"))
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); l.Stats().Synced < tk; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not fsynced 5s after switching to everysec: %+v", l.Stats())
		}
	}

	l.SetPolicy(FsyncNo)
	time.Sleep(syncInterval + 100*time.Millisecond) // the syncer's tick sees the change and stops
	syncs := ffs.count(fopSync)
	tk = appendWait()
	time.Sleep(syncInterval + 200*time.Millisecond)
	if n := ffs.count(fopSync) - syncs; n != 0 || l.Stats().Synced >= tk {
		t.Fatalf("%d fsyncs after switching to no: %+v", n, l.Stats())
	}
}

// TestSetPolicyConcurrent flips the policy while writers append and wait
// (for the race detector): no Append or Wait fails, Close succeeds, and
// the file replays to every byte appended.
func TestSetPolicyConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.aof")
	l, err := Open(path, Options{Fsync: FsyncEverySec})
	if err != nil {
		t.Fatal(err)
	}
	var shard sync.Mutex
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				shard.Lock()
				tk, err := l.Append(rec("SET", fmt.Sprint("w", w), fmt.Sprint(i)))
				shard.Unlock()
				if err == nil {
					err = l.Wait(tk)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	policies := []FsyncPolicy{FsyncAlways, FsyncNo, FsyncEverySec, FsyncAlways, FsyncEverySec, FsyncNo}
	for i := range 60 {
		l.SetPolicy(policies[i%len(policies)])
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := Replay(path, func([][]byte) error { return nil }, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st := l.Stats(); res.Bytes != int64(st.Appended) {
		t.Fatalf("replayed %d bytes, appended %d", res.Bytes, st.Appended)
	}
}
