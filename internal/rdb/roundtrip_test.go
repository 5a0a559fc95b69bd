package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// item is one key of a test dataset.
type item struct {
	db  int
	key string
	v   value
}

const farFuture = int64(4102444800000) // 2100-01-01 in ms

func sv(s string) value {
	return value{Kind: KindString, Type: TypeString, Expire: NoExpire, Idle: -1, Freq: -1, Str: s}
}
func lv(t Type, e []string) value {
	return value{Kind: KindList, Type: t, Expire: NoExpire, Idle: -1, Freq: -1, Elems: e}
}
func setv(t Type, e []string) value {
	return value{Kind: KindSet, Type: t, Expire: NoExpire, Idle: -1, Freq: -1, Elems: e}
}
func hv(t Type, p [][2]string) value {
	return value{Kind: KindHash, Type: t, Expire: NoExpire, Idle: -1, Freq: -1, Pairs: p}
}
func zv(t Type, z []zm) value {
	return value{Kind: KindZSet, Type: t, Expire: NoExpire, Idle: -1, Freq: -1, Zset: z}
}
func withExpire(v value, ms int64) value { v.Expire = ms; return v }

// writerDataset covers every encoding the Writer chooses between.
func writerDataset() []item {
	big := strings.Repeat("0123456789abcdef", 1000) // LZF-compressible, > buffers
	bin := string([]byte{0, 1, 2, 0xFF, 0xFE, '\r', '\n', 0})
	longMember := strings.Repeat("m", 65)
	mixed := append(nums(0, 10), "x")
	bigElems := []string{strings.Repeat("A", 10000), "small", strings.Repeat("B", 70000), "1", "-2"}
	return []item{
		{0, "s:int8", sv("12")},
		{0, "s:negint", sv("-128")},
		{0, "s:int16", sv("-129")},
		{0, "s:int32", sv("2147483647")},
		{0, "s:int64", sv("2147483648")},
		{0, "s:maxint64", sv("9223372036854775807")},
		{0, "s:leading0", sv("007")},
		{0, "s:minus0", sv("-0")},
		{0, "s:empty", sv("")},
		{0, "s:short", sv("hello")},
		{0, "s:21", sv("aaaaaaaaaaaaaaaaaaaaa")},
		{0, "s:big", sv(big)},
		{0, "s:bin", sv(bin)},
		{0, "s:float", sv("3.14")},
		{0, "12345", sv("integer key")},
		{0, strings.Repeat("k", 100), sv("long compressible key")},
		{0, "s:ttl", withExpire(sv("v"), farFuture)},
		{0, "s:pastttl", withExpire(sv("v"), 1000)},
		{0, "l:small", lv(TypeListQuicklist2, []string{"a", "1", "-5", "b", "", "300", "70000", "9999999999"})},
		{0, "l:big", lv(TypeListQuicklist2, strs("elem-", 20000))},
		{0, "l:ints", lv(TypeListQuicklist2, nums(-500, 3000))},
		{0, "l:bigelems", lv(TypeListQuicklist2, bigElems)},
		{0, "l:ttl", withExpire(lv(TypeListQuicklist2, []string{"x"}), farFuture)},
		{0, "set:ints", setv(TypeSetIntset, nums(-3, 10))},
		{0, "set:ints16", setv(TypeSetIntset, []string{"-32768", "32767", "0"})},
		{0, "set:ints32", setv(TypeSetIntset, []string{"-32769", "5", "2147483647"})},
		{0, "set:ints64", setv(TypeSetIntset, []string{"-9223372036854775808", "1", "9223372036854775807"})},
		{0, "set:512", setv(TypeSetIntset, nums(1000, 512))},
		{0, "set:513", setv(TypeSet, nums(1000, 513))},
		{0, "set:mixed", setv(TypeSet, mixed)},
		{0, "set:strs", setv(TypeSet, strs("member:", 3000))},
		{0, "h:small", hv(TypeHashListpack, [][2]string{{"f1", "v1"}, {"f2", "2"}, {"3", "-4"}, {"e", ""}})},
		{0, "h:512", hv(TypeHashListpack, pairsOf("f", 512, 10))},
		{0, "h:513", hv(TypeHash, pairsOf("f", 513, 10))},
		{0, "h:longval", hv(TypeHash, append(pairsOf("f", 3, 1), [2]string{"long", strings.Repeat("x", 65)}))},
		{0, "h:64", hv(TypeHashListpack, [][2]string{{strings.Repeat("f", 64), strings.Repeat("x", 64)}})},
		{0, "z:small", zv(TypeZSetListpack, []zm{{"a", 1}, {"b", 1.5}, {"c", -2}, {"d", math.Inf(1)},
			{"e", math.Inf(-1)}, {"f", 0}, {"g", math.Copysign(0, -1)}, {"h", 1e300}, {"i", 0.1}, {"7", 7}})},
		{0, "z:unsorted", zv(TypeZSetListpack, []zm{{"z", 3}, {"a", 3}, {"m", -1}, {"b", 10}})},
		{0, "z:128", zv(TypeZSetListpack, zsetOf("m", 128))},
		{0, "z:129", zv(TypeZSet2, zsetOf("m", 129))},
		{0, "z:longmember", zv(TypeZSet2, []zm{{longMember, 1}, {"x", math.Inf(-1)}, {"y", 2.5}})},
		{1, "s:db1", sv("one")},
		{1, "h:db1", withExpire(hv(TypeHashListpack, [][2]string{{"a", "b"}}), farFuture+1)},
		{15, "s:db15", sv("fifteen")},
		{15, "z:db15", zv(TypeZSet2, zsetOf("q", 1000))},
	}
}

