package command

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// lookupMap is the reference Lookup: through the map, with a lower-case
// copy of the name.
func lookupMap(name []byte) *Command {
	var buf [32]byte
	if len(name) > len(buf) {
		return table[strings.ToLower(string(name))]
	}
	for i, ch := range name {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf[i] = ch
	}
	return table[string(buf[:len(name)])]
}

// TestLookupIndex checks that the hash index finds every command under
// any case, and nothing else, as the map does.
func TestLookupIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range All() {
		for _, name := range []string{c.Name, strings.ToUpper(c.Name), mixCase(rng, c.Name)} {
			if got := Lookup([]byte(name)); got != c {
				t.Errorf("Lookup(%q) = %v, want %s", name, got, c.Name)
			}
		}
		for _, near := range []string{c.Name + "x", c.Name[:len(c.Name)-1], "x" + c.Name, strings.Replace(c.Name, c.Name[:1], "_", 1)} {
			if got, want := Lookup([]byte(near)), lookupMap([]byte(near)); got != want {
				t.Errorf("Lookup(%q) = %v, map says %v", near, got, want)
			}
		}
	}
	for _, name := range []string{"", "x", "nosuchcommand", strings.Repeat("g", 40), "GET\x00", "\xffget"} {
		if got, want := Lookup([]byte(name)), lookupMap([]byte(name)); got != want {
			t.Errorf("Lookup(%q) = %v, map says %v", name, got, want)
		}
	}
}

func mixCase(rng *rand.Rand, s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' && rng.IntN(2) == 0 {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}

// BenchmarkLookup measures the command lookup of every pipelined command.
func BenchmarkLookup(b *testing.B) {
	names := [][]byte{[]byte("GET"), []byte("set"), []byte("ZADD"), []byte("hset"), []byte("BRPOPLPUSH")}
	b.Run("index", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if Lookup(names[i%len(names)]) == nil {
				b.Fatal("not found")
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if lookupMap(names[i%len(names)]) == nil {
				b.Fatal("not found")
			}
		}
	})
}
