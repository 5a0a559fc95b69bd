package aof

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
)

// File is an open file as used by this package. *os.File implements it.
type File interface {
	io.Reader
	io.ReaderAt
	io.Writer
	io.Closer
	// Sync commits the file's content to stable storage (fsync).
	Sync() error
	// Truncate changes the size of the file.
	Truncate(size int64) error
	// Stat returns the file's metadata; only Size is used.
	Stat() (fs.FileInfo, error)
}

// FS is the file system used by Log, Replay, WriteFileAtomic and the
// manifest functions. Tests substitute an implementation that injects
// faults; OSFS is the real one.
type FS interface {
	// OpenFile opens a file like os.OpenFile.
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	// Rename renames a file like os.Rename (atomic on POSIX file systems).
	Rename(oldpath, newpath string) error
	// Remove removes a file like os.Remove.
	Remove(name string) error
	// SyncDir fsyncs a directory so that entries created, renamed or
	// removed in it are durable.
	SyncDir(dir string) error
}

// OSFS is the FS of the operating system.
type OSFS struct{}

// OpenFile calls os.OpenFile.
func (OSFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Rename calls os.Rename.
func (OSFS) Rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

// Remove calls os.Remove.
func (OSFS) Remove(name string) error { return os.Remove(name) }

// SyncDir opens dir and fsyncs it.
func (OSFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// orOS returns fsys, or OSFS if it is nil.
func orOS(fsys FS) FS {
	if fsys == nil {
		return OSFS{}
	}
	return fsys
}

// tmpSeq makes temporary file names unique within the process.
var tmpSeq atomic.Uint64

// WriteFileAtomic replaces the file at path with the bytes written by write,
// so that after a crash path holds either its old or its complete new
// content: write goes to a new temporary file in the same directory
// (buffered), which is fsynced, closed and renamed over path, and then the
// directory is fsynced. fsys nil means OSFS.
//
// If anything fails before the rename, the temporary file is removed and
// path is untouched. If only the final directory fsync fails, path already
// has the new content but the rename may not survive a crash; the error says
// so.
func WriteFileAtomic(fsys FS, path string, write func(w io.Writer) error) error {
	fsys = orOS(fsys)
	dir := filepath.Dir(path)
	tmp := path + ".tmp-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatUint(tmpSeq.Add(1), 10)
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("aof: create temporary file for %s: %w", path, err)
	}
	open := true
	fail := func(what string, err error) error {
		if open {
			_ = f.Close()
		}
		if rerr := fsys.Remove(tmp); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return fmt.Errorf("aof: %s %s: %w (removing the temporary file %s failed too: %v)", what, path, err, tmp, rerr)
		}
		return fmt.Errorf("aof: %s %s: %w", what, path, err)
	}
	bw := bufio.NewWriterSize(f, 64*1024)
	if err := write(bw); err != nil {
		return fail("write", err)
	}
	if err := bw.Flush(); err != nil {
		return fail("write", err)
	}
	if err := f.Sync(); err != nil {
		return fail("fsync", err)
	}
	open = false
	if err := f.Close(); err != nil {
		return fail("close", err)
	}
	if err := fsys.Rename(tmp, path); err != nil {
		return fail("rename temporary file to", err)
	}
	if err := fsys.SyncDir(dir); err != nil {
		return fmt.Errorf("aof: fsync directory %s after replacing %s (the new content is in place but may not survive a crash): %w", dir, path, err)
	}
	return nil
}
