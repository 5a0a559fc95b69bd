package object

import (
	"encoding/binary"
	"iter"
	"math/rand/v2"
	"unsafe"

	"github.com/kevydb/kevy/internal/dict"
)

// hashRekeyOver is the value length above which updating a hashtable field
// re-creates its field/value block instead of allocating the new value
// separately, bounding the bytes of stale values kept alive by field strings.
const hashRekeyOver = 48

// hashShrinkInPlace is how many bytes shorter than the old one a new value
// may be and still be written over it in place.
const hashShrinkInPlace = 16

// Hash is the value of a Redis hash key: a map from field to value. It is
// not safe for concurrent use. The zero value is an empty hash in the
// "listpack" encoding.
//
// Small hashes use the "listpack" encoding: one byte slice holding the pairs
// in insertion order (updates keep a field's position, like Redis), each as
// uvarint length + field bytes, uvarint length + value bytes. A hash converts
// to the "hashtable" encoding once it exceeds Limits.HashMaxListpackEntries
// fields or is given a field or value longer than
// Limits.HashMaxListpackValue bytes, and never converts back. In the
// hashtable encoding each pair is one allocation [field][uvarint len][value]:
// the dict.Dict key is the field part and the dict value points at the
// length.
//
// Field and value slices passed to callbacks or returned by methods alias
// internal storage: they must not be modified and are only valid until the
// next mutation of the hash.
type Hash struct {
	lp []byte
	n  int
	d  *dict.Dict[unsafe.Pointer]
	// bytes estimates the allocation size of the hashtable's field/value
	// blocks (as if each pair were a single block).
	bytes int
}

// NewHash returns an empty hash (listpack encoding).
func NewHash() *Hash { return &Hash{} }

// Len returns the number of fields.
func (h *Hash) Len() int {
	if h.d != nil {
		return h.d.Len()
	}
	return h.n
}

// Encoding returns the Redis name of the current encoding: "listpack" or
// "hashtable".
func (h *Hash) Encoding() string {
	if h.d != nil {
		return "hashtable"
	}
	return "listpack"
}

// hashUvarintLen returns the encoded size of v as a uvarint.
func hashUvarintLen(v int) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// hashPairSize is the accounted size of one hashtable pair.
func hashPairSize(flen, vlen int) int {
	return hzAllocSize(flen + hashUvarintLen(vlen) + vlen)
}

// hashLpUvarint decodes the uvarint at lp[off:].
func hashLpUvarint(lp []byte, off int) (int, int) {
	if c := lp[off]; c < 0x80 {
		return int(c), off + 1
	}
	v, k := binary.Uvarint(lp[off:])
	return int(v), off + k
}

// lpEntry decodes the pair at off: field, value, the offset of the value's
// length and the offset of the next pair.
func (h *Hash) lpEntry(off int) (field, value []byte, voff, next int) {
	l, s := hashLpUvarint(h.lp, off)
	voff = s + l
	field = h.lp[s:voff:voff]
	l, s = hashLpUvarint(h.lp, voff)
	next = s + l
	return field, h.lp[s:next:next], voff, next
}

// lpFind locates field: the offsets of its pair, of its value length and of
// the next pair, its value, and whether it was found.
func (h *Hash) lpFind(field []byte) (off, voff, next int, value []byte, ok bool) {
	for i := 0; i < h.n; i++ {
		f, v, vo, nx := h.lpEntry(off)
		if string(f) == string(field) {
			return off, vo, nx, v, true
		}
		off = nx
	}
	return 0, 0, 0, nil, false
}

// lpReplace replaces lp[from:to] with size bytes of new content, returning
// the offset where the new content starts (from).
func (h *Hash) lpReplace(from, to, size int) {
	lp := h.lp
	delta := size - (to - from)
	if delta > 0 {
		if cap(lp)-len(lp) < delta {
			nlp := make([]byte, len(lp), len(lp)+delta+len(lp)/4+8)
			copy(nlp, lp)
			lp = nlp
		}
		lp = lp[:len(lp)+delta]
		copy(lp[to+delta:], lp[to:])
	} else if delta < 0 {
		copy(lp[to+delta:], lp[to:])
		lp = lp[:len(lp)+delta]
	}
	h.lp = lp
}

// hashVal decodes the value a dict entry points at.
func hashVal(p unsafe.Pointer) []byte {
	b := *(*byte)(p)
	if b == 0 {
		// Do not form a pointer past the end of the block.
		return unsafe.Slice((*byte)(p), 0)
	}
	if b < 0x80 {
		return unsafe.Slice((*byte)(unsafe.Add(p, 1)), int(b))
	}
	var v, shift uint
	i := 0
	for {
		c := *(*byte)(unsafe.Add(p, i))
		i++
		v |= uint(c&0x7f) << shift
		if c < 0x80 {
			break
		}
		shift += 7
	}
	return unsafe.Slice((*byte)(unsafe.Add(p, i)), int(v))
}

