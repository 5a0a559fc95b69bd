package resp

import (
	"io"
	"testing"
)

// pipeline returns n SET/GET pairs, encoded as multibulk or inline.
func pipeline(n int, inline bool) []byte {
	var b []byte
	for range n {
		if inline {
			b = append(b, "SET key:000001 value-value-value\r\nGET key:000001\r\n"...)
		} else {
			b = AppendCommandString(b, "SET", "key:000001", "value-value-value")
			b = AppendCommandString(b, "GET", "key:000001")
		}
	}
	return b
}

func benchRead(b *testing.B, data []byte) {
	r := NewReader(&cycleReader{data: data}, 0)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)) / 200)
	for b.Loop() {
		if _, err := r.ReadCommand(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadCommandPipeline(b *testing.B) { benchRead(b, pipeline(100, false)) }

func BenchmarkReadCommandInline(b *testing.B) { benchRead(b, pipeline(100, true)) }

func BenchmarkWriter(b *testing.B) {
	w := NewWriter(io.Discard, 0)
	val := []byte("value-value-value")
	b.ReportAllocs()
	for b.Loop() {
		writeMix(w, val)
		if w.Buffered() > 8192 {
			_ = w.Flush()
		}
	}
}

func BenchmarkWriterRESP3(b *testing.B) {
	w := NewWriter(io.Discard, 0)
	w.SetProto(3)
	val := []byte("value-value-value")
	b.ReportAllocs()
	for b.Loop() {
		writeMix(w, val)
		if w.Buffered() > 8192 {
			_ = w.Flush()
		}
	}
}

func BenchmarkAppendCommand(b *testing.B) {
	key, val := []byte("key:000001"), []byte("value-value-value")
	set := []byte("SET")
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendCommand(buf[:0], set, key, val)
	}
}

func BenchmarkReadValue(b *testing.B) {
	var data []byte
	for range 100 {
		data = append(data, "*3\r\n$3\r\nfoo\r\n:42\r\n+OK\r\n"...)
	}
	r := NewReader(&cycleReader{data: data}, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.ReadValue(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadCommandRelease measures one command and its reply per
// read with the buffers given back to the pools and taken again around
// every read, as the server does when a client waits for each reply;
// compare with BenchmarkReadCommandKeep.
func BenchmarkReadCommandRelease(b *testing.B) { benchOnePerRead(b, true) }

// BenchmarkReadCommandKeep is BenchmarkReadCommandRelease with the
// buffers kept.
func BenchmarkReadCommandKeep(b *testing.B) { benchOnePerRead(b, false) }

func benchOnePerRead(b *testing.B, release bool) {
	data := AppendCommandString(nil, "GET", "key:000001")
	s := &releasingSource{src: &cycleReader{data: data}, keep: !release}
	s.r = NewReader(s, 0)
	w := NewWriter(io.Discard, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.r.ReadCommand(); err != nil {
			b.Fatal(err)
		}
		w.BulkString("value")
		w.Flush()
		if release {
			w.Release()
			w.Acquire()
		}
	}
}
