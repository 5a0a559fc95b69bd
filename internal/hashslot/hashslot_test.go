package hashslot

import (
	"math/rand/v2"
	"testing"
)

// bitwiseCRC16 is a straightforward bit-at-a-time CRC16/XMODEM used as an
// independent reference for the table-driven implementation.
func bitwiseCRC16(data []byte) uint16 {
	var crc uint16
	for _, b := range data {
		crc ^= uint16(b) << 8
		for i := 0; i < 8; i++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// refSlot computes the slot with the hash-tag rule spelled out naively.
func refSlot(key []byte) uint16 {
	part := key
	for i := 0; i < len(key); i++ {
		if key[i] != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j > i+1 {
					part = key[i+1 : j]
				}
				break
			}
		}
		break
	}
	return bitwiseCRC16(part) % 16384
}

// Expected values cross-checked with Python's binascii.crc_hqx(data, 0).
func TestCRC16(t *testing.T) {
	tests := []struct {
		in   string
		want uint16
	}{
		{"", 0},
		{"123456789", 0x31C3},
		{"A", 0x58E5},
		{"foo", 0xAF96},
		{"12345678", 0x9015},
	}
	for _, tt := range tests {
		if got := CRC16(tt.in); got != tt.want {
			t.Errorf("CRC16(%q) = %#04x, want %#04x", tt.in, got, tt.want)
		}
		if got := bitwiseCRC16([]byte(tt.in)); got != tt.want {
			t.Errorf("bitwiseCRC16(%q) = %#04x, want %#04x", tt.in, got, tt.want)
		}
	}
}

// TestCRC16AllLengths checks every length 0..100 (covering the 8-byte block
// path and every tail length) against the bitwise reference.
func TestCRC16AllLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 100)
	for n := 0; n <= len(buf); n++ {
		for iter := 0; iter < 50; iter++ {
			for i := range buf[:n] {
				buf[i] = byte(r.Uint32())
			}
			if got, want := CRC16(string(buf[:n])), bitwiseCRC16(buf[:n]); got != want {
				t.Fatalf("CRC16(%x) = %#04x, want %#04x", buf[:n], got, want)
			}
		}
	}
}

func TestSlot(t *testing.T) {
	// Expected values were obtained from CLUSTER KEYSLOT on redis-server 7.0.
	tests := []struct {
		key  string
		want uint16
	}{
		{"", 0},
		{"foo", 12182},
		{"bar", 5061},
		{"hello", 866},
		{"123456789", 12739},
		{"{user1000}.following", 3443},
		{"{user1000}.followers", 3443},
		{"user1000", 3443},
		{"foo{}{bar}", 8363},       // empty first tag: whole key
		{"foo{{bar}}zap", 4015},    // tag is "{bar"
		{"{bar", 4015},             // same as above
		{"foo{bar}{zap}", 5061},    // tag is "bar"
		{"{}", 15257},              // empty tag: whole key
		{"{", 4092},                // no closing brace
		{"}", 12090},               // no opening brace
		{"}{a}", 15495},            // '}' before '{' is ignored; tag "a"
		{"a", 15495},               // same slot as above
		{"{a}{b}", 15495},          // first tag wins
		{"x{y", 2740},              // unterminated tag: whole key
		{"{{}}", 4092},             // tag is "{"
		{"a{b}c", 3300},            // tag "b"
		{"b", 3300},                // same slot as above
		{"key:\xff\x00\x80", 2943}, // arbitrary bytes
		{"abcdefghijklmnopqrstuvwxyz0123456789", 3038},
	}
	for _, tt := range tests {
		if got := Slot(tt.key); got != tt.want {
			t.Errorf("Slot(%q) = %d, want %d", tt.key, got, tt.want)
		}
		if got := SlotBytes([]byte(tt.key)); got != tt.want {
			t.Errorf("SlotBytes(%q) = %d, want %d", tt.key, got, tt.want)
		}
		if got := refSlot([]byte(tt.key)); got != tt.want {
			t.Errorf("refSlot(%q) = %d, want %d (bad test vector?)", tt.key, got, tt.want)
		}
	}
}

func TestSlotHashTagEquivalence(t *testing.T) {
	tests := []struct {
		a, b string // keys that must hash to the same slot
	}{
		{"{user1000}.following", "{user1000}.followers"},
		{"foo{}{bar}", "foo{}{bar}"},
		{"foo{{bar}}zap", "{bar"},
		{"foo{bar}{zap}", "bar"},
		{"x{tag}y", "tag"},
		{"{tag}", "tag"},
		{"pre{a}", "post{a}post"},
	}
	for _, tt := range tests {
		if Slot(tt.a) != Slot(tt.b) {
			t.Errorf("Slot(%q)=%d != Slot(%q)=%d", tt.a, Slot(tt.a), tt.b, Slot(tt.b))
		}
	}
	// "foo{}{bar}" hashes the whole key, not "bar".
	if Slot("foo{}{bar}") != CRC16("foo{}{bar}")%16384 || Slot("foo{}{bar}") == Slot("bar") {
		t.Errorf("Slot(%q) should hash the whole key", "foo{}{bar}")
	}
}

func TestSlotRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = "ab{}{}xyz:\x00\xff"
	for iter := 0; iter < 20000; iter++ {
		n := r.IntN(48)
		key := make([]byte, n)
		for i := range key {
			if r.IntN(4) == 0 {
				key[i] = byte(r.Uint32())
			} else {
				key[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		want := refSlot(key)
		if got := SlotBytes(key); got != want {
			t.Fatalf("SlotBytes(%q) = %d, want %d", key, got, want)
		}
		if got := Slot(string(key)); got != want {
			t.Fatalf("Slot(%q) = %d, want %d", key, got, want)
		}
		if want >= SlotCount {
			t.Fatalf("slot %d out of range", want)
		}
	}
}

func TestSlotNoAllocs(t *testing.T) {
	key := []byte("{user1000}.following")
	allocs := testing.AllocsPerRun(100, func() {
		_ = Slot("some:long:key:name:12345")
		_ = SlotBytes(key)
	})
	if allocs != 0 {
		t.Fatalf("allocs = %v, want 0", allocs)
	}
}

var sink uint16

func BenchmarkSlot(b *testing.B) {
	benches := []struct {
		name, key string
	}{
		{"4B", "key1"},
		{"12B", "user:100042x"},
		{"24B", "session:abcdef0123456789"},
		{"40B", "object:cache:users:profile:00000000042"},
		{"tag", "{user1000}.followers:recent"},
		{"256B", string(make([]byte, 256))},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bb.key)))
			var s uint16
			for i := 0; i < b.N; i++ {
				s += Slot(bb.key)
			}
			sink = s
		})
	}
}

func BenchmarkSlotBytes(b *testing.B) {
	key := []byte("object:cache:users:profile:00000000042")
	b.ReportAllocs()
	b.SetBytes(int64(len(key)))
	var s uint16
	for i := 0; i < b.N; i++ {
		s += SlotBytes(key)
	}
	sink = s
}
