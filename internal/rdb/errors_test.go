package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// moduleID builds a module type id from a 9-character name.
func moduleID(name string) uint64 {
	const cset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	id := uint64(0)
	for _, c := range []byte(name) {
		id = id<<6 | uint64(strings.IndexByte(cset, c))
	}
	return id<<10 | 1
}

func lpOf(items ...string) []byte {
	var b ListpackBuilder
	for _, it := range items {
		b.Append([]byte(it))
	}
	return bytes.Clone(b.Bytes())
}

func TestParseErrors(t *testing.T) {
	key := func(typ Type, name string, blob []byte) func(w *Writer) {
		return func(w *Writer) {
			rawKey(w, typ, name)
			rawString(w, blob)
		}
	}
	patch := func(b []byte, f func(b []byte)) []byte { b = bytes.Clone(b); f(b); return b }
	goodLP := lpOf("a", "1", "b", "2")
	goodZL := ziplist([]string{"a", "1", "b", "2"}, zlOpts{})
	tests := []struct {
		name string
		body func(w *Writer)
		want error  // sentinel
		msg  string // substring of the message
	}{
		{"stream", func(w *Writer) {
			rawKey(w, TypeStreamListpacks, "mystream")
			w.buf = append(w.buf, 1, 2, 3)
		}, ErrUnsupported, `unsupported type 15 (streams) for key "mystream"`},
		{"stream2", func(w *Writer) { rawKey(w, TypeStreamListpacks2, "s2") }, ErrUnsupported, `unsupported type 19 (streams) for key "s2"`},
		{"module", func(w *Writer) {
			rawKey(w, TypeModule2, "mod")
			w.putLen(moduleID("ReJSON-RL"))
		}, ErrUnsupported, `unsupported type 7 (module "ReJSON-RL") for key "mod"`},
		{"module aux", func(w *Writer) {
			w.buf = append(w.buf, opModuleAux)
			w.putLen(moduleID("mymodule1"))
		}, ErrUnsupported, `module aux data (module "mymodule1")`},
		{"function pre-GA", func(w *Writer) { w.buf = append(w.buf, opFunctionPreGA, 0) }, ErrUnsupported, "pre-release function"},
		{"unknown type", func(w *Writer) { w.buf = append(w.buf, 8) }, ErrCorrupt, "unknown object type 8"},
		{"unknown opcode", func(w *Writer) { w.buf = append(w.buf, 244) }, ErrCorrupt, "unknown object type 244"},
		{"bad length encoding", func(w *Writer) { rawKey(w, TypeList, "l"); w.buf = append(w.buf, 0x82) }, ErrCorrupt, "unknown length encoding 0x82"},
		{"bad string encoding", func(w *Writer) { w.buf = append(w.buf, 0, 0xC4) }, ErrCorrupt, "unknown string encoding 4"},
		{"huge string", func(w *Writer) {
			w.buf = append(w.buf, 0)
			w.putLen(1 << 50)
		}, ErrCorrupt, "too large"},
		{"huge db", func(w *Writer) { w.buf = append(w.buf, opSelectDB); w.putLen(1 << 40) }, ErrCorrupt, "database number"},
		{"lzf bad data", func(w *Writer) {
			rawKey(w, TypeString, "k")
			w.buf = append(w.buf, 0xC3, 3, 10, 5, 'a', 'b')
		}, ErrCorrupt, "invalid LZF compressed string"},
		{"lzf ratio", func(w *Writer) {
			rawKey(w, TypeString, "k")
			w.buf = append(w.buf, 0xC3, 2)
			w.putLen(1000)
			w.buf = append(w.buf, 0, 'a')
		}, ErrCorrupt, "invalid LZF lengths"},
		{"zset nan ascii", func(w *Writer) {
			rawKey(w, TypeZSet, "z")
			w.putLen(1)
			w.putString([]byte("m"))
			asciiScore(w, math.NaN())
		}, ErrCorrupt, "NaN score"},
		{"zset nan binary", func(w *Writer) {
			rawKey(w, TypeZSet2, "z")
			w.putLen(1)
			w.putString([]byte("m"))
			w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(math.NaN()))
		}, ErrCorrupt, "NaN score"},
		{"zset bad ascii", func(w *Writer) {
			rawKey(w, TypeZSet, "z")
			w.putLen(1)
			w.putString([]byte("m"))
			w.buf = append(w.buf, 3, 'a', 'b', 'c')
		}, ErrCorrupt, "invalid zset score"},
		{"zset listpack nan", key(TypeZSetListpack, "z", lpOf("m", "nan")), ErrCorrupt, "invalid score"},
		{"zset ziplist bad score", key(TypeZSetZiplist, "z", ziplist([]string{"m", "x1"}, zlOpts{})), ErrCorrupt, "invalid score"},
		{"listpack bad total", key(TypeHashListpack, "h", patch(goodLP, func(b []byte) { b[0]++ })), ErrCorrupt, "invalid listpack header"},
		{"listpack no terminator", key(TypeHashListpack, "h", patch(goodLP, func(b []byte) { b[len(b)-1] = 0 })), ErrCorrupt, "invalid listpack header"},
		{"listpack odd", key(TypeHashListpack, "h", lpOf("a", "b", "c")), ErrCorrupt, "odd number"},
		{"listpack odd unknown count", key(TypeZSetListpack, "z", patch(lpOf("a", "1", "c"), func(b []byte) { b[4], b[5] = 0xFF, 0xFF })), ErrCorrupt, "odd number"},
		{"listpack count", key(TypeHashListpack, "h", patch(goodLP, func(b []byte) { b[4] = 6 })), ErrCorrupt, "header says 6"},
		{"listpack backlen", key(TypeHashListpack, "h", patch(goodLP, func(b []byte) { b[8]++ })), ErrCorrupt, "backlen"},
		{"listpack encoding", key(TypeHashListpack, "h", patch(goodLP, func(b []byte) { b[6] = 0xF5 })), ErrCorrupt, "invalid listpack entry"},
		{"listpack early end", key(TypeHashListpack, "h", patch(goodLP, func(b []byte) { b[9] = 0xFF })), ErrCorrupt, "terminator"},
		{"listpack string overrun", key(TypeHashListpack, "h", patch(goodLP, func(b []byte) { b[6] = 0xBF })), ErrCorrupt, "invalid listpack entry"},
		{"ziplist bad bytes", key(TypeHashZiplist, "h", patch(goodZL, func(b []byte) { b[0]-- })), ErrCorrupt, "invalid ziplist header"},
		{"ziplist prevlen", key(TypeHashZiplist, "h", patch(goodZL, func(b []byte) { b[13]++ })), ErrCorrupt, "prevlen"},
		{"ziplist tail", key(TypeHashZiplist, "h", patch(goodZL, func(b []byte) { b[4]-- })), ErrCorrupt, "tail offset"},
		{"ziplist tail range", key(TypeHashZiplist, "h", patch(goodZL, func(b []byte) { b[5] = 9 })), ErrCorrupt, "tail offset out of range"},
		{"ziplist count", key(TypeListZiplist, "l", patch(goodZL, func(b []byte) { b[8] = 3 })), ErrCorrupt, "header says 3"},
		{"ziplist odd", key(TypeHashZiplist, "h", patch(goodZL, func(b []byte) { b[8] = 3 })), ErrCorrupt, "odd number"},
		{"ziplist encoding", key(TypeListZiplist, "l", patch(goodZL, func(b []byte) { b[11] = 0xC1 })), ErrCorrupt, "invalid ziplist encoding"},
		{"ziplist overrun", key(TypeListZiplist, "l", patch(goodZL, func(b []byte) { b[11] = 0x3F })), ErrCorrupt, "runs past the end"},
		{"intset empty", key(TypeSetIntset, "s", intsetBlob(2)), ErrCorrupt, "empty intset"},
		{"intset unsorted", key(TypeSetIntset, "s", intsetBlob(2, 5, 3)), ErrCorrupt, "not sorted"},
		{"intset dup", key(TypeSetIntset, "s", intsetBlob(4, 3, 3)), ErrCorrupt, "not sorted"},
		{"intset width", key(TypeSetIntset, "s", patch(intsetBlob(2, 1, 2), func(b []byte) { b[0] = 3 })), ErrCorrupt, "invalid intset encoding"},
		{"intset size", key(TypeSetIntset, "s", intsetBlob(2, 1, 2)[:10]), ErrCorrupt, "intset of 2"},
		{"zipmap count", key(TypeHashZipmap, "h", patch(zipmap([][2]string{{"a", "b"}}), func(b []byte) { b[0] = 2 })), ErrCorrupt, "header says 2"},
		{"zipmap truncated", key(TypeHashZipmap, "h", []byte{1, 1, 'a', 5, 0, 'x', 0xFF}), ErrCorrupt, "runs past the end"},
		{"zipmap no value", key(TypeHashZipmap, "h", []byte{1, 1, 'a', 0xFF}), ErrCorrupt, "zipmap"},
		{"quicklist container", func(w *Writer) {
			rawKey(w, TypeListQuicklist2, "l")
			w.putLen(1)
			w.putLen(3)
			rawString(w, lpOf("a"))
		}, ErrCorrupt, "container 3"},
		{"quicklist empty node", func(w *Writer) {
			rawKey(w, TypeListQuicklist2, "l")
			w.putLen(1)
			w.putLen(containerPlain)
			w.putLen(0)
		}, ErrCorrupt, "empty quicklist node"},
		{"quicklist bad ziplist", func(w *Writer) {
			rawKey(w, TypeListQuicklist, "l")
			w.putLen(1)
			rawString(w, []byte("not a ziplist"))
		}, ErrCorrupt, "invalid ziplist header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := rawFile(10, tt.body)
			for _, size := range []int{16, defaultReadBuf} {
				_, err := parseAll(data, size, 0)
				if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
					t.Fatalf("buffer %d: err = %v; want %v containing %q", size, err, tt.want, tt.msg)
				}
				var ce *CorruptError
				if errors.As(err, &ce) && (ce.Offset <= 0 || ce.Offset > int64(len(data))) {
					t.Errorf("offset %d outside the file (%d bytes)", ce.Offset, len(data))
				}
			}
		})
	}
}

