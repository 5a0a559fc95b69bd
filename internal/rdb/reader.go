package rdb

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
)

const (
	defaultReadBuf = 256 << 10
	minReadBuf     = 16
	// maxStringLen rejects absurd declared string lengths outright; smaller
	// lies are caught by running out of input (see readLarge).
	maxStringLen = 1 << 40
	// largeChunk is the first allocation for a string that does not fit in
	// the read buffer; the allocation then doubles as data actually arrives.
	largeChunk = 1 << 20
	// maxKeepScratch bounds the scratch buffers kept between values.
	maxKeepScratch = 16 << 20
	// maxNoProgress is how many (0, nil) reads are tolerated in a row.
	maxNoProgress = 100
)

// Visitor receives the contents of an RDB file from Reader.Parse, in file
// order. Any non-nil error returned by a method stops parsing and is returned
// by Parse. Byte slices passed to a method are only valid during the call.
// Embed BaseVisitor to implement only the methods of interest.
type Visitor interface {
	// Aux receives an auxiliary field (redis-ver, redis-bits, ctime,
	// used-mem, aof-base, repl-id, ...).
	Aux(key, value []byte) error
	// SelectDB announces that the following keys belong to database db.
	SelectDB(db int) error
	// ResizeDB receives the key and expire counts of the current database
	// (a sizing hint; untrusted).
	ResizeDB(dbSize, expiresSize uint64) error
	// Function receives the source code of a function library (FUNCTION
	// LOAD payload) saved by Redis 7.
	Function(code []byte) error
	// Key receives one key and its value; see Entry for how to read the
	// value. Elements not consumed when Key returns are skipped.
	Key(e *Entry) error
}

// BaseVisitor implements every Visitor method as a no-op that returns nil.
type BaseVisitor struct{}

// Aux ignores the field.
func (BaseVisitor) Aux(key, value []byte) error { return nil }

// SelectDB ignores the database change.
func (BaseVisitor) SelectDB(db int) error { return nil }

// ResizeDB ignores the hint.
func (BaseVisitor) ResizeDB(dbSize, expiresSize uint64) error { return nil }

// Function ignores the library.
func (BaseVisitor) Function(code []byte) error { return nil }

// Key skips the key.
func (BaseVisitor) Key(e *Entry) error { return nil }

// Reader decodes an RDB file from an io.Reader. It reads through its own
// buffer, so the source needs no buffering of its own; it never reads past
// what it needs by more than one buffer. A Reader parses one file (call
// Parse once) and is not safe for concurrent use.
type Reader struct {
	// MaxVersion is the newest RDB version Parse accepts; zero means Version
	// (10, Redis 7.0), which is also what Redis 7.0 accepts. Setting it to
	// 11 additionally accepts files of Redis 7.2, including listpack-encoded
	// sets (TypeSetListpack). Larger values are treated as 11.
	MaxVersion int

	src      io.Reader
	buf      []byte
	pos, end int
	base     int64 // file offset of buf[0]
	crc      uint64
	crcAt    int // buf[crcAt:pos] is consumed but not yet in crc
	srcErr   error
	version  int
	big      []byte   // strings larger than buf
	lzf      []byte   // decompressed LZF strings
	num      [20]byte // integer-encoded strings
	keyBuf   []byte
	e        Entry
}

// NewReader returns a Reader that decodes the RDB file read from src.
func NewReader(src io.Reader) *Reader { return newReaderSize(src, defaultReadBuf) }

func newReaderSize(src io.Reader, size int) *Reader {
	return &Reader{src: src, buf: make([]byte, max(size, minReadBuf))}
}

// Version returns the RDB version of the file, once Parse has read the
// header.
func (r *Reader) Version() int { return r.version }

// Offset returns the number of bytes of the file consumed so far.
func (r *Reader) Offset() int64 { return r.off() }

func (r *Reader) off() int64 { return r.base + int64(r.pos) }

func (r *Reader) corrupt(format string, args ...any) error {
	return &CorruptError{Offset: r.off(), Reason: fmt.Sprintf(format, args...)}
}

// readErr converts the sticky source error into the error to report.
func (r *Reader) readErr() error {
	off := r.base + int64(r.end)
	if r.srcErr == io.EOF {
		return &CorruptError{Offset: off, Reason: "unexpected end of file", Cause: io.ErrUnexpectedEOF}
	}
	return fmt.Errorf("rdb: read error at offset %d: %w", off, r.srcErr)
}

