package rdb

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
)

// Entry is one key delivered to Visitor.Key. Key, Value and every slice
// returned by the iteration methods alias the Reader's buffers: they are
// valid only until the next iteration call (or until Key returns) and must
// not be modified; copy what you keep.
//
// A string value is in Value. A collection is read with the method matching
// its Kind, called until it reports ok == false:
//
//	KindList, KindSet: Next
//	KindHash:          NextPair
//	KindZSet:          NextMember
//
// Iteration then stops either at the end of the value or on an error, which
// Err reports (and Parse returns after Key returns, even if Key returns nil).
// Elements not consumed when Key returns are skipped.
//
// The decoder does not check for duplicate set members, hash fields or zset
// members, and may deliver empty collections (Redis skips empty keys when
// loading); both are for the consumer to handle.
type Entry struct {
	DB       int    // database number (from the last SELECTDB, else 0)
	Key      []byte // the key
	Kind     Kind   // logical type
	Type     Type   // RDB encoding type
	ExpireMs int64  // absolute expiry in Unix milliseconds, or NoExpire
	Idle     int64  // LRU idle time in seconds, or -1 when absent
	Freq     int    // LFU frequency counter, or -1 when absent
	Value    []byte // the string value (KindString only)

	r    *Reader
	n    int    // declared element count, -1 unknown
	left uint64 // strings (plain encodings) or nodes (quicklists) left
	err  error
	fbuf []byte      // copy of the current field/member (plain encodings)
	num  [2][20]byte // formatted integers, alternately
	numi int

	// blob iteration state
	bk    blobKind
	blob  []byte
	bp    int   // offset of the next entry
	bdecl int   // declared entry count, -1 unknown
	bseen int   // entries decoded so far
	bprev int   // ziplist: size of the previous entry; intset: width
	blast int   // ziplist: offset of the last entry
	iprev int64 // intset: previous value
	zmval bool  // zipmap: next item is a value
	boff  int64 // file offset just past the blob, for errors
	pairs bool  // entries come in pairs (hash, zset)
}

type blobKind uint8

const (
	blobNone blobKind = iota
	blobListpack
	blobZiplist
	blobIntset
	blobZipmap
)

// reset prepares e for a new key, keeping its scratch buffers.
func (e *Entry) reset(r *Reader) {
	e.r, e.Value, e.n, e.left, e.err = r, nil, -1, 0, nil
	e.bk, e.blob, e.pairs, e.numi = blobNone, nil, false, 0
}

// Len returns the element count the file declares for the value (pairs for
// hashes), or -1 when the encoding does not record it up front (quicklists,
// listpacks and ziplists with more than 65534 entries), and 1 for strings.
// It is untrusted input until iteration completes: cap any preallocation.
func (e *Entry) Len() int {
	if e.Kind == KindString {
		return 1
	}
	return e.n
}

// Err returns the error that stopped iteration, if any.
func (e *Entry) Err() error { return e.err }

func clampCount(n uint64) int {
	if n > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(n)
}

// setup reads the part of the value that precedes its elements.
func (e *Entry) setup() error {
	r := e.r
	switch e.Type {
	case TypeString:
		s, err := r.readString()
		if err != nil {
			return err
		}
		e.Value = s
		return nil
	case TypeList, TypeSet, TypeZSet, TypeZSet2:
		n, err := r.readCount()
		if err != nil {
			return err
		}
		e.left, e.n = n, clampCount(n)
		return nil
	case TypeHash:
		n, err := r.readCount()
		if err != nil {
			return err
		}
		if n > 1<<62 {
			return r.corrupt("hash length %d out of range", n)
		}
		e.left, e.n = 2*n, clampCount(n)
		return nil
	case TypeListQuicklist, TypeListQuicklist2:
		n, err := r.readCount()
		if err != nil {
			return err
		}
		e.left = n
		return nil
	}
	blob, err := r.readString()
	if err != nil {
		return err
	}
	e.boff = r.off()
	e.pairs = e.Kind == KindHash || e.Kind == KindZSet
	switch e.Type {
	case TypeListZiplist, TypeZSetZiplist, TypeHashZiplist:
		e.startZiplist(blob)
	case TypeHashListpack, TypeZSetListpack, TypeSetListpack:
		e.startListpack(blob)
	case TypeSetIntset:
		e.startIntset(blob)
	case TypeHashZipmap:
		e.startZipmap(blob)
	}
	if e.err != nil {
		return e.err
	}
	if e.bdecl >= 0 {
		e.n = e.bdecl
		if e.pairs && e.Type != TypeHashZipmap {
			e.n /= 2
		}
	}
	return nil
}