func TestParseHeaderErrors(t *testing.T) {
	tests := []struct {
		data string
		want error
		msg  string
	}{
		{"", ErrCorrupt, "unexpected end of file"},
		{"REDIS001", ErrCorrupt, "unexpected end of file"},
		{"RESP00010", ErrCorrupt, "bad magic"},
		{"REDIS00a1", ErrCorrupt, "bad RDB version"},
		{"REDIS0000", ErrUnsupported, "version 0"},
		{"REDIS0011", ErrUnsupported, "version 11"},
		{"REDIS0012\xff", ErrUnsupported, "version 12"},
		{"REDIS0010", ErrCorrupt, "unexpected end of file"},
		{"REDIS0010\xff", ErrCorrupt, "unexpected end of file"},
	}
	for _, tt := range tests {
		_, err := parseAll([]byte(tt.data), 16, 0)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%q: err = %v, want %v containing %q", tt.data, err, tt.want, tt.msg)
		}
	}
}

// smallFile returns a valid file with a few keys of several types.
func smallFile(t testing.TB) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.StandardAux("7.0.15", 1, 2)
	w.SelectDB(0)
	w.WriteString([]byte("str"), []byte("the-quick-brown-fox-jumps"), farFuture)
	w.WriteList([]byte("list"), NoExpire, seqStrings([]string{"a", "1", "bb"}))
	w.WriteSet([]byte("iset"), NoExpire, 2, seqStrings([]string{"5", "-3"}))
	w.WriteSet([]byte("set"), NoExpire, 2, seqStrings([]string{"x", "y"}))
	w.WriteHash([]byte("hash"), NoExpire, 1, seqPairs([][2]string{{"f", "v"}}))
	w.WriteHash([]byte("bighash"), NoExpire, 2, seqPairs([][2]string{{"f", strings.Repeat("v", 70)}, {"g", "1"}}))
	w.WriteZSet([]byte("zset"), NoExpire, 2, seqZ([]zm{{"m", 1.5}, {"n", 2}}))
	w.WriteZSet([]byte("bigzset"), NoExpire, 1, seqZ([]zm{{strings.Repeat("m", 70), 1.5}}))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestChecksum(t *testing.T) {
	data := smallFile(t)
	if _, err := parseAll(data, 64, 0); err != nil {
		t.Fatal(err)
	}
	// Flip a byte inside a string value: structure intact, checksum wrong.
	i := bytes.Index(data, []byte("quick-brown"))
	bad := bytes.Clone(data)
	bad[i] ^= 0x20
	_, err := parseAll(bad, 64, 0)
	var ce *CorruptError
	if !errors.Is(err, ErrChecksum) || !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) || ce.Offset != int64(len(data)-8) {
		t.Errorf("flipped value byte: %v", err)
	}
	// Wrong trailer.
	bad = bytes.Clone(data)
	bad[len(bad)-1] ^= 1
	if _, err := parseAll(bad, 64, 0); !errors.Is(err, ErrChecksum) {
		t.Errorf("flipped trailer: %v", err)
	}
	// A zero trailer disables the check.
	bad = bytes.Clone(data)
	bad[i] ^= 0x20
	clear(bad[len(bad)-8:])
	if _, err := parseAll(bad, 64, 0); err != nil {
		t.Errorf("zero trailer: %v", err)
	}
	// Every single-bit flip anywhere is detected and never panics.
	for i := range data {
		for _, bit := range []byte{1, 0x80} {
			bad := bytes.Clone(data)
			bad[i] ^= bit
			if _, err := parseAll(bad, 16, 0); err == nil {
				t.Fatalf("flip of bit %x at %d not detected", bit, i)
			}
		}
	}
	// Trailing garbage after the trailer is ignored, as Redis does.
	if _, err := parseAll(append(bytes.Clone(data), "junk"...), 64, 0); err != nil {
		t.Errorf("trailing data: %v", err)
	}
}