// fill makes at least n (<= len(r.buf)) bytes available at r.buf[r.pos:].
func (r *Reader) fill(n int) error {
	if r.end-r.pos >= n {
		return nil
	}
	if r.pos > 0 {
		r.crc = CRC64(r.crc, r.buf[r.crcAt:r.pos])
		m := copy(r.buf, r.buf[r.pos:r.end])
		r.base += int64(r.pos)
		r.pos, r.end, r.crcAt = 0, m, 0
	}
	stalls := 0
	for r.end < n {
		if r.srcErr != nil {
			return r.readErr()
		}
		m, err := r.src.Read(r.buf[r.end:])
		r.end += m
		if err != nil {
			r.srcErr = err
		} else if m == 0 {
			if stalls++; stalls >= maxNoProgress {
				r.srcErr = io.ErrNoProgress
			}
		}
	}
	return nil
}

func (r *Reader) readByte() (byte, error) {
	if r.pos < r.end {
		b := r.buf[r.pos]
		r.pos++
		return b, nil
	}
	if err := r.fill(1); err != nil {
		return 0, err
	}
	b := r.buf[r.pos]
	r.pos++
	return b, nil
}

// readN returns the next n bytes; the slice is valid until the next read.
func (r *Reader) readN(n int) ([]byte, error) {
	if n <= r.end-r.pos {
		s := r.buf[r.pos : r.pos+n : r.pos+n]
		r.pos += n
		return s, nil
	}
	if n > len(r.buf) {
		return r.readLarge(n)
	}
	if err := r.fill(n); err != nil {
		return nil, err
	}
	s := r.buf[r.pos : r.pos+n : r.pos+n]
	r.pos += n
	return s, nil
}

// readLarge reads a string that does not fit in the buffer into r.big. The
// allocation grows only as data actually arrives, so a lying length costs at
// most about twice the bytes really present.
func (r *Reader) readLarge(n int) ([]byte, error) {
	r.crc = CRC64(r.crc, r.buf[r.crcAt:r.end])
	have := r.end - r.pos
	dst := r.big
	if c := min(n, max(have, largeChunk)); cap(dst) < c {
		dst = make([]byte, 0, c)
	}
	dst = append(dst[:0], r.buf[r.pos:r.end]...)
	r.base += int64(r.end)
	r.pos, r.end, r.crcAt = 0, 0, 0
	stalls := 0
	for len(dst) < n {
		if len(dst) == cap(dst) {
			nd := make([]byte, len(dst), min(n, 2*cap(dst)))
			copy(nd, dst)
			dst = nd
		}
		if r.srcErr != nil {
			return nil, r.readErr()
		}
		m, err := r.src.Read(dst[len(dst):min(cap(dst), n)])
		r.crc = CRC64(r.crc, dst[len(dst):len(dst)+m])
		dst = dst[:len(dst)+m]
		r.base += int64(m)
		if err != nil {
			r.srcErr = err
		} else if m == 0 {
			if stalls++; stalls >= maxNoProgress {
				r.srcErr = io.ErrNoProgress
			}
		}
	}
	if cap(dst) <= maxKeepScratch {
		r.big = dst
	} else {
		r.big = nil
	}
	return dst[:n:n], nil
}

// skip discards n bytes.
func (r *Reader) skip(n uint64) error {
	for n > 0 {
		if r.pos == r.end {
			if err := r.fill(1); err != nil {
				return err
			}
		}
		k := min(n, uint64(r.end-r.pos))
		r.pos += int(k)
		n -= k
	}
	return nil
}

