package keyspace

import (
	"slices"
	"unsafe"
)

// Type is the Redis type of a value.
type Type uint8

// The five Redis data types. The zero Type means "no key".
const (
	TypeNone Type = iota
	TypeString
	TypeList
	TypeHash
	TypeSet
	TypeZSet
)

// String returns the name TYPE replies with.
func (t Type) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeList:
		return "list"
	case TypeHash:
		return "hash"
	case TypeSet:
		return "set"
	case TypeZSet:
		return "zset"
	}
	return "none"
}

// meta layout (32 bits):
//
//	bits 0-2   Type
//	bit  3     flagRaw: the string was produced by APPEND/SETRANGE (Redis
//	           reports "raw" for it whatever its content)
//	bit  4     flagNoInt: the string was produced by INCRBYFLOAT, which Redis
//	           stores as embstr even when the result is a whole number
//	bit  5     flagPrivate (strings): a COPY of a string, which Redis never
//	           shares (OBJECT REFCOUNT 1 even for small integers);
//	           flagNoted (other types): the entry is on its shard's list of
//	           values to re-measure when the lock is released (memory.go)
//	bits 6-7   quarter seconds of the LRU clock: with bits 8-31 a 26-bit
//	           clock in 250 ms units that eviction ranks by (evict.go)
//	bits 8-31  24-bit access clock: LRU seconds, or LFU counter+decay time
const (
	metaTypeMask = 0x07
	flagRaw      = 0x08
	flagNoInt    = 0x10
	flagPrivate  = 0x20
	flagNoted    = flagPrivate // shared: strings are never noted
	metaFineSh   = 6
	metaClockSh  = 8
	// ClockMax is the largest value of the 24-bit per-key access clock.
	ClockMax = 1<<24 - 1
)

// Entry is one key in the keyspace. It is deliberately small (48 bytes,
// one Go size class) because there is one per key: the key and a string
// value share a single byte allocation (data), other types hang off obj.
// For the other types vlen holds the value object's accounted size in
// 16-byte units (see memory.go), since they have no string bytes.
//
// An Entry is owned by its shard and must only be read or written while
// the shard lock is held.
type Entry struct {
	next   *Entry         // hash chain
	data   unsafe.Pointer // *byte: key bytes, then string value bytes
	obj    unsafe.Pointer // value object of non-string types
	expire int64          // absolute Unix ms; 0 = no TTL
	klen   uint32
	vlen   uint32
	// capm is the capacity of the data allocation (bits 0-30) and the
	// snapshot mark (bit 31, see snapshot.go). Read the capacity with
	// dcap().
	capm uint32
	meta uint32
}

// markBit is the bit of capm that holds an entry's snapshot mark.
const markBit = 1 << 31

// maxDataCap bounds the capacity of an entry's data allocation, so that it
// never reaches markBit (keys and strings are at most 512 MB each).
const maxDataCap = markBit - 1

// dcap returns the capacity of the data allocation.
func (e *Entry) dcap() uint32 { return e.capm &^ markBit }

// Key returns the entry's key. The string aliases the entry's storage and
// is valid only while the shard lock is held and the entry is not deleted.
func (e *Entry) Key() string {
	return unsafe.String((*byte)(e.data), int(e.klen))
}

// Type returns the value type.
func (e *Entry) Type() Type { return Type(e.meta & metaTypeMask) }

// Expire returns the absolute deadline in Unix ms, or 0 when the key has
// no TTL.
func (e *Entry) Expire() int64 { return e.expire }

// Str returns a string value's bytes, aliasing the entry's storage (valid
// under the shard lock until the next mutation). Callers that hand bytes to
// users must copy them.
func (e *Entry) Str() []byte {
	if e.vlen == 0 || e.meta&metaTypeMask != uint32(TypeString) {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Add(e.data, e.klen)), int(e.vlen))
}

// Obj returns the value object of a non-string entry. The caller converts
// it to the concrete type that Type names, e.g. (*object.List)(e.Obj()).
func (e *Entry) Obj() unsafe.Pointer { return e.obj }

// SetObj replaces the value object (the type stays the same).
func (e *Entry) SetObj(p unsafe.Pointer) { e.obj = p }