func (e *Entry) blobErr(format string, args ...any) {
	e.err = &CorruptError{Offset: e.boff, Reason: e.Type.String() + ": " + fmt.Sprintf(format, args...)}
	e.bk = blobNone
}

func (e *Entry) misuse(method string) {
	if e.err == nil {
		e.err = fmt.Errorf("rdb: %s called on a %s value", method, e.Kind)
	}
}

func (e *Entry) fmtInt(v int64) []byte {
	b := strconv.AppendInt(e.num[e.numi][:0], v, 10)
	e.numi ^= 1
	return b
}

// Next returns the next element of a list or set.
func (e *Entry) Next() ([]byte, bool) {
	if e.Kind != KindList && e.Kind != KindSet {
		e.misuse("Next")
		return nil, false
	}
	s, iv, isInt, ok := e.nextRaw()
	if !ok {
		return nil, false
	}
	if isInt {
		return e.fmtInt(iv), true
	}
	return s, true
}

// NextPair returns the next field and value of a hash.
func (e *Entry) NextPair() (field, value []byte, ok bool) {
	if e.Kind != KindHash {
		e.misuse("NextPair")
		return nil, nil, false
	}
	s, iv, isInt, ok := e.nextRaw()
	if !ok {
		return nil, nil, false
	}
	field = s
	if isInt {
		field = e.fmtInt(iv)
	}
	if e.Type == TypeHash { // the next read may reuse the buffer
		e.fbuf = append(e.fbuf[:0], field...)
		field = e.fbuf
	}
	s, iv, isInt, ok = e.nextRaw()
	if !ok {
		if e.err == nil {
			e.blobErr("field without a value")
		}
		return nil, nil, false
	}
	value = s
	if isInt {
		value = e.fmtInt(iv)
	}
	return field, value, true
}

// NextMember returns the next member and score of a sorted set. Scores are
// never NaN (a NaN score is reported as corruption, as Redis does).
func (e *Entry) NextMember() (member []byte, score float64, ok bool) {
	if e.Kind != KindZSet {
		e.misuse("NextMember")
		return nil, 0, false
	}
	if e.Type == TypeZSet || e.Type == TypeZSet2 {
		return e.nextPlainMember()
	}
	s, iv, isInt, ok := e.nextRaw()
	if !ok {
		return nil, 0, false
	}
	member = s
	if isInt {
		member = e.fmtInt(iv)
	}
	s, iv, isInt, ok = e.nextRaw()
	if !ok {
		if e.err == nil {
			e.blobErr("member without a score")
		}
		return nil, 0, false
	}
	if isInt {
		score = float64(iv)
	} else if score, ok = parseScore(s); !ok {
		e.blobErr("invalid score %q", s)
		return nil, 0, false
	}
	return member, score, true
}

func (e *Entry) nextPlainMember() (member []byte, score float64, ok bool) {
	if e.left == 0 || e.err != nil {
		return nil, 0, false
	}
	e.left--
	r := e.r
	m, err := r.readString()
	if err != nil {
		e.err = err
		return nil, 0, false
	}
	e.fbuf = append(e.fbuf[:0], m...)
	if e.Type == TypeZSet2 {
		p, err := r.readN(8)
		if err != nil {
			e.err = err
			return nil, 0, false
		}
		score = math.Float64frombits(binary.LittleEndian.Uint64(p))
	} else if score, err = r.readASCIIScore(); err != nil {
		e.err = err
		return nil, 0, false
	}
	if math.IsNaN(score) {
		e.err = r.corrupt("zset member %q has a NaN score", e.fbuf)
		return nil, 0, false
	}
	return e.fbuf, score, true
}

