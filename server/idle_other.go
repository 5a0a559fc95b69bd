//go:build !unix

package server

import (
	"errors"
	"io"
	"syscall"
)

// rawReadSupported reports whether readFD works on this platform: on
// this one connections read through net.Conn and keep their buffers.
const rawReadSupported = false

// errWouldBlock is readFD's result when no input is waiting.
var errWouldBlock = errors.New("kevy server: read would block")

// readFD is not used on this platform.
func readFD(fd uintptr, p []byte) (int, error) { return 0, errors.ErrUnsupported }

// newRawWriter returns nil: connections write through net.Conn.
func newRawWriter(syscall.RawConn) io.Writer { return nil }
