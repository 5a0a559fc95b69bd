package rdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"
)

// zm is a sorted-set member and its score.
type zm struct {
	M string
	S float64
}

// value is a decoded (or expected) value in a comparable form.
type value struct {
	Kind   Kind
	Type   Type // 0xFF: don't check
	Expire int64
	Idle   int64
	Freq   int
	Str    string
	Elems  []string    // list (in order) or set (sorted before comparing)
	Pairs  [][2]string // hash (sorted before comparing)
	Zset   []zm        // zset (sorted by member before comparing)
}

// canon sorts the unordered parts so that values compare with ==.
func (v value) canon() value {
	if v.Kind == KindSet {
		v.Elems = slices.Clone(v.Elems)
		slices.Sort(v.Elems)
	}
	v.Pairs = slices.Clone(v.Pairs)
	slices.SortFunc(v.Pairs, func(a, b [2]string) int { return cmpStr(a[0], b[0]) })
	v.Zset = slices.Clone(v.Zset)
	slices.SortFunc(v.Zset, func(a, b zm) int { return cmpStr(a.M, b.M) })
	return v
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (v value) String() string {
	s := fmt.Sprintf("%s/%s exp=%d idle=%d freq=%d", v.Kind, v.Type, v.Expire, v.Idle, v.Freq)
	short := func(x string) string {
		if len(x) > 40 {
			return fmt.Sprintf("%q...(%d bytes)", x[:40], len(x))
		}
		return strconv.Quote(x)
	}
	switch v.Kind {
	case KindString:
		s += " " + short(v.Str)
	case KindList, KindSet:
		s += fmt.Sprintf(" %d elems", len(v.Elems))
		for i, e := range v.Elems {
			if i == 5 {
				s += " ..."
				break
			}
			s += " " + short(e)
		}
	case KindHash:
		s += fmt.Sprintf(" %d pairs", len(v.Pairs))
	case KindZSet:
		s += fmt.Sprintf(" %d members", len(v.Zset))
	}
	return s
}

// equalValue compares two values, ignoring Type when want.Type is 0xFF and
// Idle/Freq when want's are -2.
func equalValue(got, want value) bool {
	got, want = got.canon(), want.canon()
	if want.Type == 0xFF {
		got.Type = 0xFF
	}
	if want.Idle == -2 {
		got.Idle = -2
	}
	if want.Freq == -2 {
		got.Freq = -2
	}
	if got.Kind != want.Kind || got.Type != want.Type || got.Expire != want.Expire ||
		got.Idle != want.Idle || got.Freq != want.Freq || got.Str != want.Str ||
		!slices.Equal(got.Elems, want.Elems) || !slices.Equal(got.Pairs, want.Pairs) ||
		len(got.Zset) != len(want.Zset) {
		return false
	}
	for i := range got.Zset {
		a, b := got.Zset[i], want.Zset[i]
		// Redis 7.0 itself turns -0 into 0 in listpacks: zero's sign is not compared.
		if a.M != b.M || !(a.S == b.S || math.IsNaN(a.S) && math.IsNaN(b.S)) {
			return false
		}
	}
	return true
}

// dump is the full decoded content of a file.
type dump struct {
	Aux     map[string]string
	Funcs   []string
	Selects []int
	Resize  [][2]uint64
	DBs     map[int]map[string]value
}

// recorder is a Visitor that records everything into a dump.
type recorder struct {
	d dump
}

func newRecorder() *recorder {
	return &recorder{d: dump{Aux: map[string]string{}, DBs: map[int]map[string]value{}}}
}

func (r *recorder) Aux(k, v []byte) error { r.d.Aux[string(k)] = string(v); return nil }
func (r *recorder) SelectDB(db int) error { r.d.Selects = append(r.d.Selects, db); return nil }
func (r *recorder) ResizeDB(a, b uint64) error {
	r.d.Resize = append(r.d.Resize, [2]uint64{a, b})
	return nil
}
func (r *recorder) Function(code []byte) error {
	r.d.Funcs = append(r.d.Funcs, string(code))
	return nil
}

func (r *recorder) Key(e *Entry) error {
	v, err := readValue(e)
	if err != nil {
		return err
	}
	db := r.d.DBs[e.DB]
	if db == nil {
		db = map[string]value{}
		r.d.DBs[e.DB] = db
	}
	if _, dup := db[string(e.Key)]; dup {
		return fmt.Errorf("duplicate key %q", e.Key)
	}
	db[string(e.Key)] = v
	return nil
}

// readValue consumes an entry into a value, checking Len where it is known.
func readValue(e *Entry) (value, error) {
	v := value{Kind: e.Kind, Type: e.Type, Expire: e.ExpireMs, Idle: e.Idle, Freq: e.Freq}
	n := 0
	switch e.Kind {
	case KindString:
		v.Str = string(e.Value)
		return v, nil
	case KindList, KindSet:
		for s, ok := e.Next(); ok; s, ok = e.Next() {
			v.Elems = append(v.Elems, string(s))
		}
		n = len(v.Elems)
	case KindHash:
		for f, x, ok := e.NextPair(); ok; f, x, ok = e.NextPair() {
			v.Pairs = append(v.Pairs, [2]string{string(f), string(x)})
		}
		n = len(v.Pairs)
	case KindZSet:
		for m, s, ok := e.NextMember(); ok; m, s, ok = e.NextMember() {
			v.Zset = append(v.Zset, zm{string(m), s})
		}
		n = len(v.Zset)
	}
	if e.Err() != nil {
		return v, e.Err()
	}
	if l := e.Len(); l >= 0 && l != n {
		return v, fmt.Errorf("key %q: Len() = %d, iterated %d", e.Key, l, n)
	}
	return v, nil
}

// parseAll parses data with a reader of the given buffer size.
func parseAll(data []byte, bufSize int, maxVersion int) (dump, error) {
	rec := newRecorder()
	r := newReaderSize(bytes.NewReader(data), bufSize)
	r.MaxVersion = maxVersion
	err := r.Parse(rec)
	return rec.d, err
}

// mustParse parses data with several buffer sizes and checks they agree.
func mustParse(t *testing.T, data []byte) dump {
	t.Helper()
	var first dump
	for i, size := range []int{defaultReadBuf, 16, 37, 1000, 9000} {
		d, err := parseAll(data, size, 0)
		if err != nil {
			t.Fatalf("parse (buffer %d): %v", size, err)
		}
		if i == 0 {
			first = d
			continue
		}
		if !sameDump(first, d) {
			t.Fatalf("buffer %d decodes differently from the default buffer", size)
		}
	}
	return first
}

func sameDump(a, b dump) bool {
	if len(a.DBs) != len(b.DBs) || fmt.Sprint(a.Aux) != fmt.Sprint(b.Aux) ||
		!slices.Equal(a.Funcs, b.Funcs) || !slices.Equal(a.Selects, b.Selects) {
		return false
	}
	for db, keys := range a.DBs {
		if len(keys) != len(b.DBs[db]) {
			return false
		}
		for k, v := range keys {
			if w, ok := b.DBs[db][k]; !ok || !equalValue(v, w) {
				return false
			}
		}
	}
	return true
}

// checkDB compares a decoded database with the expected keys.
func checkDB(t *testing.T, got map[string]value, want map[string]value) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("key %q missing", k)
			continue
		}
		if !equalValue(g, w) {
			t.Errorf("key %q:\n got  %v\n want %v", k, g, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected key %q", k)
		}
	}
}

