package rdb

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

const benchKeys = 1_000_000

// benchData returns benchKeys small keys and values ("key:00000042",
// "val-42-xxxx...", 12 and ~16 bytes), a few with integer values.
func benchData() (keys, vals [][]byte) {
	keys = make([][]byte, benchKeys)
	vals = make([][]byte, benchKeys)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "key:%08d", i)
		if i%10 == 0 {
			vals[i] = fmt.Appendf(nil, "%d", i)
		} else {
			vals[i] = fmt.Appendf(nil, "val-%d-abcdefgh", i)
		}
	}
	return keys, vals
}

func writeBenchFile(b *testing.B, w io.Writer, keys, vals [][]byte) int64 {
	wr := NewWriter(w)
	wr.StandardAux("7.0.15", 0, 0)
	wr.SelectDB(0)
	wr.ResizeDB(benchKeys, 0)
	for i := range keys {
		exp := NoExpire
		if i%4 == 0 {
			exp = farFuture
		}
		if err := wr.WriteString(keys[i], vals[i], exp); err != nil {
			b.Fatal(err)
		}
	}
	if err := wr.Close(); err != nil {
		b.Fatal(err)
	}
	return wr.Written()
}

// BenchmarkWriteStrings writes 1M small string keys (a quarter with TTLs)
// to io.Discard.
func BenchmarkWriteStrings(b *testing.B) {
	keys, vals := benchData()
	size := writeBenchFile(b, io.Discard, keys, vals)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		writeBenchFile(b, io.Discard, keys, vals)
	}
	b.ReportMetric(float64(benchKeys)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}

type sumVisitor struct {
	BaseVisitor
	keys, bytes int
}

func (s *sumVisitor) Key(e *Entry) error {
	s.keys++
	s.bytes += len(e.Key) + len(e.Value)
	return nil
}

// BenchmarkReadStrings parses a file of 1M small string keys from memory,
// looking at every key and value.
func BenchmarkReadStrings(b *testing.B) {
	keys, vals := benchData()
	var buf bytes.Buffer
	writeBenchFile(b, &buf, keys, vals)
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		v := &sumVisitor{}
		if err := NewReader(bytes.NewReader(data)).Parse(v); err != nil {
			b.Fatal(err)
		}
		if v.keys != benchKeys {
			b.Fatalf("%d keys", v.keys)
		}
	}
	b.ReportMetric(float64(benchKeys)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}

// collVisitor iterates every element of every collection.
type collVisitor struct {
	BaseVisitor
	n int
}

func (c *collVisitor) Key(e *Entry) error {
	switch e.Kind {
	case KindList, KindSet:
		for _, ok := e.Next(); ok; _, ok = e.Next() {
			c.n++
		}
	case KindHash:
		for _, _, ok := e.NextPair(); ok; _, _, ok = e.NextPair() {
			c.n++
		}
	case KindZSet:
		for _, _, ok := e.NextMember(); ok; _, _, ok = e.NextMember() {
			c.n++
		}
	}
	return e.Err()
}

// BenchmarkCollections writes and reads one 1M-element list, hash and
// sorted set plus 50k small hashes and 50k small sorted sets (10 entries,
// listpack-encoded, the zsets given in reverse order).
func BenchmarkCollections(b *testing.B) {
	elems := make([][]byte, benchKeys)
	for i := range elems {
		elems[i] = fmt.Appendf(nil, "element-%d", i)
	}
	list := func(yield func([]byte) bool) {
		for _, e := range elems {
			if !yield(e) {
				return
			}
		}
	}
	pairs := func(yield func([]byte, []byte) bool) {
		for i, e := range elems {
			if !yield(e, elems[len(elems)-1-i]) {
				return
			}
		}
	}
	zset := func(yield func([]byte, float64) bool) {
		for i, e := range elems {
			if !yield(e, float64(i)*0.5) {
				return
			}
		}
	}
	var small [][2][]byte
	for _, p := range pairsOf("field", 10, 8) {
		small = append(small, [2][]byte{[]byte(p[0]), []byte(p[1])})
	}
	smallSeq := func(yield func([]byte, []byte) bool) {
		for _, p := range small {
			if !yield(p[0], p[1]) {
				return
			}
		}
	}
	smallZ := func(yield func([]byte, float64) bool) {
		for i, p := range small {
			if !yield(p[0], float64(len(small)-i)) {
				return
			}
		}
	}
	hkeys := make([][]byte, 100_000)
	for i := range hkeys {
		hkeys[i] = fmt.Appendf(nil, "h:%d", i)
	}
	write := func(w io.Writer) int64 {
		wr := NewWriter(w)
		wr.WriteList([]byte("list"), NoExpire, list)
		wr.WriteHash([]byte("hash"), NoExpire, len(elems), pairs)
		wr.WriteZSet([]byte("zset"), NoExpire, len(elems), zset)
		for i, k := range hkeys {
			if i%2 == 0 {
				wr.WriteHash(k, NoExpire, len(small), smallSeq)
			} else {
				wr.WriteZSet(k, NoExpire, len(small), smallZ)
			}
		}
		if err := wr.Close(); err != nil {
			b.Fatal(err)
		}
		return wr.Written()
	}
	var buf bytes.Buffer
	write(&buf)
	data := buf.Bytes()
	b.Run("write", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			write(io.Discard)
		}
	})
	b.Run("read", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			v := &collVisitor{}
			if err := NewReader(bytes.NewReader(data)).Parse(v); err != nil {
				b.Fatal(err)
			}
			if v.n != 3*benchKeys+1_000_000 {
				b.Fatalf("%d elements", v.n)
			}
		}
	})
}