// Raw reports whether the string was last written by APPEND or SETRANGE.
func (e *Entry) Raw() bool { return e.meta&flagRaw != 0 }

// SetRaw marks or unmarks the string as "raw" encoded.
func (e *Entry) SetRaw(raw bool) {
	if raw {
		e.meta |= flagRaw
	} else {
		e.meta &^= flagRaw
	}
}

// NoInt reports whether the string must not be reported as "int"
// encoded (INCRBYFLOAT results).
func (e *Entry) NoInt() bool { return e.meta&flagNoInt != 0 }

// SetNoInt marks the string as not int-encodable (see NoInt); any later
// SET or APPEND clears the mark.
func (e *Entry) SetNoInt(v bool) {
	if v {
		e.meta |= flagNoInt
	} else {
		e.meta &^= flagNoInt
	}
}

// Private reports whether the string is a private copy (see SetPrivate).
func (e *Entry) Private() bool { return e.meta&flagPrivate != 0 }

// SetPrivate marks a string as a private copy made by COPY: Redis
// reports OBJECT REFCOUNT 1 for it even when it holds a small integer
// that would otherwise be a shared object. Any later write clears it.
func (e *Entry) SetPrivate() { e.meta |= flagPrivate }

// Clock returns the 24-bit access clock (LRU seconds or LFU data).
func (e *Entry) Clock() uint32 { return e.meta >> metaClockSh }

// SetClock stores the 24-bit access clock (and clears its quarter
// seconds).
func (e *Entry) SetClock(c uint32) {
	e.meta = e.meta&(1<<metaFineSh-1) | (c&ClockMax)<<metaClockSh
}

func (e *Entry) setType(t Type) {
	e.meta = e.meta&^(metaTypeMask|flagRaw|flagNoInt|flagPrivate) | uint32(t)
}

// newEntry allocates an entry holding a copy of key and room for a value
// of vlen bytes.
func newEntry(key string, vlen int) *Entry {
	e := &Entry{}
	e.alloc(key, vlen)
	return e
}

// alloc gives e fresh storage for key and a value of vlen bytes. The
// capacity is rounded up to the allocator's size class (slices.Grow does
// that), so later in-place overwrites of similar sizes do not allocate.
func (e *Entry) alloc(key string, vlen int) {
	n := len(key) + vlen
	mark := e.capm & markBit
	if n == 0 {
		e.data, e.klen, e.vlen, e.capm = nil, 0, 0, mark
		return
	}
	b := slices.Grow([]byte(nil), n)[:n]
	copy(b, key)
	e.data = unsafe.Pointer(unsafe.SliceData(b))
	e.klen = uint32(len(key))
	e.vlen = uint32(vlen)
	e.capm = uint32(min(cap(b), maxDataCap)) | mark
}

// setStr stores val as the entry's string value, in place when it fits.
func (e *Entry) setStr(val []byte) {
	need := int(e.klen) + len(val)
	if c := int(e.dcap()); need > c || (c > 64 && need < c/4) {
		key := e.Key()
		old := e.data
		e.alloc(key, len(val))
		_ = old
	}
	e.vlen = uint32(len(val))
	if len(val) > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Add(e.data, e.klen)), len(val)), val)
	}
}

// growStr makes room for a string value of n bytes, keeping the current
// value's bytes as a prefix, with amortised growth (APPEND, SETRANGE).
// It returns the whole value slice of length n.
func (e *Entry) growStr(n int) []byte {
	need := int(e.klen) + n
	if cur := int(e.dcap()); need > cur {
		c := max(need, min(cur*2, maxDataCap))
		b := slices.Grow([]byte(nil), c)[:need]
		copy(b, unsafe.Slice((*byte)(e.data), int(e.klen)+int(e.vlen)))
		e.data = unsafe.Pointer(unsafe.SliceData(b))
		e.capm = uint32(min(cap(b), maxDataCap)) | e.capm&markBit
	}
	old := int(e.vlen)
	e.vlen = uint32(n)
	v := unsafe.Slice((*byte)(unsafe.Add(e.data, e.klen)), n)
	if n > old {
		clear(v[old:])
	}
	return v
}
