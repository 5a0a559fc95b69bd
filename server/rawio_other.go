//go:build unix && (!linux || msan || asan)

package server

import (
	"io"
	"syscall"
)

// rawRead is read(2) on a non-blocking socket; only Linux issues it
// without the runtime's bookkeeping (rawio_linux.go), and not in MSan or
// ASan builds, which need syscall.Read's annotations.
func rawRead(fd uintptr, p []byte) (int, error) { return syscall.Read(int(fd), p) }

// newRawWriter returns nil: outside Linux (and in MSan and ASan builds)
// connections write through net.Conn.
func newRawWriter(syscall.RawConn) io.Writer { return nil }
