package aof

import (
	"bytes"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy/internal/resp"
)

// fop names a file system operation of faultFS.
type fop string

const (
	fopOpen     fop = "open"
	fopWrite    fop = "write"
	fopSync     fop = "sync"
	fopTruncate fop = "truncate"
	fopClose    fop = "close"
	fopRename   fop = "rename"
	fopRemove   fop = "remove"
	fopSyncDir  fop = "syncdir"
)

// faultFS wraps OSFS, counts operations and injects failures.
type faultFS struct {
	mu sync.Mutex
	// fail, if set, is called before each operation; a non-nil error is
	// returned instead of performing it. For writes see partial.
	fail func(op fop, name string) error
	// partial makes an injected write failure write half of the bytes
	// first, like a disk filling up in the middle of a write.
	partial bool
	// syncDelay is added to every file fsync, to model a slow disk.
	syncDelay time.Duration
	// writeDelay is added to every write.
	writeDelay time.Duration
	// fakeSync skips the real fsync (only syncDelay is spent), and
	// discardWrites skips the real writes: they isolate the Log's own
	// costs in benchmarks.
	fakeSync, discardWrites bool
	counts                  map[fop]int
	names                   map[fop][]string
}

func newFaultFS() *faultFS {
	return &faultFS{counts: map[fop]int{}, names: map[fop][]string{}}
}

func (f *faultFS) check(op fop, name string) error {
	f.mu.Lock()
	f.counts[op]++
	f.names[op] = append(f.names[op], filepath.Base(name))
	hook := f.fail
	f.mu.Unlock()
	if hook != nil {
		return hook(op, name)
	}
	return nil
}

func (f *faultFS) count(op fop) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[op]
}

func (f *faultFS) setFail(hook func(op fop, name string) error) {
	f.mu.Lock()
	f.fail = hook
	f.mu.Unlock()
}

func (f *faultFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	if err := f.check(fopOpen, name); err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	file, err := OSFS{}.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f, name: name}, nil
}

func (f *faultFS) Rename(oldpath, newpath string) error {
	if err := f.check(fopRename, newpath); err != nil {
		return err
	}
	return os.Rename(oldpath, newpath)
}

func (f *faultFS) Remove(name string) error {
	if err := f.check(fopRemove, name); err != nil {
		return err
	}
	return os.Remove(name)
}

func (f *faultFS) SyncDir(dir string) error {
	if err := f.check(fopSyncDir, dir); err != nil {
		return err
	}
	return OSFS{}.SyncDir(dir)
}

// faultFile is a File of faultFS.
type faultFile struct {
	File
	fs   *faultFS
	name string
}

func (f *faultFile) Write(p []byte) (int, error) {
	if d := f.fs.writeDelay; d > 0 {
		time.Sleep(d)
	}
	if err := f.fs.check(fopWrite, f.name); err != nil {
		n := 0
		if f.fs.partial && len(p) > 1 {
			n, _ = f.File.Write(p[:len(p)/2])
		}
		return n, err
	}
	if f.fs.discardWrites {
		return len(p), nil
	}
	return f.File.Write(p)
}

func (f *faultFile) Sync() error {
	if err := f.fs.check(fopSync, f.name); err != nil {
		return err
	}
	if d := f.fs.syncDelay; d > 0 {
		time.Sleep(d)
	}
	if f.fs.fakeSync {
		return nil
	}
	return f.File.Sync()
}

func (f *faultFile) Truncate(size int64) error {
	if err := f.fs.check(fopTruncate, f.name); err != nil {
		return err
	}
	return f.File.Truncate(size)
}

func (f *faultFile) Close() error {
	if err := f.fs.check(fopClose, f.name); err != nil {
		_ = f.File.Close()
		return err
	}
	return f.File.Close()
}

// logBuf is a goroutine-safe buffer for a test logger.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testLogger returns a logger writing into the returned buffer.
func testLogger() (*slog.Logger, *logBuf) {
	lb := &logBuf{}
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}

// rec encodes a command.
func rec(args ...string) []byte { return resp.AppendCommandString(nil, args...) }

// join concatenates records.
func join(recs ...[]byte) []byte { return bytes.Join(recs, nil) }

// replayAll replays path and returns the commands as space-joined strings.
func replayAll(t *testing.T, path string, opts ReplayOptions) ([]string, ReplayResult, error) {
	t.Helper()
	var got []string
	res, err := Replay(path, func(args [][]byte) error {
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = string(a)
		}
		got = append(got, strings.Join(parts, " "))
		return nil
	}, opts)
	return got, res, err
}

// writeFile writes data to a new file in a temporary directory.
func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shard.aof")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// fileSize returns the size of path.
func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