// readLen reads a length; encoded reports the 11xxxxxx form, whose low six
// bits (the string encoding type) are returned as the length.
func (r *Reader) readLen() (n uint64, encoded bool, err error) {
	b, err := r.readByte()
	if err != nil {
		return 0, false, err
	}
	switch b >> 6 {
	case len6:
		return uint64(b), false, nil
	case len14:
		b2, err := r.readByte()
		if err != nil {
			return 0, false, err
		}
		return uint64(b&0x3F)<<8 | uint64(b2), false, nil
	case lenEnc:
		return uint64(b & 0x3F), true, nil
	}
	switch b {
	case len32:
		p, err := r.readN(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(p)), false, nil
	case len64:
		p, err := r.readN(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(p), false, nil
	}
	r.pos--
	return 0, false, r.corrupt("unknown length encoding 0x%02x", b)
}

// readCount reads a length used as an element count.
func (r *Reader) readCount() (uint64, error) {
	n, _, err := r.readLen()
	return n, err
}

// readString reads a string in any encoding. The result is valid until the
// next read; it may alias the read buffer or a scratch buffer.
func (r *Reader) readString() ([]byte, error) {
	if r.pos < r.end {
		if n := int(r.buf[r.pos]); n < 0x40 && r.pos+1+n <= r.end {
			s := r.buf[r.pos+1 : r.pos+1+n : r.pos+1+n]
			r.pos += 1 + n
			return s, nil
		}
	}
	n, enc, err := r.readLen()
	if err != nil {
		return nil, err
	}
	if enc {
		return r.readEncoded(n)
	}
	if n > maxStringLen {
		return nil, r.corrupt("string length %d too large", n)
	}
	return r.readN(int(n))
}

// readEncoded reads the body of a specially encoded string.
func (r *Reader) readEncoded(t uint64) ([]byte, error) {
	var v int64
	switch t {
	case encInt8:
		p, err := r.readN(1)
		if err != nil {
			return nil, err
		}
		v = int64(int8(p[0]))
	case encInt16:
		p, err := r.readN(2)
		if err != nil {
			return nil, err
		}
		v = int64(int16(binary.LittleEndian.Uint16(p)))
	case encInt32:
		p, err := r.readN(4)
		if err != nil {
			return nil, err
		}
		v = int64(int32(binary.LittleEndian.Uint32(p)))
	case encLZF:
		return r.readLZF()
	default:
		return nil, r.corrupt("unknown string encoding %d", t)
	}
	return strconv.AppendInt(r.num[:0], v, 10), nil
}

func (r *Reader) readLZF() ([]byte, error) {
	clen, err := r.readCount()
	if err != nil {
		return nil, err
	}
	ulen, err := r.readCount()
	if err != nil {
		return nil, err
	}
	if clen == 0 || ulen == 0 || clen > maxStringLen || ulen > clen*lzfMaxRatio {
		return nil, r.corrupt("invalid LZF lengths (compressed %d, uncompressed %d)", clen, ulen)
	}
	c, err := r.readN(int(clen))
	if err != nil {
		return nil, err
	}
	if cap(r.lzf) < int(ulen) {
		r.lzf = make([]byte, ulen)
	}
	out := r.lzf[:ulen:ulen]
	if !lzfDecompress(out, c) {
		return nil, r.corrupt("invalid LZF compressed string")
	}
	if cap(r.lzf) > maxKeepScratch {
		r.lzf = nil
	}
	return out, nil
}

// skipString discards a string without decoding it.
func (r *Reader) skipString() error {
	n, enc, err := r.readLen()
	if err != nil {
		return err
	}
	if !enc {
		return r.skip(n)
	}
	switch n {
	case encInt8:
		return r.skip(1)
	case encInt16:
		return r.skip(2)
	case encInt32:
		return r.skip(4)
	case encLZF:
		clen, err := r.readCount()
		if err != nil {
			return err
		}
		if _, err := r.readCount(); err != nil {
			return err
		}
		return r.skip(clen)
	}
	return r.corrupt("unknown string encoding %d", n)
}

// Parse reads the whole file, calling v for each record, and verifies the
// CRC64 trailer (a zero trailer means the writer disabled checksums, as with
// Redis's rdbchecksum no). Data after the trailer is not read.
//
// Errors: malformed or truncated input yields a *CorruptError (errors.Is
// ErrCorrupt; ErrChecksum too for a trailer mismatch); unsupported content
// (newer RDB version, streams, modules) an error matching ErrUnsupported;
// errors of the source are wrapped; errors from v are returned unchanged.
func (r *Reader) Parse(v Visitor) error {
	hdr, err := r.readN(9)
	if err != nil {
		return err
	}
	if string(hdr[:5]) != "REDIS" {
		return &CorruptError{Offset: 0, Reason: "not an RDB file (bad magic)"}
	}
	ver := 0
	for _, c := range hdr[5:] {
		if c < '0' || c > '9' {
			return &CorruptError{Offset: 5, Reason: fmt.Sprintf("bad RDB version %q", hdr[5:])}
		}
		ver = ver*10 + int(c-'0')
	}
	maxv := r.MaxVersion
	if maxv <= 0 {
		maxv = Version
	}
	maxv = min(maxv, 11)
	if ver < 1 || ver > maxv {
		return unsupportedError(fmt.Sprintf("unsupported RDB format version %d (this reader handles 1 to %d)", ver, maxv))
	}
	r.version = ver
	db := 0
	expire, idle, freq := NoExpire, int64(-1), -1
	for {
		t, err := r.readByte()
		if err != nil {
			return err
		}
		switch t {
		case opExpire:
			p, err := r.readN(4)
			if err != nil {
				return err
			}
			expire = int64(int32(binary.LittleEndian.Uint32(p))) * 1000
		case opExpireMs:
			p, err := r.readN(8)
			if err != nil {
				return err
			}
			expire = int64(binary.LittleEndian.Uint64(p))
		case opFreq:
			b, err := r.readByte()
			if err != nil {
				return err
			}
			freq = int(b)
		case opIdle:
			n, err := r.readCount()
			if err != nil {
				return err
			}
			if n > math.MaxInt64 {
				return r.corrupt("LRU idle time %d out of range", n)
			}
			idle = int64(n)
		case opEOF:
			return r.finish()
		case opSelectDB:
			n, err := r.readCount()
			if err != nil {
				return err
			}
			if n > math.MaxInt32 {
				return r.corrupt("database number %d out of range", n)
			}
			db = int(n)
			if err := v.SelectDB(db); err != nil {
				return err
			}
		case opResizeDB:
			a, err := r.readCount()
			if err != nil {
				return err
			}
			b, err := r.readCount()
			if err != nil {
				return err
			}
			if err := v.ResizeDB(a, b); err != nil {
				return err
			}
		case opAux:
			k, err := r.readString()
			if err != nil {
				return err
			}
			r.keyBuf = append(r.keyBuf[:0], k...)
			val, err := r.readString()
			if err != nil {
				return err
			}
			if err := v.Aux(r.keyBuf, val); err != nil {
				return err
			}
		case opModuleAux:
			at := r.off() - 1
			id, err := r.readCount()
			if err != nil {
				return err
			}
			return unsupportedError(fmt.Sprintf("unsupported module aux data (module %q) at offset %d", moduleTypeName(id), at))
		case opFunctionPreGA:
			return unsupportedError(fmt.Sprintf("unsupported pre-release function data (Redis 7.0 RC) at offset %d", r.off()-1))
		case opFunction2:
			code, err := r.readString()
			if err != nil {
				return err
			}
			if err := v.Function(code); err != nil {
				return err
			}
		default:
			if err := r.readKey(v, Type(t), db, expire, idle, freq); err != nil {
				return err
			}
			expire, idle, freq = NoExpire, -1, -1
		}
	}
}

// finish verifies the checksum trailer after the EOF opcode.
func (r *Reader) finish() error {
	r.crc = CRC64(r.crc, r.buf[r.crcAt:r.pos])
	r.crcAt = r.pos
	sum := r.crc
	if r.version < 5 {
		return nil
	}
	p, err := r.readN(8)
	if err != nil {
		return err
	}
	r.crcAt = r.pos // the trailer is not part of the checksum
	if want := binary.LittleEndian.Uint64(p); want != 0 && want != sum {
		return &CorruptError{Offset: r.off() - 8, Cause: ErrChecksum,
			Reason: fmt.Sprintf("checksum mismatch: trailer %016x, computed %016x", want, sum)}
	}
	return nil
}

// readKey reads one key of type t and hands it to v.
func (r *Reader) readKey(v Visitor, t Type, db int, expire, idle int64, freq int) error {
	at := r.off() - 1
	kind, ok := t.Kind()
	if !ok || (t == TypeSetListpack && r.version < 11) {
		var what string
		switch t {
		case TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3:
			what = "streams"
		case TypeModule, TypeModule2:
			what = "module"
		default:
			r.pos--
			return r.corrupt("unknown object type %d", t)
		}
		key, err := r.readString()
		if err != nil {
			return err
		}
		if what == "module" {
			k := string(key)
			id, err := r.readCount()
			if err != nil {
				return err
			}
			return unsupportedError(fmt.Sprintf("unsupported type %d (module %q) for key %q at offset %d", t, moduleTypeName(id), k, at))
		}
		return unsupportedError(fmt.Sprintf("unsupported type %d (%s) for key %q at offset %d", t, what, key, at))
	}
	key, err := r.readString()
	if err != nil {
		return err
	}
	r.keyBuf = append(r.keyBuf[:0], key...)
	e := &r.e
	e.reset(r)
	e.DB, e.Key, e.Kind, e.Type = db, r.keyBuf, kind, t
	e.ExpireMs, e.Idle, e.Freq = expire, idle, freq
	if err := e.setup(); err != nil {
		return err
	}
	if err := v.Key(e); err != nil {
		return err
	}
	if e.err != nil {
		return e.err
	}
	return e.drain()
}
