package rdb

import (
	"encoding/binary"
	"math/bits"
)

// LZF (the format of Marc Lehmann's liblzf, which Redis uses for RDB string
// compression). A compressed stream is a sequence of items, each starting
// with a control byte c:
//
//	c < 32:  a literal run; the next c+1 bytes are copied to the output.
//	c >= 32: a back reference; length field L = c>>5 (if L == 7 the next byte
//	         is added to it), then one more byte b; L+2 bytes are copied from
//	         output position op - ((c&31)<<8 | b) - 1 (possibly overlapping).
//
// The compressor below is an independent implementation of that format: a
// single-pass greedy matcher over a hash table of 3-byte prefixes.

const (
	lzfMaxLit  = 1 << 5              // longest literal run
	lzfMaxOff  = 1 << 13             // farthest back reference
	lzfMaxRef  = (1 << 8) + (1 << 3) // longest back reference (264 bytes)
	lzfHashMax = 14                  // log2 of the largest hash table
	// lzfMaxRatio bounds how much a compressed stream can expand: a 2-byte
	// item yields at most 8 bytes and a 3-byte item at most 264.
	lzfMaxRatio = 88
)

// lzfCompressor holds the match table reused across calls.
type lzfCompressor struct {
	tab [1 << lzfHashMax]uint32
}

// compress compresses src into dst and returns the compressed length, or 0
// when the output would not fit in len(dst) (so a caller passing
// len(src)-k bytes of room gets compression only if it saves more than k).
func (z *lzfCompressor) compress(dst, src []byte) int {
	n := len(src)
	if n == 0 || len(dst) == 0 {
		return 0
	}
	hlog := lzfHashMax
	for hlog > 8 && 1<<(hlog-1) >= n {
		hlog--
	}
	tab := z.tab[:1<<hlog]
	clear(tab)
	shift := 32 - hlog
	ctl, op, lit, ip := 0, 1, 0, 0
	for ip+3 < n { // 4 readable bytes: hash and compare 3 of them
		seq := binary.LittleEndian.Uint32(src[ip:]) & 0xFFFFFF
		h := (seq * 2654435761) >> shift
		ref := int(tab[h]) - 1
		tab[h] = uint32(ip + 1)
		if ref >= 0 && ip-ref <= lzfMaxOff && binary.LittleEndian.Uint32(src[ref:])&0xFFFFFF == seq {
			off := ip - ref - 1
			maxl := min(n-ip, lzfMaxRef)
			l := 3
			for l+8 <= maxl {
				if x := binary.LittleEndian.Uint64(src[ip+l:]) ^ binary.LittleEndian.Uint64(src[ref+l:]); x != 0 {
					l += bits.TrailingZeros64(x) >> 3
					goto matched
				}
				l += 8
			}
			for l < maxl && src[ref+l] == src[ip+l] {
				l++
			}
		matched:
			if lit > 0 {
				dst[ctl] = byte(lit - 1)
			} else {
				op-- // drop the unused control byte slot
			}
			if op+3 > len(dst) {
				return 0
			}
			if ln := l - 2; ln < 7 {
				dst[op] = byte(off>>8 | ln<<5)
				op++
			} else {
				dst[op] = byte(off>>8 | 7<<5)
				dst[op+1] = byte(ln - 7)
				op += 2
			}
			dst[op] = byte(off)
			op++
			ctl, op, lit = op, op+1, 0
			ip += l
			if p := ip - 1; ip+3 < n {
				v := binary.LittleEndian.Uint32(src[p:]) & 0xFFFFFF
				tab[(v*2654435761)>>shift] = uint32(p + 1)
			}
			continue
		}
		if op >= len(dst) {
			return 0
		}
		dst[op] = src[ip]
		op++
		ip++
		lit++
		if lit == lzfMaxLit {
			dst[ctl] = lzfMaxLit - 1
			ctl, op, lit = op, op+1, 0
		}
	}
	for ip < n {
		if op >= len(dst) {
			return 0
		}
		dst[op] = src[ip]
		op++
		ip++
		lit++
		if lit == lzfMaxLit {
			dst[ctl] = lzfMaxLit - 1
			ctl, op, lit = op, op+1, 0
		}
	}
	if lit > 0 {
		dst[ctl] = byte(lit - 1)
	} else {
		op--
	}
	return op
}

// lzfDecompress decompresses src into dst, whose length must be exactly the
// uncompressed size. It reports false for malformed input or a size mismatch.
func lzfDecompress(dst, src []byte) bool {
	ip, op := 0, 0
	for ip < len(src) {
		ctrl := int(src[ip])
		ip++
		if ctrl < 32 {
			l := ctrl + 1
			if l > len(src)-ip || l > len(dst)-op {
				return false
			}
			copy(dst[op:op+l], src[ip:ip+l])
			op += l
			ip += l
			continue
		}
		l := ctrl >> 5
		if l == 7 {
			if ip >= len(src) {
				return false
			}
			l += int(src[ip])
			ip++
		}
		if ip >= len(src) {
			return false
		}
		ref := op - (ctrl&0x1f)<<8 - int(src[ip]) - 1
		ip++
		l += 2
		if ref < 0 || l > len(dst)-op {
			return false
		}
		if op-ref >= l {
			copy(dst[op:op+l], dst[ref:ref+l])
		} else {
			for i := range l {
				dst[op+i] = dst[ref+i]
			}
		}
		op += l
	}
	return op == len(dst)
}