func TestTruncated(t *testing.T) {
	for _, data := range [][]byte{smallFile(t), func() []byte { d, _ := legacyFile(); return d }()} {
		for n := range len(data) {
			for _, size := range []int{16, 256} {
				_, err := parseAll(data[:n], size, 0)
				if !errors.Is(err, ErrCorrupt) || !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("truncated to %d of %d bytes (buffer %d): %v", n, len(data), size, err)
				}
			}
		}
	}
}

func TestLyingLengths(t *testing.T) {
	tests := []struct {
		name string
		body func(w *Writer)
	}{
		{"string", func(w *Writer) {
			rawKey(w, TypeString, "k")
			w.putLen(1 << 38)
			w.buf = append(w.buf, "only a few bytes"...)
		}},
		{"lzf", func(w *Writer) {
			rawKey(w, TypeString, "k")
			w.buf = append(w.buf, 0xC3)
			w.putLen(1 << 36)
			w.putLen(1 << 40)
			w.buf = append(w.buf, "xx"...)
		}},
		{"list count", func(w *Writer) {
			rawKey(w, TypeList, "k")
			w.putLen(1 << 60)
			w.putString([]byte("a"))
		}},
		{"hash count", func(w *Writer) {
			rawKey(w, TypeHash, "k")
			w.putLen(1 << 61)
			w.putString([]byte("a"))
		}},
		{"quicklist nodes", func(w *Writer) {
			rawKey(w, TypeListQuicklist2, "k")
			w.putLen(1 << 62)
		}},
		{"zset count", func(w *Writer) {
			rawKey(w, TypeZSet2, "k")
			w.putLen(1 << 62)
		}},
	}
	for _, tt := range tests {
		data := rawFile(10, tt.body)
		data = data[:len(data)-9] // drop EOF and trailer: the lie runs into the end
		for _, skip := range []bool{false, true} {
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			var v Visitor = newRecorder()
			if skip {
				v = BaseVisitor{}
			}
			err := newReaderSize(bytes.NewReader(data), 64).Parse(v)
			runtime.ReadMemStats(&ms1)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s: %v", tt.name, err)
			}
			if alloc := ms1.TotalAlloc - ms0.TotalAlloc; alloc > 4<<20 {
				t.Errorf("%s (skip=%v): allocated %d bytes", tt.name, skip, alloc)
			}
		}
	}
}