// readASCIIScore reads a score in the pre-RDB-8 text form: a length byte
// (253 NaN, 254 +inf, 255 -inf) and that many bytes of decimal text.
func (r *Reader) readASCIIScore() (float64, error) {
	b, err := r.readByte()
	if err != nil {
		return 0, err
	}
	switch b {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	p, err := r.readN(int(b))
	if err != nil {
		return 0, err
	}
	f, ok := parseScore(p)
	if !ok {
		return 0, r.corrupt("invalid zset score %q", p)
	}
	return f, nil
}

// parseScore parses a score written as text by Redis (%.17g, "inf",
// "-inf"). Out-of-range values saturate as strtod does; NaN is rejected.
func parseScore(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > 128 {
		return 0, false
	}
	var tmp [128]byte
	n := copy(tmp[:], b)
	f, err := strconv.ParseFloat(string(tmp[:n]), 64)
	if f != f {
		return 0, false
	}
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return f, true
}

// nextRaw returns the next element of a list, set or hash as either a
// string or an integer, reading the next string or node from the file when
// the current blob is exhausted.
func (e *Entry) nextRaw() (s []byte, iv int64, isInt bool, ok bool) {
	for e.err == nil {
		if e.bk != blobNone {
			if s, iv, isInt, ok = e.blobNext(); ok || e.err != nil {
				return s, iv, isInt, ok
			}
			e.bk = blobNone
			continue
		}
		if e.left == 0 {
			return nil, 0, false, false
		}
		e.left--
		r := e.r
		switch e.Type {
		case TypeList, TypeSet, TypeHash:
			s, err := r.readString()
			if err != nil {
				e.err = err
				return nil, 0, false, false
			}
			return s, 0, false, true
		case TypeListQuicklist:
			blob, err := r.readString()
			if err != nil {
				e.err = err
				return nil, 0, false, false
			}
			e.boff = r.off()
			e.startZiplist(blob)
		case TypeListQuicklist2:
			c, err := r.readCount()
			if err != nil {
				e.err = err
				return nil, 0, false, false
			}
			if c != containerPlain && c != containerPacked {
				e.err = r.corrupt("invalid quicklist node container %d", c)
				return nil, 0, false, false
			}
			blob, err := r.readString()
			if err != nil {
				e.err = err
				return nil, 0, false, false
			}
			if len(blob) == 0 {
				e.err = r.corrupt("empty quicklist node")
				return nil, 0, false, false
			}
			if c == containerPlain {
				return blob, 0, false, true
			}
			e.boff = r.off()
			e.startListpack(blob)
		default:
			e.left = 0
		}
	}
	return nil, 0, false, false
}

// drain skips whatever the visitor did not consume.
func (e *Entry) drain() error {
	e.bk = blobNone
	r := e.r
	for e.left > 0 {
		e.left--
		var err error
		switch e.Type {
		case TypeZSet2:
			if err = r.skipString(); err == nil {
				err = r.skip(8)
			}
		case TypeZSet:
			if err = r.skipString(); err == nil {
				var b byte
				if b, err = r.readByte(); err == nil && b < 253 {
					err = r.skip(uint64(b))
				}
			}
		case TypeListQuicklist2:
			if _, err = r.readCount(); err == nil {
				err = r.skipString()
			}
		default:
			err = r.skipString()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (e *Entry) blobNext() ([]byte, int64, bool, bool) {
	switch e.bk {
	case blobListpack:
		return e.lpNext()
	case blobZiplist:
		return e.zlNext()
	case blobIntset:
		return e.isNext()
	case blobZipmap:
		s, ok := e.zmNext()
		return s, 0, false, ok
	}
	return nil, 0, false, false
}

func (e *Entry) startBlob(k blobKind, blob []byte, pos, decl int) {
	e.bk, e.blob, e.bp, e.bdecl, e.bseen = k, blob, pos, decl, 0
}

func (e *Entry) startListpack(lp []byte) {
	n, ok := lpHeader(lp)
	if !ok {
		e.blobErr("invalid listpack header")
		return
	}
	if e.pairs && n > 0 && n%2 != 0 {
		e.blobErr("odd number of listpack entries (%d)", n)
		return
	}
	e.startBlob(blobListpack, lp, lpHeaderSize, n)
}

// atEnd finishes a blob whose terminator was reached after e.bseen entries.
func (e *Entry) atEnd(what string) {
	if e.bdecl >= 0 && e.bseen != e.bdecl {
		e.blobErr("%s holds %d entries, header says %d", what, e.bseen, e.bdecl)
	} else if e.pairs && e.bseen%2 != 0 {
		e.blobErr("odd number of %s entries (%d)", what, e.bseen)
	}
	e.bk = blobNone
}

func (e *Entry) lpNext() ([]byte, int64, bool, bool) {
	lp, p := e.blob, e.bp
	end := len(lp) - 1
	if p >= end {
		e.atEnd("listpack")
		return nil, 0, false, false
	}
	if lp[p] == lpEnd {
		e.blobErr("listpack terminator at byte %d before the end", p)
		return nil, 0, false, false
	}
	s, iv, isInt, size, ok := lpDecode(lp, p, end)
	if !ok {
		e.blobErr("invalid listpack entry at byte %d", p)
		return nil, 0, false, false
	}
	q := p + size
	if !lpCheckBacklen(lp, q, end, size) {
		e.blobErr("invalid listpack backlen at byte %d", q)
		return nil, 0, false, false
	}
	e.bp = q + lpBacklenSize(size)
	e.bseen++
	return s, iv, isInt, true
}

// Ziplist layout (Redis < 7): zlbytes uint32, zltail uint32 (offset of the
// last entry), zllen uint16 (65535: count it), entries, 0xFF. An entry is
// prevlen (1 byte < 254, or 0xFE + uint32), an encoding and data:
//
//	00xxxxxx / 01xxxxxx yyyyyyyy / 10xxxxxx + 4 bytes big endian: strings
//	0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0 int24, 0xFE int8
//	0xF1..0xFD: the value 0..12 itself
const zlHeaderSize = 10

func (e *Entry) startZiplist(zl []byte) {
	if len(zl) < zlHeaderSize+1 || int(binary.LittleEndian.Uint32(zl)) != len(zl) || zl[len(zl)-1] != 0xFF {
		e.blobErr("invalid ziplist header")
		return
	}
	if int(binary.LittleEndian.Uint32(zl[4:])) >= len(zl) {
		e.blobErr("ziplist tail offset out of range")
		return
	}
	n := int(binary.LittleEndian.Uint16(zl[8:]))
	if n == 65535 {
		n = -1
	}
	if e.pairs && n > 0 && n%2 != 0 {
		e.blobErr("odd number of ziplist entries (%d)", n)
		return
	}
	e.startBlob(blobZiplist, zl, zlHeaderSize, n)
	e.bprev, e.blast = 0, zlHeaderSize
}

func (e *Entry) zlNext() ([]byte, int64, bool, bool) {
	zl, p := e.blob, e.bp
	end := len(zl) - 1
	if p >= end {
		if tail := int(binary.LittleEndian.Uint32(zl[4:])); tail != e.blast {
			e.blobErr("ziplist tail offset %d, last entry at %d", tail, e.blast)
			return nil, 0, false, false
		}
		e.atEnd("ziplist")
		return nil, 0, false, false
	}
	var prevlen, ph int
	switch c := zl[p]; {
	case c < 254:
		prevlen, ph = int(c), 1
	case c == 254:
		if end-p < 5 {
			e.blobErr("truncated ziplist entry at byte %d", p)
			return nil, 0, false, false
		}
		prevlen, ph = int(binary.LittleEndian.Uint32(zl[p+1:])), 5
	default:
		e.blobErr("ziplist end marker at byte %d before the end", p)
		return nil, 0, false, false
	}
	if prevlen != e.bprev {
		e.blobErr("ziplist entry at byte %d has prevlen %d, previous entry is %d bytes", p, prevlen, e.bprev)
		return nil, 0, false, false
	}
	q := p + ph
	if q >= end {
		e.blobErr("truncated ziplist entry at byte %d", p)
		return nil, 0, false, false
	}
	enc := zl[q]
	hl, dl := 1, 0
	isInt := false
	switch enc >> 6 {
	case 0:
		dl = int(enc & 0x3F)
	case 1:
		if end-q < 2 {
			e.blobErr("truncated ziplist entry at byte %d", p)
			return nil, 0, false, false
		}
		hl, dl = 2, int(enc&0x3F)<<8|int(zl[q+1])
	case 2:
		if end-q < 5 {
			e.blobErr("truncated ziplist entry at byte %d", p)
			return nil, 0, false, false
		}
		hl, dl = 5, int(binary.BigEndian.Uint32(zl[q+1:]))
	default:
		isInt = true
		switch enc {
		case 0xC0:
			dl = 2
		case 0xD0:
			dl = 4
		case 0xE0:
			dl = 8
		case 0xF0:
			dl = 3
		case 0xFE:
			dl = 1
		default:
			if enc < 0xF1 || enc > 0xFD {
				e.blobErr("invalid ziplist encoding 0x%02x at byte %d", enc, q)
				return nil, 0, false, false
			}
		}
	}
	d := q + hl
	if dl > end-d || d > end {
		e.blobErr("ziplist entry at byte %d runs past the end", p)
		return nil, 0, false, false
	}
	data := zl[d : d+dl]
	var iv int64
	if isInt {
		switch enc {
		case 0xC0:
			iv = int64(int16(binary.LittleEndian.Uint16(data)))
		case 0xD0:
			iv = int64(int32(binary.LittleEndian.Uint32(data)))
		case 0xE0:
			iv = int64(binary.LittleEndian.Uint64(data))
		case 0xF0:
			iv = int64(int32(uint32(data[0])<<8|uint32(data[1])<<16|uint32(data[2])<<24) >> 8)
		case 0xFE:
			iv = int64(int8(data[0]))
		default:
			iv = int64(enc&0x0F) - 1
		}
	}
	total := ph + hl + dl
	e.bprev, e.blast, e.bp = total, p, p+total
	e.bseen++
	if isInt {
		return nil, iv, true, true
	}
	return data, 0, false, true
}

// Intset layout: encoding uint32 (2, 4 or 8 bytes per value), length
// uint32, then the values little endian in strictly ascending order.
func (e *Entry) startIntset(is []byte) {
	if len(is) < 8 {
		e.blobErr("intset too short")
		return
	}
	w := uint64(binary.LittleEndian.Uint32(is))
	n := uint64(binary.LittleEndian.Uint32(is[4:]))
	if w != 2 && w != 4 && w != 8 {
		e.blobErr("invalid intset encoding %d", w)
		return
	}
	if uint64(len(is)-8) != n*w {
		e.blobErr("intset of %d %d-byte values in %d bytes", n, w, len(is))
		return
	}
	if n == 0 {
		e.blobErr("empty intset")
		return
	}
	e.startBlob(blobIntset, is, 8, int(n))
	e.bprev = int(w)
}

func (e *Entry) isNext() ([]byte, int64, bool, bool) {
	if e.bseen == e.bdecl {
		e.bk = blobNone
		return nil, 0, false, false
	}
	p := e.blob[e.bp:]
	var v int64
	switch e.bprev {
	case 2:
		v = int64(int16(binary.LittleEndian.Uint16(p)))
	case 4:
		v = int64(int32(binary.LittleEndian.Uint32(p)))
	default:
		v = int64(binary.LittleEndian.Uint64(p))
	}
	if e.bseen > 0 && v <= e.iprev {
		e.blobErr("intset not sorted at value %d", e.bseen)
		return nil, 0, false, false
	}
	e.iprev = v
	e.bp += e.bprev
	e.bseen++
	return nil, v, true, true
}

// Zipmap layout (Redis < 2.6 hashes): zmlen byte (pair count if < 254),
// then per pair: len, field, len, free byte, value, free bytes; 0xFF ends
// it. A len is one byte below 254, or 254 followed by a uint32.
func (e *Entry) startZipmap(zm []byte) {
	if len(zm) < 2 || zm[len(zm)-1] != 0xFF {
		e.blobErr("invalid zipmap")
		return
	}
	n := int(zm[0])
	if n >= 254 {
		n = -1
	}
	e.startBlob(blobZipmap, zm, 1, n)
	e.zmval = false
}

func (e *Entry) zmNext() ([]byte, bool) {
	zm, p := e.blob, e.bp
	end := len(zm) - 1
	if !e.zmval && p >= end {
		if e.bdecl >= 0 && e.bseen/2 != e.bdecl {
			e.blobErr("zipmap holds %d pairs, header says %d", e.bseen/2, e.bdecl)
		}
		e.bk = blobNone
		return nil, false
	}
	if p >= end {
		e.blobErr("zipmap field without a value")
		return nil, false
	}
	var l int
	switch c := zm[p]; {
	case c < 254:
		l = int(c)
		p++
	case c == 254:
		if end-p < 5 {
			e.blobErr("truncated zipmap entry at byte %d", p)
			return nil, false
		}
		l = int(binary.LittleEndian.Uint32(zm[p+1:]))
		p += 5
	default:
		e.blobErr("zipmap end marker at byte %d before the end", p)
		return nil, false
	}
	free := 0
	if e.zmval {
		if p >= end {
			e.blobErr("truncated zipmap entry at byte %d", p)
			return nil, false
		}
		free = int(zm[p])
		p++
	}
	if l > end-p || free > end-p-l {
		e.blobErr("zipmap entry at byte %d runs past the end", e.bp)
		return nil, false
	}
	s := zm[p : p+l]
	e.bp = p + l + free
	e.zmval = !e.zmval
	e.bseen++
	return s, true
}
