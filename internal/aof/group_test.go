package aof

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// groupLogs opens n FsyncAlways logs in one group (on fsys, nil for the
// operating system's) and closes them at the end of the test.
func groupLogs(t *testing.T, g *Group, n int, fsys FS) ([]*Log, []string) {
	t.Helper()
	dir := t.TempDir()
	logs := make([]*Log, n)
	paths := make([]string, n)
	for i := range logs {
		paths[i] = filepath.Join(dir, fmt.Sprintf("%d.aof", i))
		l, err := Open(paths[i], Options{Fsync: FsyncAlways, Group: g, FS: fsys})
		if err != nil {
			t.Fatal(err)
		}
		logs[i] = l
		t.Cleanup(func() { _ = l.Close() })
	}
	return logs, paths
}

// runGroupWriters runs writers goroutines, each appending per records to
// logs[w%len(logs)] under that log's lock and waiting for each; every Wait
// must return with the record fsynced. It returns the errors of Wait per
// log.
func runGroupWriters(t *testing.T, logs []*Log, writers, per int) []error {
	t.Helper()
	locks := make([]sync.Mutex, len(logs))
	errs := make([]error, len(logs))
	var errMu sync.Mutex
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			i := w % len(logs)
			for k := range per {
				locks[i].Lock()
				tk, err := logs[i].Append(rec("SET", fmt.Sprint(w), fmt.Sprint(k)))
				locks[i].Unlock()
				if err == nil {
					err = logs[i].Wait(tk)
				}
				if err != nil {
					errMu.Lock()
					errs[i] = err
					errMu.Unlock()
					return
				}
				if s := logs[i].Stats().Synced; s < tk {
					t.Errorf("log %d: Wait returned before the sync: synced %d < %d", i, s, tk)
				}
			}
		})
	}
	wg.Wait()
	return errs
}

// TestGroupSharesRounds checks that waiters of different logs of a group
// share rounds, that every record is durable when Wait returns and present
// after replay, and that several dirty logs are synced with syncfs on
// Linux.
func TestGroupSharesRounds(t *testing.T) {
	var g Group
	const nlogs, writers, per = 8, 32, 25
	logs, paths := groupLogs(t, &g, nlogs, nil)
	for i, err := range runGroupWriters(t, logs, writers, per) {
		if err != nil {
			t.Fatalf("log %d: %v", i, err)
		}
	}
	st := g.Stats()
	t.Logf("%d records, %+v", writers*per, st)
	if st.Rounds == 0 || st.Rounds > writers*per/2 {
		t.Fatalf("%d rounds for %d records: rounds are not shared", st.Rounds, writers*per)
	}
	if runtime.GOOS == "linux" && st.SyncFS == 0 {
		t.Fatal("no round used syncfs although several logs were dirty at once")
	}
	for i, l := range logs {
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if _, res, err := replayAll(t, paths[i], ReplayOptions{}); err != nil || res.Records != writers/nlogs*per {
			t.Fatalf("log %d: %+v %v", i, res, err)
		}
	}
}

// TestGroupPauseSyncFS checks that a paused group fsyncs each log.
func TestGroupPauseSyncFS(t *testing.T) {
	var g Group
	g.PauseSyncFS()
	logs, _ := groupLogs(t, &g, 4, nil)
	for i, err := range runGroupWriters(t, logs, 16, 10) {
		if err != nil {
			t.Fatalf("log %d: %v", i, err)
		}
	}
	if st := g.Stats(); st.Rounds == 0 || st.SyncFS != 0 {
		t.Fatalf("paused group: %+v", st)
	}
	g.ResumeSyncFS()
}

// TestGroupFsyncFailure checks that a failed fsync of one member fails
// that log's waiters only.
func TestGroupFsyncFailure(t *testing.T) {
	var g Group
	ffs := newFaultFS()
	logs, _ := groupLogs(t, &g, 4, ffs)
	ffs.setFail(func(op fop, name string) error {
		if op == fopSync && filepath.Base(name) == "2.aof" {
			return syscall.EIO
		}
		return nil
	})
	errs := runGroupWriters(t, logs, 16, 10)
	for i, err := range errs {
		switch {
		case i == 2 && !(errors.Is(err, ErrLogFailed) && errors.Is(err, syscall.EIO)):
			t.Fatalf("log 2 (fsync fails): %v", err)
		case i != 2 && err != nil:
			t.Fatalf("log %d: %v", i, err)
		}
	}
}

// TestGroupLeaveOnClose checks that a closed log leaves its group and the
// others go on.
func TestGroupLeaveOnClose(t *testing.T) {
	var g Group
	logs, _ := groupLogs(t, &g, 3, nil)
	if err := logs[1].Close(); err != nil {
		t.Fatal(err)
	}
	g.mu.Lock()
	n := len(g.logs)
	g.mu.Unlock()
	if n != 2 {
		t.Fatalf("%d members after a Close, want 2", n)
	}
	if _, err := logs[1].Append(rec("SET", "k", "v")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append to a closed member: %v", err)
	}
	for _, i := range []int{0, 2} {
		tk, err := logs[i].Append(rec("SET", "k", "v"))
		if err == nil {
			err = logs[i].Wait(tk)
		}
		if err != nil {
			t.Fatalf("log %d: %v", i, err)
		}
	}
}

// TestGroupSyncFSFailure checks that a failed syncfs fails every log it
// was to make durable (which file failed is unknown), as docs/persistence.md
// says, and that their waiters see the error.
func TestGroupSyncFSFailure(t *testing.T) {
	old := syncFSHook
	syncFSHook = func(File) (bool, error) { return true, syscall.EIO }
	t.Cleanup(func() { syncFSHook = old })
	var g Group
	dir := t.TempDir()
	logs := make([]*Log, 4)
	for i := range logs {
		// The writers wait long before writing on their own, so the
		// first round finds all 4 logs dirty, over syncFSMin.
		l, err := Open(filepath.Join(dir, strconv.Itoa(i)), Options{Fsync: FsyncAlways, Group: &g, WriteDelay: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = l.Close() })
		logs[i] = l
	}
	tickets := make([]Ticket, len(logs))
	for i, l := range logs {
		tk, err := l.Append(rec("SET", "k", strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		tickets[i] = tk
	}
	for i, l := range logs {
		if err := l.Wait(tickets[i]); !errors.Is(err, ErrLogFailed) || !errors.Is(err, syscall.EIO) {
			t.Fatalf("log %d: Wait = %v, want the syncfs failure", i, err)
		}
	}
	if st := g.Stats(); st.SyncFS == 0 {
		t.Fatalf("no round used syncfs: %+v", st)
	}
}
