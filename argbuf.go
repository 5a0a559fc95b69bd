package kevy

import (
	"math/bits"
	"sync"
)

// Do copies its arguments into one buffer (see appendArg). Up to
// maxPooledBytes that buffer stays with the pooled doScratch; larger ones
// come from bigArgBufs, one pool per power of two from 128 KiB to 64 MiB,
// so that a program that keeps writing large values does not allocate a
// new buffer per call. Arguments above 64 MiB get a buffer of their own.
var bigArgBufs [bigArgClasses]sync.Pool

const (
	bigArgMinShift = 17 // the smallest pooled size, 128 KiB
	bigArgClasses  = 10 // up to 64 MiB
)

// argSize is the number of bytes appendArg writes for a: exact for
// strings and byte slices, an upper bound for the other types.
func argSize(a any) int {
	switch v := a.(type) {
	case string:
		return len(v)
	case []byte:
		return len(v)
	}
	return 32
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

// growArgBuf returns a buffer holding buf's bytes with room for the
// arguments rest, taken from bigArgBufs when it is large.
func growArgBuf(buf []byte, rest []any) []byte {
	n := len(buf)
	for _, a := range rest {
		n += argSize(a)
	}
	var nb []byte
	if c := bigArgClass(n); c >= 0 {
		if p, ok := bigArgBufs[c].Get().(*[]byte); ok {
			nb = (*p)[:0]
		} else {
			nb = make([]byte, 0, 1<<(c+bigArgMinShift))
		}
	} else {
		nb = make([]byte, 0, n)
	}
	return append(nb, buf...)
}

// putArgBuf gives a buffer from growArgBuf back to its pool (buffers of
// another capacity, grown by append, are dropped).
func putArgBuf(b []byte) {
	c := bigArgClass(cap(b))
	if c < 0 || cap(b) != 1<<(c+bigArgMinShift) {
		return
	}
	b = b[:0]
	bigArgBufs[c].Put(&b)
}
