//go:build unix

package server

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// rawReadSupported reports whether readFD works on this platform.
const rawReadSupported = true

// errWouldBlock is readFD's result when no input is waiting.
var errWouldBlock = errors.New("kevy server: read would block")

// readFD reads once from a non-blocking socket: it returns io.EOF at the
// end of input and errWouldBlock if nothing is waiting.
func readFD(fd uintptr, p []byte) (int, error) {
	for {
		n, err := rawRead(fd, p)
		switch err {
		case nil:
			if n == 0 && len(p) > 0 {
				return 0, io.EOF
			}
			return n, nil
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return 0, errWouldBlock
		}
		return 0, os.NewSyscallError("read", err)
	}
}