// writeDataset writes items (grouped by db, in order) with w.
func writeDataset(t testing.TB, w *Writer, items []item) {
	t.Helper()
	db := -1
	for _, it := range items {
		if it.db != db {
			db = it.db
			if err := w.SelectDB(db); err != nil {
				t.Fatal(err)
			}
			n, ne := 0, 0
			for _, x := range items {
				if x.db == db {
					n++
					if x.v.Expire != NoExpire {
						ne++
					}
				}
			}
			if err := w.ResizeDB(uint64(n), uint64(ne)); err != nil {
				t.Fatal(err)
			}
		}
		if it.v.Idle >= 0 {
			w.Idle(uint64(it.v.Idle))
		}
		if it.v.Freq >= 0 {
			w.Freq(uint8(it.v.Freq))
		}
		k, v := []byte(it.key), it.v
		var err error
		switch v.Kind {
		case KindString:
			err = w.WriteString(k, []byte(v.Str), v.Expire)
		case KindList:
			err = w.WriteList(k, v.Expire, seqStrings(v.Elems))
		case KindSet:
			err = w.WriteSet(k, v.Expire, len(v.Elems), seqStrings(v.Elems))
		case KindHash:
			err = w.WriteHash(k, v.Expire, len(v.Pairs), seqPairs(v.Pairs))
		case KindZSet:
			err = w.WriteZSet(k, v.Expire, len(v.Zset), seqZ(v.Zset))
		}
		if err != nil {
			t.Fatalf("writing %q: %v", it.key, err)
		}
	}
}

func expectDBs(items []item) map[int]map[string]value {
	out := map[int]map[string]value{}
	for _, it := range items {
		if out[it.db] == nil {
			out[it.db] = map[string]value{}
		}
		out[it.db][it.key] = it.v
	}
	return out
}

func TestWriterRoundTrip(t *testing.T) {
	items := writerDataset()
	// LRU/LFU metadata on a couple of keys.
	items = append(items, item{2, "s:idle", sv("i")}, item{2, "s:freq", sv("f")})
	items[len(items)-2].v.Idle = 12345
	items[len(items)-1].v.Freq = 200
	for _, tc := range []struct {
		name        string
		compression bool
		checksum    bool
	}{{"default", true, true}, {"nocompress", false, true}, {"nochecksum", true, false}} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf)
			w.Compression, w.Checksum = tc.compression, tc.checksum
			if err := w.StandardAux("7.0.15", 1700000000, 123456); err != nil {
				t.Fatal(err)
			}
			if err := w.Aux([]byte("custom"), []byte(strings.Repeat("z", 50))); err != nil {
				t.Fatal(err)
			}
			if err := w.Function([]byte("#!lua name=lib\nredis.register_function('f', function() return 1 end)")); err != nil {
				t.Fatal(err)
			}
			writeDataset(t, w, items)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if w.Written() != int64(buf.Len()) {
				t.Errorf("Written() = %d, file is %d bytes", w.Written(), buf.Len())
			}
			if err := w.WriteString([]byte("k"), []byte("v"), NoExpire); err == nil {
				t.Error("write after Close succeeded")
			}
			data := buf.Bytes()
			if !bytes.HasPrefix(data, []byte("REDIS0010")) {
				t.Fatalf("header %q", data[:9])
			}
			trailer := binary.LittleEndian.Uint64(data[len(data)-8:])
			if want := CRC64(0, data[:len(data)-8]); tc.checksum && trailer != want || !tc.checksum && trailer != 0 {
				t.Errorf("trailer %016x (crc %016x)", trailer, want)
			}
			d := mustParse(t, data)
			wantAux := map[string]string{"redis-ver": "7.0.15", "redis-bits": "64", "ctime": "1700000000",
				"used-mem": "123456", "aof-base": "0", "custom": strings.Repeat("z", 50)}
			for k, v := range wantAux {
				if d.Aux[k] != v {
					t.Errorf("aux %q = %q, want %q", k, d.Aux[k], v)
				}
			}
			if len(d.Funcs) != 1 || !strings.HasPrefix(d.Funcs[0], "#!lua name=lib") {
				t.Errorf("functions %q", d.Funcs)
			}
			if want := []int{0, 1, 15, 2}; len(d.Selects) != 4 || d.Selects[0] != 0 || d.Selects[3] != want[3] {
				t.Errorf("selects %v, want %v", d.Selects, want)
			}
			want := expectDBs(items)
			if len(d.DBs) != len(want) {
				t.Errorf("%d databases, want %d", len(d.DBs), len(want))
			}
			for db := range want {
				checkDB(t, d.DBs[db], want[db])
			}
		})
	}
}

