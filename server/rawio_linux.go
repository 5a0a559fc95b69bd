//go:build linux && !msan && !asan

package server

import (
	"io"
	"os"
	"syscall"
	"unsafe"
)

// The connection's socket reads and writes are issued with
// syscall.RawSyscall, without the runtime's system-call bookkeeping
// (entersyscall/exitsyscall). The sockets are non-blocking, so the calls
// cannot block, and the bookkeeping costs more than its own instructions:
// entering a system call wakes the runtime's sysmon thread whenever it is
// asleep (with GOMAXPROCS=1 it falls asleep each time the server waits for
// its clients), and sysmon then polls every 20 µs for a while. Under
// redis-benchmark -P 16 that was about 1,000-2,800 extra nanosleeps and
// 2,000-4,000 extra context switches per 1.6 million requests, and twice
// redis-server's p95 and p99 latencies (docs/performance.md).
//
// The race detector learns of the kernel's accesses to the buffers
// through raceReadRange and raceWriteRange, as syscall.Read and Write
// tell it; MSan and ASan builds use syscall.Read and Write instead
// (rawio_other.go).

// rawRead is read(2) on a non-blocking socket.
func rawRead(fd uintptr, p []byte) (int, error) {
	var base unsafe.Pointer
	if len(p) > 0 {
		base = unsafe.Pointer(&p[0])
	}
	n, _, errno := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(base), uintptr(len(p)))
	if errno != 0 {
		return 0, errno
	}
	if n > 0 {
		raceWriteRange(base, int(n))
	}
	return int(n), nil
}

// rawWriter is the io.Writer of a TCP or unix socket connection: write(2)
// on the non-blocking socket, waiting for it to become writable through
// the runtime's poller (which applies the connection's write deadline and
// returns once it is closed). One goroutine at a time writes, as for any
// resp.Writer's destination.
type rawWriter struct {
	rc  syscall.RawConn
	p   []byte // what the current Write has left to write
	n   int    // how much of p is written
	err error
	fn  func(fd uintptr) bool // write1, bound once
}

// newRawWriter returns the writer for rc.
func newRawWriter(rc syscall.RawConn) io.Writer {
	w := &rawWriter{rc: rc}
	w.fn = w.write1
	return w
}

// Write writes all of p unless an error (closed connection, deadline,
// reset) stops it.
func (w *rawWriter) Write(p []byte) (int, error) {
	w.p, w.n, w.err = p, 0, nil
	err := w.rc.Write(w.fn)
	n := w.n
	if err == nil {
		err = w.err
	}
	w.p = nil
	return n, err
}

// write1 writes what is left of w.p; it returns false to wait until the
// socket is writable.
func (w *rawWriter) write1(fd uintptr) bool {
	for w.n < len(w.p) {
		rest := w.p[w.n:]
		raceReadRange(unsafe.Pointer(&rest[0]), len(rest))
		n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&rest[0])), uintptr(len(rest)))
		switch errno {
		case 0:
			w.n += int(n)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			w.err = os.NewSyscallError("write", errno)
			return true
		}
	}
	return true
}
