package resp

import "math/bits"

// Buffers from minPoolBuf to maxPoolBuf bytes, in power-of-two classes,
// are shared between Readers and Writers through sync.Pools, so that a
// connection waiting for input can give its buffers back (Reader.Release,
// Writer.Release) and an idle connection holds none. The pools keep
// *[]byte boxes that travel with their buffers, so that putting a buffer
// back does not allocate; sync.Pool drops what stays unused for two
// garbage collections, so the memory of a burst of clients is returned.
const (
	minPoolBuf = 512
	maxPoolBuf = 64 * 1024
)

// bufPools holds one pool per class: 512 B, 1 KiB, ..., 64 KiB.
var bufPools [8]bufPool

// poolClass returns the index of the smallest class holding size bytes,
// or -1 when buffers of that size are not pooled.
func poolClass(size int) int {
	if size < minPoolBuf || size > maxPoolBuf {
		return -1
	}
	return bits.Len(uint(size-1)) - bits.Len(minPoolBuf-1)
}

// getBuf returns a buffer of at least size bytes (its length is its
// capacity) and its pool box, nil if the buffer is not pooled. Sizes in
// the pooled range are rounded up to their class.
func getBuf(size int) ([]byte, *[]byte) {
	c := poolClass(size)
	if c < 0 {
		return make([]byte, size), nil
	}
	if v := bufPools[c].Get(); v != nil {
		box := v.(*[]byte)
		b := *box
		*box = nil // the box must not keep the array alive once it is replaced
		return b[:cap(b)], box
	}
	return make([]byte, minPoolBuf<<c), new([]byte)
}

// putBuf gives a buffer back to its pool if its capacity is exactly a
// class size; other buffers are left to the garbage collector. box may be
// nil (one is allocated then). The caller must not use b afterwards.
func putBuf(b []byte, box *[]byte) {
	c := poolClass(cap(b))
	if c < 0 || cap(b) != minPoolBuf<<c {
		return
	}
	if box == nil {
		box = new([]byte)
	}
	*box = b[:cap(b)]
	bufPools[c].Put(box)
}
