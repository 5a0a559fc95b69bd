package persist

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/kevydb/kevy/internal/aof"
	"github.com/kevydb/kevy/internal/command"
)

// faultFS is an aof.FS over the OS that injects errors: every write-mode
// open fails with openErr when set, and writes fail with ENOSPC once
// quota bytes have been written (when quota >= 0).
type faultFS struct {
	aof.OSFS
	mu      sync.Mutex
	openErr error
	quota   atomic.Int64
	syncErr atomic.Pointer[error]
}

func newFaultFS() *faultFS {
	f := &faultFS{}
	f.quota.Store(-1)
	return f
}

func (f *faultFS) OpenFile(name string, flag int, perm fs.FileMode) (aof.File, error) {
	f.mu.Lock()
	oe := f.openErr
	f.mu.Unlock()
	if oe != nil && flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: oe}
	}
	file, err := f.OSFS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f}, nil
}

type faultFile struct {
	aof.File
	fs *faultFS
}

func (ff *faultFile) Write(p []byte) (int, error) {
	if q := ff.fs.quota.Load(); q >= 0 {
		if int64(len(p)) > q {
			n, _ := ff.File.Write(p[:q])
			ff.fs.quota.Store(0)
			return n, syscall.ENOSPC
		}
		ff.fs.quota.Add(-int64(len(p)))
	}
	return ff.File.Write(p)
}

func (ff *faultFile) Sync() error {
	if p := ff.fs.syncErr.Load(); p != nil {
		return *p
	}
	return ff.File.Sync()
}

// TestDiskFull: when the disk fills up the log fails, writes are refused
// with MISCONF (command.ErrPersistence), and what was acknowledged before
// survives a reopen.
func TestDiskFull(t *testing.T) {
	for _, policy := range []aof.FsyncPolicy{aof.FsyncAlways, aof.FsyncEverySec} {
		t.Run(policy.String(), func(t *testing.T) {
			dir := t.TempDir()
			ffs := newFaultFS()
			o := defaultOpts(dir)
			o.Fsync = policy
			o.FS = ffs
			d := mustOpen(t, 1, o, nil)
			for i := range 20 {
				if r := d.do("SET", "k"+strconvI(i), "v"); r != "OK" {
					t.Fatalf("SET before the disk filled: %s", r)
				}
			}
			if err := d.st.Sync(); err != nil {
				t.Fatal(err)
			}
			ffs.quota.Store(10) // 10 more bytes fit
			var failed string
			for i := 20; i < 10000 && failed == ""; i++ {
				r := d.do("SET", "k"+strconvI(i), "value")
				if strings.HasPrefix(r, "!") {
					failed = r
				}
				if i%100 == 0 {
					_ = d.st.Sync()
				}
			}
			if !strings.Contains(failed, "MISCONF") && !strings.Contains(failed, "persistence") {
				t.Fatalf("no failure reported after the disk filled: %q", failed)
			}
			// Every later write is refused, reads still work.
			if r := d.do("SET", "after", "x"); !strings.HasPrefix(r, "!MISCONF Errors writing to the AOF file") ||
				!strings.Contains(r, "no space left") {
				t.Fatalf("write after the failure: %q", r)
			}
			if r := d.do("GET", "k0"); r != "v" {
				t.Fatalf("read after the failure: %q", r)
			}
			if err := d.st.Err(); !errors.Is(err, command.ErrPersistence) || !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("Err() = %v", err)
			}
			_ = d.st.Close()
			// Reopen with room: the first 20 writes are there; the torn tail
			// of the failed write is cut off.
			d = mustOpen(t, 1, defaultOpts(dir), nil)
			for i := range 20 {
				if r := d.do("GET", "k"+strconvI(i)); r != "v" {
					t.Fatalf("k%d = %q after reopen", i, r)
				}
			}
			if r := d.do("GET", "after"); r != "(nil)" {
				t.Fatalf("a refused write was applied: %q", r)
			}
			d.close()
		})
	}
}

// TestFsyncFailure: a failed fsync is never retried; Always waiters get
// the error.
func TestFsyncFailure(t *testing.T) {
	dir := t.TempDir()
	ffs := newFaultFS()
	o := defaultOpts(dir)
	o.Fsync = aof.FsyncAlways
	o.FS = ffs
	d := mustOpen(t, 2, o, nil)
	d.do("SET", "a", "1")
	eio := error(syscall.EIO)
	ffs.syncErr.Store(&eio)
	r := d.do("SET", "b", "2")
	if !strings.HasPrefix(r, "!WAIT") || !strings.Contains(r, "input/output error") {
		t.Fatalf("SET with a failing fsync: %q", r)
	}
	ffs.syncErr.Store(nil)
	if r := d.do("SET", "c", "3"); !strings.HasPrefix(r, "!MISCONF") {
		t.Fatalf("SET after a failed fsync: %q", r)
	}
	_ = d.st.Close()
}

func TestReadOnlyFS(t *testing.T) {
	dir := t.TempDir()
	d := mustOpen(t, 1, defaultOpts(dir), nil)
	d.do("SET", "k", "v")
	d.close()
	ffs := newFaultFS()
	ffs.openErr = syscall.EROFS
	o := defaultOpts(dir)
	o.FS = ffs
	_, err := openTestDB(t, 1, o, nil)
	if err == nil || !errors.Is(err, syscall.EROFS) {
		t.Fatalf("Open on a read-only file system: %v", err)
	}
	// Nothing was damaged.
	d = mustOpen(t, 1, defaultOpts(dir), nil)
	if d.do("GET", "k") != "v" {
		t.Fatal("data lost")
	}
	d.close()
}

// TestSaveFailure: a snapshot that cannot be written leaves the previous
// files in place and the database working.
func TestSaveFailure(t *testing.T) {
	dir := t.TempDir()
	ffs := newFaultFS()
	o := defaultOpts(dir)
	o.FS = ffs
	d := mustOpen(t, 2, o, nil)
	writeSome(d, 50)
	want := d.dump()
	ffs.mu.Lock()
	ffs.openErr = syscall.ENOSPC
	ffs.mu.Unlock()
	if err := d.st.Save(); err == nil {
		t.Fatal("Save succeeded without space")
	}
	ffs.mu.Lock()
	ffs.openErr = nil
	ffs.mu.Unlock()
	d.do("SET", "after", "1")
	want2 := d.dump()
	d.close()
	d = mustOpen(t, 2, defaultOpts(dir), nil)
	if got := d.dump(); got != want2 || !strings.Contains(got, "after") || len(want) == 0 {
		t.Fatalf("after a failed save:\n%s\nwant:\n%s", got, want2)
	}
	d.close()
}

func strconvI(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return strconvI(i/10) + digits[i%10:i%10+1]
}