// hashNewPair allocates the block [field][uvarint len][value] and returns
// the dict key and value for it.
func hashNewPair(field, value []byte) (string, unsafe.Pointer) {
	b := make([]byte, len(field)+hashUvarintLen(len(value))+len(value))
	copy(b, field)
	k := binary.PutUvarint(b[len(field):], uint64(len(value)))
	copy(b[len(field)+k:], value)
	return unsafe.String(unsafe.SliceData(b), len(field)), unsafe.Pointer(&b[len(field)])
}

// hashNewValue allocates the block [uvarint len][value] for an updated value.
func hashNewValue(value []byte) unsafe.Pointer {
	b := make([]byte, hashUvarintLen(len(value))+len(value))
	k := binary.PutUvarint(b, uint64(len(value)))
	copy(b[k:], value)
	return unsafe.Pointer(&b[0])
}

// convert switches a listpack hash to the hashtable encoding.
func (h *Hash) convert() {
	d := dict.New[unsafe.Pointer](h.n)
	bytes, off := 0, 0
	for i := 0; i < h.n; i++ {
		f, v, _, nx := h.lpEntry(off)
		d.Set(hashNewPair(f, v))
		bytes += hashPairSize(len(f), len(v))
		off = nx
	}
	h.lp, h.n, h.d, h.bytes = nil, 0, d, bytes
}

// Get returns the value of field.
func (h *Hash) Get(field []byte) ([]byte, bool) {
	if h.d != nil {
		p, ok := h.d.Get(hzStr(field))
		if !ok {
			return nil, false
		}
		return hashVal(p), true
	}
	_, _, _, v, ok := h.lpFind(field)
	return v, ok
}

// Exists reports whether field is present (HEXISTS).
func (h *Hash) Exists(field []byte) bool {
	if h.d != nil {
		return h.d.Has(hzStr(field))
	}
	_, _, _, _, ok := h.lpFind(field)
	return ok
}

// StrLen returns the length of field's value, 0 when absent (HSTRLEN).
func (h *Hash) StrLen(field []byte) int {
	v, _ := h.Get(field)
	return len(v)
}

// Set stores value under field (HSET), converting the encoding when lim
// requires it (nil means DefaultLimits), and reports whether the field is
// new. field and value are copied; they must not alias the hash's own
// storage (slices obtained from it).
func (h *Hash) Set(lim *Limits, field, value []byte) (added bool) {
	if h.d == nil {
		lim = lim.resolve()
		if len(field) > lim.HashMaxListpackValue || len(value) > lim.HashMaxListpackValue {
			h.convert()
		} else {
			if _, voff, next, _, ok := h.lpFind(field); ok {
				size := hashUvarintLen(len(value)) + len(value)
				h.lpReplace(voff, next, size)
				k := binary.PutUvarint(h.lp[voff:], uint64(len(value)))
				copy(h.lp[voff+k:], value)
				return false
			}
			off := len(h.lp)
			h.lpReplace(off, off, hashUvarintLen(len(field))+len(field)+hashUvarintLen(len(value))+len(value))
			k := binary.PutUvarint(h.lp[off:], uint64(len(field)))
			off += k + copy(h.lp[off+k:], field)
			k = binary.PutUvarint(h.lp[off:], uint64(len(value)))
			copy(h.lp[off+k:], value)
			h.n++
			if h.n > lim.HashMaxListpackEntries {
				h.convert()
			}
			return true
		}
	}
	key := hzStr(field)
	if p := h.d.GetPtr(key); p != nil {
		old := hashVal(*p)
		h.bytes += hashPairSize(len(field), len(value)) - hashPairSize(len(field), len(old))
		if len(value) <= len(old) && len(old)-len(value) <= hashShrinkInPlace &&
			hashUvarintLen(len(value)) == hashUvarintLen(len(old)) {
			// Overwrite in place (previously returned views are only valid
			// until this mutation).
			b := unsafe.Slice((*byte)(*p), hashUvarintLen(len(old))+len(old))
			k := binary.PutUvarint(b, uint64(len(value)))
			copy(b[k:], value)
			return false
		}
		if len(old) > hashRekeyOver {
			// The old value may share the field's block: re-create the
			// block so that it does not stay pinned.
			h.d.Delete(key)
			h.d.Set(hashNewPair(field, value))
		} else {
			*p = hashNewValue(value)
		}
		return false
	}
	h.d.Set(hashNewPair(field, value))
	h.bytes += hashPairSize(len(field), len(value))
	return true
}

// SetNX stores value under field only if field is absent (HSETNX) and
// reports whether it did.
func (h *Hash) SetNX(lim *Limits, field, value []byte) bool {
	if h.Exists(field) {
		return false
	}
	return h.Set(lim, field, value)
}

// Delete removes field and reports whether it was present (HDEL).
func (h *Hash) Delete(field []byte) bool {
	if h.d != nil {
		p, ok := h.d.Delete(hzStr(field))
		if ok {
			h.bytes -= hashPairSize(len(field), len(hashVal(p)))
		}
		return ok
	}
	off, _, next, _, ok := h.lpFind(field)
	if !ok {
		return false
	}
	h.lpReplace(off, next, 0)
	h.n--
	if cap(h.lp) > 2*len(h.lp)+64 {
		h.lp = append([]byte(nil), h.lp...)
	}
	return true
}