// ---- hand encoders for legacy formats (test only) ----

// rawFile builds an RDB file of the given version with body emitting
// records through the Writer's low-level helpers, and fixes up the CRC.
func rawFile(version int, body func(w *Writer)) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	body(w)
	if err := w.Close(); err != nil {
		panic(err)
	}
	data := buf.Bytes()
	copy(data[5:9], fmt.Sprintf("%04d", version))
	if version >= 5 {
		binary.LittleEndian.PutUint64(data[len(data)-8:], CRC64(0, data[:len(data)-8]))
	} else {
		data = data[:len(data)-8]
	}
	return data
}

// zlOpts tweaks the ziplist encoder.
type zlOpts struct {
	bigPrevlen  bool // always use the 5-byte prevlen form
	noInts      bool // store integers as strings
	unknownSize bool // write 65535 as the entry count
}

// ziplist encodes items as a Redis ziplist.
func ziplist(items []string, o zlOpts) []byte {
	b := make([]byte, zlHeaderSize)
	prev, tail := 0, zlHeaderSize
	for _, it := range items {
		start := len(b)
		tail = start
		if prev < 254 && !o.bigPrevlen {
			b = append(b, byte(prev))
		} else {
			b = append(b, 254)
			b = binary.LittleEndian.AppendUint32(b, uint32(prev))
		}
		v, isInt := parseInt([]byte(it))
		switch {
		case isInt && !o.noInts && v >= 0 && v <= 12:
			b = append(b, 0xF1+byte(v))
		case isInt && !o.noInts && v >= math.MinInt8 && v <= math.MaxInt8:
			b = append(b, 0xFE, byte(v))
		case isInt && !o.noInts && v >= math.MinInt16 && v <= math.MaxInt16:
			b = append(b, 0xC0)
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case isInt && !o.noInts && v >= -1<<23 && v < 1<<23:
			b = append(b, 0xF0, byte(v), byte(v>>8), byte(v>>16))
		case isInt && !o.noInts && v >= math.MinInt32 && v <= math.MaxInt32:
			b = append(b, 0xD0)
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		case isInt && !o.noInts:
			b = append(b, 0xE0)
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		case len(it) < 64:
			b = append(b, byte(len(it)))
			b = append(b, it...)
		case len(it) < 16384:
			b = append(b, 0x40|byte(len(it)>>8), byte(len(it)))
			b = append(b, it...)
		default:
			b = append(b, 0x80)
			b = binary.BigEndian.AppendUint32(b, uint32(len(it)))
			b = append(b, it...)
		}
		prev = len(b) - start
	}
	b = append(b, 0xFF)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	binary.LittleEndian.PutUint32(b[4:], uint32(tail))
	n := min(len(items), 65535)
	if o.unknownSize {
		n = 65535
	}
	binary.LittleEndian.PutUint16(b[8:], uint16(n))
	return b
}

