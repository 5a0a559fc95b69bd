package rdb

import (
	"encoding/binary"
	"math"
	"strconv"
)

// Listpack layout (Redis 7): a 6-byte header (total bytes uint32 LE, element
// count uint16 LE, 65535 meaning "count it"), the entries, and a 0xFF
// terminator. Each entry is encoding+data followed by "backlen", the size of
// encoding+data written in 1-5 bytes of 7 bits each so it can be decoded from
// the right. Encodings:
//
//	0xxxxxxx                 7-bit unsigned integer
//	10xxxxxx                 string of up to 63 bytes
//	110xxxxx yyyyyyyy        13-bit signed integer
//	1110xxxx yyyyyyyy        string of up to 4095 bytes (length big endian)
//	11110000 + 4 bytes       string, 32-bit little-endian length
//	11110001..11110100       16, 24, 32, 64-bit little-endian integers
//	11111111                 terminator

const (
	lpHeaderSize  = 6
	lpUnknownLen  = 65535
	lpEnd         = 0xFF
	lpEncStr32    = 0xF0
	lpEncInt16    = 0xF1
	lpEncInt24    = 0xF2
	lpEncInt32    = 0xF3
	lpEncInt64    = 0xF4
	maxIntStrSize = 20 // longest canonical int64 ("-9223372036854775808")
)