// All returns an iterator over the fields and values: insertion order for
// the listpack encoding, table order for the hashtable encoding. The hash
// must not be modified during the iteration.
func (h *Hash) All() iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		if h.d == nil {
			off := 0
			for i := 0; i < h.n; i++ {
				f, v, _, nx := h.lpEntry(off)
				if !yield(f, v) {
					return
				}
				off = nx
			}
			return
		}
		for k, p := range h.d.All() {
			if !yield(hzBytes(k), hashVal(p)) {
				return
			}
		}
	}
}

// Scan implements one HSCAN step: it calls fn for some pairs and returns the
// next cursor, 0 when done. The listpack encoding returns everything in one
// call (and cursor 0), like Redis; the hashtable encoding follows the
// dict's SCAN guarantees.
func (h *Hash) Scan(cursor uint64, fn func(field, value []byte)) uint64 {
	if h.d == nil {
		off := 0
		for i := 0; i < h.n; i++ {
			f, v, _, nx := h.lpEntry(off)
			fn(f, v)
			off = nx
		}
		return 0
	}
	return h.d.Scan(cursor, func(k string, p unsafe.Pointer) { fn(hzBytes(k), hashVal(p)) })
}

// lpOffsets appends the offset of every pair to dst.
func (h *Hash) lpOffsets(dst []int) []int {
	off := 0
	for i := 0; i < h.n; i++ {
		dst = append(dst, off)
		_, _, _, off = h.lpEntry(off)
	}
	return dst
}

// RandomField returns a random field and its value (HRANDFIELD without a
// count), or ok == false when the hash is empty. r may be nil to use the
// global generator.
func (h *Hash) RandomField(r *rand.Rand) (field, value []byte, ok bool) {
	if h.d != nil {
		k, p, ok := h.d.RandomKey(r)
		if !ok {
			return nil, nil, false
		}
		return hzBytes(k), hashVal(p), true
	}
	if h.n == 0 {
		return nil, nil, false
	}
	off := 0
	for i := hzRandN(r, h.n); i > 0; i-- {
		_, _, _, off = h.lpEntry(off)
	}
	f, v, _, _ := h.lpEntry(off)
	return f, v, true
}

// RandomFields implements HRANDFIELD with a count: for count > 0 it calls fn
// for min(count, Len()) distinct fields (all of them, in iteration order,
// when count >= Len()); for count < 0 it calls fn -count times with fields
// chosen independently (repetitions possible). The caller must bound -count.
// r may be nil to use the global generator.
func (h *Hash) RandomFields(r *rand.Rand, count int, fn func(field, value []byte)) {
	n := h.Len()
	if n == 0 || count == 0 {
		return
	}
	if count >= n {
		if h.d == nil {
			h.Scan(0, fn)
			return
		}
		for k, p := range h.d.All() {
			fn(hzBytes(k), hashVal(p))
		}
		return
	}
	if h.d == nil {
		var buf [130]int
		offs := h.lpOffsets(buf[:0])
		if count < 0 {
			for ; count < 0; count++ {
				f, v, _, _ := h.lpEntry(offs[hzRandN(r, n)])
				fn(f, v)
			}
			return
		}
		need := count
		for i := 0; i < n && need > 0; i++ {
			if hzRandN(r, n-i) < need {
				f, v, _, _ := h.lpEntry(offs[i])
				fn(f, v)
				need--
			}
		}
		return
	}
	if count < 0 {
		for ; count < 0; count++ {
			k, p, _ := h.d.RandomKey(r)
			fn(hzBytes(k), hashVal(p))
		}
		return
	}
	if count*3 > n {
		// Dense: selection sampling over the table order.
		need, i := count, 0
		for k, p := range h.d.All() {
			if need == 0 {
				break
			}
			if hzRandN(r, n-i) < need {
				fn(hzBytes(k), hashVal(p))
				need--
			}
			i++
		}
		return
	}
	seen := make(map[string]struct{}, count)
	for len(seen) < count {
		k, p, _ := h.d.RandomKey(r)
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		fn(hzBytes(k), hashVal(p))
	}
}

// MemUsage returns an estimate of the bytes used by the hash.
func (h *Hash) MemUsage() int {
	size := int(unsafe.Sizeof(*h))
	if h.d == nil {
		return size + cap(h.lp)
	}
	return size + h.d.Overhead() + h.bytes
}

// Clone returns a deep copy of h with the same encoding (and, for the
// listpack encoding, the same order).
func (h *Hash) Clone() *Hash {
	if h.d == nil {
		c := &Hash{n: h.n}
		if len(h.lp) > 0 {
			c.lp = append([]byte(nil), h.lp...)
		}
		return c
	}
	d := dict.New[unsafe.Pointer](h.d.Len())
	for k, p := range h.d.All() {
		d.Set(hashNewPair(hzBytes(k), hashVal(p)))
	}
	return &Hash{d: d, bytes: h.bytes}
}