// zipmap encodes field/value pairs as a Redis zipmap (with 2 free bytes
// after each value, as left by an in-place update).
func zipmap(pairs [][2]string) []byte {
	b := []byte{byte(min(len(pairs), 254))}
	zlen := func(n int) {
		if n < 254 {
			b = append(b, byte(n))
		} else {
			b = append(b, 254)
			b = binary.LittleEndian.AppendUint32(b, uint32(n))
		}
	}
	for _, p := range pairs {
		zlen(len(p[0]))
		b = append(b, p[0]...)
		zlen(len(p[1]))
		b = append(b, 2)
		b = append(b, p[1]...)
		b = append(b, '?', '?')
	}
	return append(b, 0xFF)
}

// intsetBlob encodes sorted values with the given width.
func intsetBlob(width int, vals ...int64) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(width))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(vals)))
	for _, v := range vals {
		switch width {
		case 2:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case 4:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		default:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	}
	return b
}

// rawKey writes a key header with a raw type byte.
func rawKey(w *Writer, t Type, key string) {
	w.buf = append(w.buf, byte(t))
	w.putString([]byte(key))
}

// rawString writes a string without integer encoding or compression.
func rawString(w *Writer, s []byte) {
	w.putLen(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

// asciiScore writes a pre-RDB-8 text score.
func asciiScore(w *Writer, f float64) {
	switch {
	case math.IsNaN(f):
		w.buf = append(w.buf, 253)
	case math.IsInf(f, 1):
		w.buf = append(w.buf, 254)
	case math.IsInf(f, -1):
		w.buf = append(w.buf, 255)
	default:
		s := strconv.FormatFloat(f, 'g', 17, 64)
		w.buf = append(w.buf, byte(len(s)))
		w.buf = append(w.buf, s...)
	}
}

func seqStrings(s []string) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for _, x := range s {
			if !yield([]byte(x)) {
				return
			}
		}
	}
}

func seqPairs(p [][2]string) func(func([]byte, []byte) bool) {
	return func(yield func([]byte, []byte) bool) {
		for _, x := range p {
			if !yield([]byte(x[0]), []byte(x[1])) {
				return
			}
		}
	}
}

func seqZ(z []zm) func(func([]byte, float64) bool) {
	return func(yield func([]byte, float64) bool) {
		for _, x := range z {
			if !yield([]byte(x.M), x.S) {
				return
			}
		}
	}
}

func nums(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(from + i)
	}
	return out
}

func strs(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

func pairsOf(prefix string, n, vlen int) [][2]string {
	out := make([][2]string, n)
	for i := range out {
		v := strconv.Itoa(i * 7)
		if vlen > len(v) {
			v += string(bytes.Repeat([]byte{'v'}, vlen-len(v)))
		}
		out[i] = [2]string{prefix + strconv.Itoa(i), v}
	}
	return out
}

func zsetOf(prefix string, n int) []zm {
	out := make([]zm, n)
	for i := range out {
		s := float64(i) * 1.5
		if i%3 == 0 {
			s = float64(-i)
		}
		out[i] = zm{prefix + strconv.Itoa(i), s}
	}
	return out
}
