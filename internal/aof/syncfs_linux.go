package aof

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// syncFS makes everything written to the file system holding f durable
// with one syncfs(2), which also reports write-back errors of the file
// system (Linux 5.8 and later). ok is false when f is not an operating
// system file, so the caller must fsync instead.
func syncFS(f File) (ok bool, err error) {
	sc, isConn := f.(syscall.Conn)
	if !isConn {
		return false, nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false, nil
	}
	var serr error
	if cerr := rc.Control(func(fd uintptr) { serr = unix.Syncfs(int(fd)) }); cerr != nil {
		return false, nil
	}
	if serr == unix.ENOSYS {
		return false, nil
	}
	return true, serr
}