func TestWriterStringEncodings(t *testing.T) {
	tests := []struct {
		in   string
		want []byte
	}{
		{"0", []byte{0xC0, 0}},
		{"-1", []byte{0xC0, 0xFF}},
		{"127", []byte{0xC0, 127}},
		{"128", []byte{0xC1, 128, 0}},
		{"-32768", []byte{0xC1, 0, 0x80}},
		{"32768", []byte{0xC2, 0, 0x80, 0, 0}},
		{"-2147483648", []byte{0xC2, 0, 0, 0, 0x80}},
		{"2147483648", append([]byte{10}, "2147483648"...)},
		{"007", append([]byte{3}, "007"...)},
		{"", []byte{0}},
		{"aaaaaaaaaaaaaaaaaaaa", append([]byte{20}, strings.Repeat("a", 20)...)},  // 20 bytes: never compressed
		{"abcdefghijklmnopqrstu", append([]byte{21}, "abcdefghijklmnopqrstu"...)}, // incompressible
		{strings.Repeat("x", 64), append([]byte{0x40, 64}, strings.Repeat("x", 64)...)},
	}
	for _, tt := range tests {
		w := NewWriter(nil)
		w.Compression = false
		if len(tt.in) > 20 && tt.in[0] == 'a' {
			w.Compression = true
		}
		w.buf = w.buf[:0]
		w.putString([]byte(tt.in))
		if !bytes.Equal(w.buf, tt.want) {
			t.Errorf("putString(%.20q) = % x, want % x", tt.in, w.buf, tt.want)
		}
	}
	// Compressible strings longer than 20 bytes use LZF.
	w := NewWriter(nil)
	w.buf = w.buf[:0]
	s := strings.Repeat("a", 21)
	w.putString([]byte(s))
	if w.buf[0] != 0xC3 || len(w.buf) >= 22 {
		t.Errorf("21 x 'a' encoded as % x", w.buf)
	}
	r := newReaderSize(bytes.NewReader(w.buf), 64)
	got, err := r.readString()
	if err != nil || string(got) != s {
		t.Errorf("read back %q, %v", got, err)
	}
}

