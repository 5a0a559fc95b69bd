package kevy

import (
	"fmt"
	"math/bits"
	"slices"
	"sync"
)

// Do and Pipe.Do copy a command's arguments into one buffer (appendArg)
// and slice it into the argument vector (encodeArgs). Do's buffer up to
// maxPooledBytes stays with its pooled doScratch; larger ones come from
// bigArgBufs, one pool per power of two from 128 KiB to 64 MiB, so that a
// program that keeps writing large values does not allocate a new buffer
// per call. Arguments above 64 MiB get a buffer of their own.
var bigArgBufs [bigArgClasses]sync.Pool

const (
	bigArgMinShift = 17 // the smallest pooled size, 128 KiB
	bigArgClasses  = 10 // up to 64 MiB
)

// argsSize is an upper bound of the bytes appendArg writes for args:
// exact for strings and byte slices, 32 for a number (the longest
// formatting of a float64 or int64 is 24 bytes).
func argsSize(args []any) int {
	n := 0
	for _, a := range args {
		switch v := a.(type) {
		case string:
			n += len(v)
		case []byte:
			n += len(v)
		default:
			n += 32
		}
	}
	return n
}

// encodeArgs appends the bytes of args to buf, size bytes at most
// (argsSize), and their slices to argv, returning both. Each slice is
// capped at its end, so a handler appending to one cannot overwrite the
// next. (Were size too small, append would move buf and the earlier
// slices would keep the old array, with the same bytes.) An argument of
// an unsupported type is an error naming its position.
func encodeArgs(argv [][]byte, buf []byte, args []any, size int) ([][]byte, []byte, error) {
	buf = slices.Grow(buf, size)
	for i, a := range args {
		start := len(buf)
		var err error
		if buf, err = appendArg(buf, a); err != nil {
			return argv, buf, fmt.Errorf("argument %d: %w", i, err)
		}
		argv = append(argv, buf[start:len(buf):len(buf)])
	}
	return argv, buf, nil
}

// bigArgClass returns the pool of bigArgBufs for a buffer of n bytes, or
// -1 if n is above the largest.
func bigArgClass(n int) int {
	c := max(bits.Len(uint(n-1))-bigArgMinShift, 0)
	if c >= bigArgClasses {
		return -1
	}
	return c
}

// getArgBuf returns an empty buffer of at least n bytes, from bigArgBufs
// when one of its sizes fits.
func getArgBuf(n int) []byte {
	c := bigArgClass(n)
	if c < 0 {
		return make([]byte, 0, n)
	}
	if p, ok := bigArgBufs[c].Get().(*[]byte); ok {
		return (*p)[:0]
	}
	return make([]byte, 0, 1<<(c+bigArgMinShift))
}

// putArgBuf gives a buffer from getArgBuf back to its pool (the buffers
// above the largest size are dropped).
func putArgBuf(b []byte) {
	c := bigArgClass(cap(b))
	if c < 0 || cap(b) != 1<<(c+bigArgMinShift) {
		return
	}
	b = b[:0]
	bigArgBufs[c].Put(&b)
}
