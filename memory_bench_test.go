package kevy_test

import (
	"strconv"
	"testing"

	"github.com/kevydb/kevy"
)

// discardWriter is a ReplyWriter that drops everything: the session
// benchmarks measure the engine, not reply building.
type discardWriter struct{}

func (discardWriter) SimpleString(string)     {}
func (discardWriter) Error(string)            {}
func (discardWriter) Int(int64)               {}
func (discardWriter) Bulk([]byte)             {}
func (discardWriter) BulkString(string)       {}
func (discardWriter) Null()                   {}
func (discardWriter) NullArray()              {}
func (discardWriter) ArrayLen(int)            {}
func (discardWriter) MapLen(int)              {}
func (discardWriter) SetLen(int)              {}
func (discardWriter) Double(float64)          {}
func (discardWriter) Bool(bool)               {}
func (discardWriter) Verbatim(string, []byte) {}
func (discardWriter) Proto() int              { return 2 }

// hotPathOptions are the configurations the hot-path benchmarks run
// under: the default (no limit), and a limit large enough never to evict.
var hotPathOptions = []struct {
	name string
	opts kevy.Options
}{
	{"nolimit", kevy.Options{ManualExpiry: true}},
	{"limit-lru", kevy.Options{ManualExpiry: true, MaxMemory: 1 << 30, EvictionPolicy: kevy.AllKeysLRU}},
	{"limit-lfu", kevy.Options{ManualExpiry: true, MaxMemory: 1 << 30, EvictionPolicy: kevy.AllKeysLFU}},
}

func benchDB(b *testing.B, opts kevy.Options) *kevy.DB {
	b.Helper()
	db, err := kevy.Open("", &opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkSetExisting overwrites one key with a same-size value through
// the typed API: the path that must stay allocation-free.
func BenchmarkSetExisting(b *testing.B) {
	for _, o := range hotPathOptions {
		b.Run(o.name, func(b *testing.B) {
			db := benchDB(b, o.opts)
			v := make([]byte, 100)
			_ = db.Set("bench:key", v)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				_ = db.Set("bench:key", v)
			}
		})
	}
}

// BenchmarkGetAppend reads one key through the typed API without
// allocating (AppendGet into a reused buffer).
func BenchmarkGetAppend(b *testing.B) {
	for _, o := range hotPathOptions {
		b.Run(o.name, func(b *testing.B) {
			db := benchDB(b, o.opts)
			_ = db.Set("bench:key", make([]byte, 100))
			buf := make([]byte, 0, 128)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				buf, _ = db.AppendGet(buf[:0], "bench:key")
			}
		})
	}
}

// BenchmarkSessionSetGet runs SET and GET through the command engine (the
// path the RESP server takes), over 1024 keys.
func BenchmarkSessionSetGet(b *testing.B) {
	for _, o := range hotPathOptions {
		b.Run(o.name, func(b *testing.B) {
			db := benchDB(b, o.opts)
			s := db.NewSession()
			var w discardWriter
			keys := make([][]byte, 1024)
			for i := range keys {
				keys[i] = []byte("bench:" + strconv.Itoa(i))
				s.Exec([][]byte{[]byte("SET"), keys[i], make([]byte, 100)}, w)
			}
			set := [][]byte{[]byte("SET"), nil, make([]byte, 100)}
			get := [][]byte{[]byte("GET"), nil}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				k := keys[i&1023]
				if i&1 == 0 {
					set[1] = k
					s.Exec(set, w)
				} else {
					get[1] = k
					s.Exec(get, w)
				}
			}
		})
	}
}
