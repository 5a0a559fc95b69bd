package rdb

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestCRC64(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{"", 0},
		{"123456789", 0xe9c6d914c4b8d9ca},
	}
	for _, tt := range tests {
		if got := CRC64(0, []byte(tt.in)); got != tt.want {
			t.Errorf("CRC64(%q) = %016x, want %016x", tt.in, got, tt.want)
		}
	}
	// Incremental updates over any split equal the one-shot value.
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(i*7 + i>>3)
	}
	whole := CRC64(0, data)
	for _, cut := range []int{0, 1, 7, 8, 9, 63, 500, 999, 1000} {
		if got := CRC64(CRC64(0, data[:cut]), data[cut:]); got != whole {
			t.Errorf("split at %d: %016x, want %016x", cut, got, whole)
		}
	}
}

func TestLZFRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randBytes := func(n, alphabet int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + rng.IntN(alphabet))
		}
		return b
	}
	tests := []struct {
		name     string
		in       []byte
		compress bool // expect compression to save at least 4 bytes
	}{
		{"run", bytes.Repeat([]byte("a"), 1000), true},
		{"longrun", bytes.Repeat([]byte("z"), 100000), true},
		{"pattern", bytes.Repeat([]byte("hello world "), 50), true},
		{"lowentropy", randBytes(5000, 3), true},
		{"random", randBytes(300, 256), false},
		{"short", []byte("abcabcabcabcabcabcabcabc"), true},
		{"farref", append(append(randBytes(9000, 256), randBytes(10, 256)...), randBytes(9000, 256)...), false},
	}
	var z lzfCompressor
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := make([]byte, len(tt.in)-4)
			n := z.compress(out, tt.in)
			if tt.compress && n == 0 {
				t.Fatalf("did not compress")
			}
			if n == 0 {
				// Compress with unlimited room to still test the round trip.
				out = make([]byte, len(tt.in)*2)
				if n = z.compress(out, tt.in); n == 0 {
					t.Fatal("no output with ample room")
				}
			}
			dec := make([]byte, len(tt.in))
			if !lzfDecompress(dec, out[:n]) {
				t.Fatal("decompress failed")
			}
			if !bytes.Equal(dec, tt.in) {
				t.Fatal("round trip mismatch")
			}
			if len(dec) > 0 && lzfDecompress(dec[:len(dec)-1], out[:n]) {
				t.Fatal("decompress into a short buffer succeeded")
			}
		})
	}
}

func TestLZFDecompressRejects(t *testing.T) {
	tests := []struct {
		name string
		src  []byte
		n    int
	}{
		{"literal past input", []byte{5, 'a', 'b'}, 6},
		{"ref before start", []byte{0, 'a', 0x20, 5}, 4},
		{"missing offset byte", []byte{0, 'a', 0x20}, 4},
		{"missing length byte", []byte{0, 'a', 0xE0}, 20},
		{"output too long", []byte{2, 'a', 'b', 'c'}, 2},
		{"output too short", []byte{2, 'a', 'b', 'c'}, 4},
	}
	for _, tt := range tests {
		if lzfDecompress(make([]byte, tt.n), tt.src) {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	// A valid overlapping reference: "a" then copy 9 bytes from 1 back.
	dec := make([]byte, 10)
	if !lzfDecompress(dec, []byte{0, 'a', 7 << 5, 0, 0}) || string(dec) != "aaaaaaaaaa" {
		t.Errorf("overlapping ref: %q", dec)
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in string
		v  int64
		ok bool
	}{
		{"0", 0, true}, {"-1", -1, true}, {"12", 12, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false}, {"99999999999999999999", 0, false},
		{"", 0, false}, {"-", 0, false}, {"-0", 0, false}, {"007", 0, false},
		{"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false}, {"1a", 0, false},
		{"1.0", 0, false}, {"00", 0, false},
	}
	for _, tt := range tests {
		v, ok := parseInt([]byte(tt.in))
		if ok != tt.ok || v != tt.v {
			t.Errorf("parseInt(%q) = %d, %v; want %d, %v", tt.in, v, ok, tt.v, tt.ok)
		}
	}
}

// lpEntries decodes a whole listpack with the reader's iterator.
func lpEntries(t *testing.T, lp []byte) []string {
	t.Helper()
	e := &Entry{Type: TypeSetListpack, Kind: KindSet}
	e.startListpack(lp)
	var out []string
	for {
		s, ok := e.Next()
		if !ok {
			break
		}
		out = append(out, string(s))
	}
	if e.err != nil {
		t.Fatalf("listpack decode: %v", e.err)
	}
	return out
}

func TestListpackBuilder(t *testing.T) {
	var vals []string
	for _, v := range []int64{0, 1, 127, 128, -1, -4096, 4095, 4096, -4097, 32767, -32768, 32768,
		8388607, -8388608, 8388608, math.MaxInt32, math.MinInt32, math.MaxInt32 + 1,
		math.MaxInt64, math.MinInt64} {
		vals = append(vals, strconv.FormatInt(v, 10))
	}
	for _, n := range []int{0, 1, 63, 64, 127, 128, 4095, 4096, 20000} {
		vals = append(vals, string(bytes.Repeat([]byte{'x'}, n)))
	}
	vals = append(vals, "007", "-0", "1.5", "\x00\xff")
	var b ListpackBuilder
	for _, v := range vals {
		b.Append([]byte(v))
	}
	if b.Len() != len(vals) {
		t.Fatalf("Len = %d", b.Len())
	}
	lp := b.Bytes()
	if len(lp) != b.Size() {
		t.Fatalf("Size %d, len %d", b.Size(), len(lp))
	}
	got := lpEntries(t, lp)
	if len(got) != len(vals) {
		t.Fatalf("decoded %d entries, want %d", len(got), len(vals))
	}
	for i := range vals {
		if got[i] != vals[i] {
			t.Errorf("entry %d = %.20q, want %.20q", i, got[i], vals[i])
		}
	}
	// Entry sizes predicted by lpEntrySize add up to the listpack size.
	sum := lpHeaderSize + 1
	for _, v := range vals {
		sum += lpEntrySize([]byte(v))
	}
	if sum != len(lp) {
		t.Errorf("predicted size %d, actual %d", sum, len(lp))
	}
	// Known encodings.
	b.Reset()
	b.AppendInt(5)
	b.AppendInt(-2)
	b.Append([]byte("ab"))
	want := []byte{16, 0, 0, 0, 3, 0, 5, 1, 0xDF, 0xFE, 2, 0x82, 'a', 'b', 3, 0xFF}
	if got := b.Bytes(); !bytes.Equal(got, want) {
		t.Errorf("bytes = % x, want % x", got, want)
	}
}

func TestListpackFloat(t *testing.T) {
	scores := []float64{0, 1, -1, 1.5, -2.25, 1e300, -1e-300, math.Inf(1), math.Inf(-1),
		math.Copysign(0, -1), 1 << 53, 1<<53 + 2, 0.1, 123456789.123}
	var b ListpackBuilder
	for _, f := range scores {
		b.AppendFloat(f)
	}
	got := lpEntries(t, b.Bytes())
	if got[9] != "0" {
		t.Errorf("-0 encoded as %q, want 0 as Redis 7.0 does", got[9])
	}
	for i, f := range scores {
		p, ok := parseScore([]byte(got[i]))
		if !ok || p != f || math.Signbit(p) != math.Signbit(f) && f != 0 {
			t.Errorf("score %v encoded as %q parses to %v", f, got[i], p)
		}
	}
}
