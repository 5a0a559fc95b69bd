//go:build race && linux

package server

import (
	"runtime"
	"unsafe"
)

// raceReadRange and raceWriteRange tell the race detector about the
// kernel's accesses to a buffer in the raw system calls of rawio_linux.go.
func raceReadRange(p unsafe.Pointer, n int)  { runtime.RaceReadRange(p, n) }
func raceWriteRange(p unsafe.Pointer, n int) { runtime.RaceWriteRange(p, n) }