func TestWriterLengthEncodings(t *testing.T) {
	tests := []struct {
		n    uint64
		want []byte
	}{
		{0, []byte{0}}, {63, []byte{63}}, {64, []byte{0x40, 64}}, {16383, []byte{0x7F, 0xFF}},
		{16384, []byte{0x80, 0, 0, 0x40, 0}}, {math.MaxUint32, []byte{0x80, 0xFF, 0xFF, 0xFF, 0xFF}},
		{math.MaxUint32 + 1, []byte{0x81, 0, 0, 0, 1, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		w := NewWriter(nil)
		w.buf = w.buf[:0]
		w.putLen(tt.n)
		if !bytes.Equal(w.buf, tt.want) {
			t.Errorf("putLen(%d) = % x, want % x", tt.n, w.buf, tt.want)
		}
		r := newReaderSize(bytes.NewReader(tt.want), 16)
		if got, enc, err := r.readLen(); got != tt.n || enc || err != nil {
			t.Errorf("readLen(% x) = %d, %v, %v", tt.want, got, enc, err)
		}
	}
}

// nodeCounter records the quicklist node count of each list key.
type nodeCounter struct {
	BaseVisitor
	nodes map[string]uint64
	sizes map[string][]int
}

func (n *nodeCounter) Key(e *Entry) error {
	if e.Type == TypeListQuicklist2 {
		n.nodes[string(e.Key)] = e.left
	}
	return nil
}

// fixed returns n distinct 8-byte strings (10 bytes each in a listpack).
func fixed(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("e%07d", i)
	}
	return out
}

func TestWriterListNodes(t *testing.T) {
	tests := []struct {
		name  string
		fill  int
		elems []string
		nodes uint64
	}{
		{"one node", -2, strs("e", 100), 1},
		// 8-byte strings take 10 bytes each: 818 fit in 8 KB nodes.
		{"8KB nodes", -2, fixed(2000), 3},
		{"4KB nodes", -1, fixed(2000), 5},
		{"count fill", 10, nums(0, 95), 10},
		{"big elements alone", -2, []string{"a", strings.Repeat("x", 9000), "b", "c"}, 3},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		w.Limits.ListMaxListpackSize = tt.fill
		if err := w.WriteList([]byte("l"), NoExpire, seqStrings(tt.elems)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		nc := &nodeCounter{nodes: map[string]uint64{}}
		if err := NewReader(&buf).Parse(nc); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := nc.nodes["l"]; got != tt.nodes {
			t.Errorf("%s: %d nodes, want %d", tt.name, got, tt.nodes)
		}
	}
}

func TestWriterErrors(t *testing.T) {
	tests := []struct {
		name   string
		write  func(w *Writer) error
		sticky bool
	}{
		{"set count short", func(w *Writer) error {
			return w.WriteSet([]byte("k"), NoExpire, 3, seqStrings([]string{"a", "b"}))
		}, true},
		{"intset count short", func(w *Writer) error {
			return w.WriteSet([]byte("k"), NoExpire, 3, seqStrings([]string{"1", "2"}))
		}, false},
		{"set count long", func(w *Writer) error {
			return w.WriteSet([]byte("k"), NoExpire, 1, seqStrings([]string{"a", "b"}))
		}, true},
		{"hash count", func(w *Writer) error {
			return w.WriteHash([]byte("k"), NoExpire, 2, seqPairs([][2]string{{"a", "b"}}))
		}, false},
		{"big hash count", func(w *Writer) error {
			return w.WriteHash([]byte("k"), NoExpire, 600, seqPairs(pairsOf("f", 10, 1)))
		}, true},
		{"zset nan", func(w *Writer) error {
			return w.WriteZSet([]byte("k"), NoExpire, 1, seqZ([]zm{{"a", math.NaN()}}))
		}, false},
		{"big zset nan", func(w *Writer) error {
			return w.WriteZSet([]byte("k"), NoExpire, 200, seqZ(append(zsetOf("m", 199), zm{"x", math.NaN()})))
		}, true},
		{"zset count", func(w *Writer) error {
			return w.WriteZSet([]byte("k"), NoExpire, 5, seqZ(zsetOf("m", 4)))
		}, false},
		{"list changed", func(w *Writer) error {
			calls := 0
			return w.WriteList([]byte("k"), NoExpire, func(yield func([]byte) bool) {
				calls++
				for range 10 * calls {
					if !yield([]byte("x")) {
						return
					}
				}
			})
		}, true},
		{"negative db", func(w *Writer) error { return w.SelectDB(-1) }, true},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		if err := tt.write(w); err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		err := w.WriteString([]byte("a"), []byte("b"), NoExpire)
		if tt.sticky != (err != nil) {
			t.Errorf("%s: later write error = %v, want sticky=%v", tt.name, err, tt.sticky)
		}
	}
	// Empty collections write nothing.
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.WriteList([]byte("l"), NoExpire, seqStrings(nil))
	w.WriteSet([]byte("s"), NoExpire, 0, seqStrings(nil))
	w.WriteHash([]byte("h"), NoExpire, 0, seqPairs(nil))
	w.WriteZSet([]byte("z"), NoExpire, 0, seqZ(nil))
	if err := w.Close(); err != nil || buf.Len() != 9+1+8 {
		t.Errorf("empty collections: %d bytes, %v", buf.Len(), err)
	}
	// I/O errors are returned and sticky.
	w = NewWriter(failWriter{})
	w.WriteString([]byte("k"), bytes.Repeat([]byte("v"), 1<<20), NoExpire)
	if err := w.Close(); !errors.Is(err, errFail) {
		t.Errorf("Close after failed write = %v", err)
	}
}

var errFail = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write(p []byte) (int, error) { return 0, errFail }