type keyErrVisitor struct {
	BaseVisitor
	err error
}

func (v keyErrVisitor) Key(e *Entry) error { return v.err }

type misuseVisitor struct{ BaseVisitor }

func (misuseVisitor) Key(e *Entry) error {
	if e.Kind == KindHash {
		e.Next()
		e.NextMember()
	}
	if e.Kind == KindList {
		e.NextPair()
	}
	return nil
}

func TestVisitorErrors(t *testing.T) {
	data := smallFile(t)
	stop := errors.New("stop")
	if err := NewReader(bytes.NewReader(data)).Parse(keyErrVisitor{err: stop}); err != stop {
		t.Errorf("visitor error: %v", err)
	}
	err := NewReader(bytes.NewReader(data)).Parse(misuseVisitor{})
	if err == nil || !strings.Contains(err.Error(), "called on a") {
		t.Errorf("misuse: %v", err)
	}
	// Source errors are wrapped, not reported as corruption.
	src := iotest.TimeoutReader(iotest.OneByteReader(bytes.NewReader(data)))
	err = NewReader(src).Parse(BaseVisitor{})
	if !errors.Is(err, iotest.ErrTimeout) || errors.Is(err, ErrCorrupt) {
		t.Errorf("source error: %v", err)
	}
	// A one-byte-at-a-time source parses fine.
	if err := NewReader(iotest.OneByteReader(bytes.NewReader(data))).Parse(newRecorder()); err != nil {
		t.Errorf("one-byte reader: %v", err)
	}
	// BaseVisitor skips every value (drain path) and still verifies the checksum.
	legacy, _ := legacyFile()
	for _, f := range [][]byte{data, legacy} {
		if err := newReaderSize(bytes.NewReader(f), 16).Parse(BaseVisitor{}); err != nil {
			t.Errorf("skipping visitor: %v", err)
		}
	}
}

// partialVisitor reads only the first element of every collection.
type partialVisitor struct {
	BaseVisitor
	n int
}

func (p *partialVisitor) Key(e *Entry) error {
	switch e.Kind {
	case KindList, KindSet:
		if _, ok := e.Next(); ok {
			p.n++
		}
	case KindHash:
		if _, _, ok := e.NextPair(); ok {
			p.n++
		}
	case KindZSet:
		if _, _, ok := e.NextMember(); ok {
			p.n++
		}
	}
	return e.Err()
}

func TestPartialIteration(t *testing.T) {
	legacy, want := legacyFile()
	var buf bytes.Buffer
	w := NewWriter(&buf)
	writeDataset(t, w, writerDataset())
	w.Close()
	for _, f := range [][]byte{legacy, buf.Bytes()} {
		p := &partialVisitor{}
		if err := newReaderSize(bytes.NewReader(f), 16).Parse(p); err != nil {
			t.Fatal(err)
		}
		if p.n == 0 {
			t.Error("no elements read")
		}
	}
	_ = want
}