// parseInt parses b as a canonical decimal int64, exactly as Redis's
// string2ll decides whether a string is "an integer": optional '-', no
// leading zeros, no "-0", no '+', no spaces, at most 20 bytes, no overflow.
func parseInt(b []byte) (int64, bool) {
	n := len(b)
	if n == 0 || n > maxIntStrSize {
		return 0, false
	}
	if n == 1 && b[0] == '0' {
		return 0, true
	}
	i := 0
	neg := b[0] == '-'
	if neg {
		i = 1
		if n == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' || n-i > 19 {
		return 0, false
	}
	var v uint64 // at most 19 digits: cannot overflow
	for ; i < n; i++ {
		c := b[i] - '0'
		if c > 9 {
			return 0, false
		}
		v = v*10 + uint64(c)
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// lpIntSize returns the encoded size (without backlen) of integer v.
func lpIntSize(v int64) int {
	switch {
	case v >= 0 && v <= 127:
		return 1
	case v >= -4096 && v <= 4095:
		return 2
	case v >= -32768 && v <= 32767:
		return 3
	case v >= -8388608 && v <= 8388607:
		return 4
	case v >= -2147483648 && v <= 2147483647:
		return 5
	}
	return 9
}

// lpStrSize returns the encoded size (without backlen) of a string of n bytes.
func lpStrSize(n int) int {
	switch {
	case n < 64:
		return 1 + n
	case n < 4096:
		return 2 + n
	}
	return 5 + n
}

// lpBacklenSize returns the number of bytes backlen takes for an entry whose
// encoding+data is l bytes.
func lpBacklenSize(l int) int {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// lpAppendBacklen appends the backlen encoding of l.
func lpAppendBacklen(dst []byte, l int) []byte {
	switch lpBacklenSize(l) {
	case 1:
		return append(dst, byte(l))
	case 2:
		return append(dst, byte(l>>7), byte(l&127)|128)
	case 3:
		return append(dst, byte(l>>14), byte((l>>7)&127)|128, byte(l&127)|128)
	case 4:
		return append(dst, byte(l>>21), byte((l>>14)&127)|128, byte((l>>7)&127)|128, byte(l&127)|128)
	}
	return append(dst, byte(l>>28), byte((l>>21)&127)|128, byte((l>>14)&127)|128, byte((l>>7)&127)|128, byte(l&127)|128)
}

// lpEntrySize returns the full encoded size (with backlen) of element v as
// a listpack would store it (integer encoding for canonical integers).
func lpEntrySize(v []byte) int {
	var l int
	if iv, ok := parseInt(v); ok {
		l = lpIntSize(iv)
	} else {
		l = lpStrSize(len(v))
	}
	return l + lpBacklenSize(l)
}

// lpAppendInt appends integer v as a listpack entry.
func lpAppendInt(dst []byte, v int64) []byte {
	l := lpIntSize(v)
	switch l {
	case 1:
		dst = append(dst, byte(v))
	case 2:
		u := uint64(v) & 0x1FFF
		dst = append(dst, 0xC0|byte(u>>8), byte(u))
	case 3:
		dst = append(dst, lpEncInt16, byte(v), byte(v>>8))
	case 4:
		dst = append(dst, lpEncInt24, byte(v), byte(v>>8), byte(v>>16))
	case 5:
		dst = append(dst, lpEncInt32)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(v))
	default:
		dst = append(dst, lpEncInt64)
		dst = binary.LittleEndian.AppendUint64(dst, uint64(v))
	}
	return append(dst, byte(l)) // l <= 9: one-byte backlen
}

// lpAppendStr appends v as a listpack string entry (no integer detection).
func lpAppendStr(dst, v []byte) []byte {
	n := len(v)
	switch {
	case n < 64:
		dst = append(dst, 0x80|byte(n))
	case n < 4096:
		dst = append(dst, 0xE0|byte(n>>8), byte(n))
	default:
		dst = append(dst, lpEncStr32)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(n))
	}
	dst = append(dst, v...)
	return lpAppendBacklen(dst, lpStrSize(n))
}

// ListpackBuilder encodes a listpack incrementally, choosing entry encodings
// as Redis 7.0 does (canonical integers use the smallest integer encoding).
// The zero value is ready to use. Build one listpack, take Bytes, then Reset
// to reuse the buffer.
type ListpackBuilder struct {
	buf []byte // header placeholder + entries, no terminator
	n   int
}

// Reset empties the builder, keeping its buffer.
func (b *ListpackBuilder) Reset() {
	b.buf = append(b.buf[:0], 0, 0, 0, 0, 0, 0)
	b.n = 0
}

func (b *ListpackBuilder) init() {
	if len(b.buf) < lpHeaderSize {
		b.Reset()
	}
}

// Append adds v, integer-encoded when it is a canonical decimal int64.
func (b *ListpackBuilder) Append(v []byte) {
	b.init()
	if len(v) <= maxIntStrSize {
		if iv, ok := parseInt(v); ok {
			b.buf = lpAppendInt(b.buf, iv)
			b.n++
			return
		}
	}
	b.buf = lpAppendStr(b.buf, v)
	b.n++
}

// AppendInt adds integer v.
func (b *ListpackBuilder) AppendInt(v int64) {
	b.init()
	b.buf = lpAppendInt(b.buf, v)
	b.n++
}

// AppendFloat adds score f the way Redis 7.0 stores sorted-set scores in a
// listpack: integral values (|f| < 2^53) as integers (so -0 becomes 0, as
// in Redis), otherwise the shortest decimal text that parses back to f
// ("inf" and "-inf" for infinities).
func (b *ListpackBuilder) AppendFloat(f float64) {
	b.init()
	if f == float64(int64(f)) && f > -(1<<53) && f < 1<<53 {
		b.buf = lpAppendInt(b.buf, int64(f))
		b.n++
		return
	}
	var tmp [32]byte
	b.buf = lpAppendStr(b.buf, formatScore(tmp[:0], f))
	b.n++
}

// formatScore appends the text form of a non-integral score.
func formatScore(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

// Len returns the number of entries appended since the last Reset.
func (b *ListpackBuilder) Len() int { return b.n }

// Size returns the byte size the finished listpack will have.
func (b *ListpackBuilder) Size() int {
	if len(b.buf) < lpHeaderSize {
		return lpHeaderSize + 1
	}
	return len(b.buf) + 1
}

// Bytes finishes the listpack (header and terminator) and returns it. The
// result aliases the builder's buffer: it is valid until the next Append or
// Reset. More entries may be appended afterwards.
func (b *ListpackBuilder) Bytes() []byte {
	b.init()
	out := append(b.buf, lpEnd)
	b.buf = out[:len(out)-1]
	binary.LittleEndian.PutUint32(out, uint32(len(out)))
	n := b.n
	if n >= lpUnknownLen {
		n = lpUnknownLen
	}
	binary.LittleEndian.PutUint16(out[4:], uint16(n))
	return out
}

// lpDecode decodes the listpack entry at lp[p]; the caller has checked that
// p < len(lp)-1 and lp[p] != lpEnd. It returns the string or integer value,
// the size of encoding+data, and ok=false if the entry runs past end (the
// offset of the terminator) or has an invalid encoding.
func lpDecode(lp []byte, p, end int) (s []byte, iv int64, isInt bool, size int, ok bool) {
	c := lp[p]
	avail := end - p
	switch {
	case c < 0x80:
		return nil, int64(c), true, 1, true
	case c < 0xC0:
		n := int(c & 0x3F)
		if 1+n > avail {
			return nil, 0, false, 0, false
		}
		return lp[p+1 : p+1+n], 0, false, 1 + n, true
	case c < 0xE0:
		if avail < 2 {
			return nil, 0, false, 0, false
		}
		u := int64(c&0x1F)<<8 | int64(lp[p+1])
		if u >= 1<<12 {
			u -= 1 << 13
		}
		return nil, u, true, 2, true
	case c < 0xF0:
		if avail < 2 {
			return nil, 0, false, 0, false
		}
		n := int(c&0x0F)<<8 | int(lp[p+1])
		if 2+n > avail {
			return nil, 0, false, 0, false
		}
		return lp[p+2 : p+2+n], 0, false, 2 + n, true
	}
	switch c {
	case lpEncStr32:
		if avail < 5 {
			return nil, 0, false, 0, false
		}
		n := uint64(binary.LittleEndian.Uint32(lp[p+1:]))
		if n > uint64(avail-5) {
			return nil, 0, false, 0, false
		}
		return lp[p+5 : p+5+int(n)], 0, false, 5 + int(n), true
	case lpEncInt16:
		if avail < 3 {
			return nil, 0, false, 0, false
		}
		return nil, int64(int16(binary.LittleEndian.Uint16(lp[p+1:]))), true, 3, true
	case lpEncInt24:
		if avail < 4 {
			return nil, 0, false, 0, false
		}
		u := uint32(lp[p+1]) | uint32(lp[p+2])<<8 | uint32(lp[p+3])<<16
		return nil, int64(int32(u<<8) >> 8), true, 4, true
	case lpEncInt32:
		if avail < 5 {
			return nil, 0, false, 0, false
		}
		return nil, int64(int32(binary.LittleEndian.Uint32(lp[p+1:]))), true, 5, true
	case lpEncInt64:
		if avail < 9 {
			return nil, 0, false, 0, false
		}
		return nil, int64(binary.LittleEndian.Uint64(lp[p+1:])), true, 9, true
	}
	return nil, 0, false, 0, false
}

// lpCheckBacklen reports whether lp[q:] starts with the backlen encoding of
// l, within end.
func lpCheckBacklen(lp []byte, q, end, l int) bool {
	if l <= 127 {
		return q < end && lp[q] == byte(l)
	}
	var tmp [5]byte
	enc := lpAppendBacklen(tmp[:0], l)
	if len(enc) > end-q {
		return false
	}
	for i, c := range enc {
		if lp[q+i] != c {
			return false
		}
	}
	return true
}

// lpHeader validates a listpack's header and terminator and returns its
// declared element count (-1 when unknown).
func lpHeader(lp []byte) (count int, ok bool) {
	if len(lp) < lpHeaderSize+1 || int(binary.LittleEndian.Uint32(lp)) != len(lp) || lp[len(lp)-1] != lpEnd {
		return 0, false
	}
	n := int(binary.LittleEndian.Uint16(lp[4:]))
	if n == lpUnknownLen {
		return -1, true
	}
	return n, true
}
