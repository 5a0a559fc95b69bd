package rdb

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzReader checks that arbitrary input never panics, that every failure
// is a typed error, and that a file that decodes fully also parses when
// every value is skipped. Seeds: valid files from the Writer and the legacy
// encoders here, plus testdata/fuzz/FuzzReader (including snapshots saved
// by redis-server 7.0).
func FuzzReader(f *testing.F) {
	f.Add(smallFile(f))
	legacy, _ := legacyFile()
	f.Add(legacy)
	f.Add(rawFile(11, func(w *Writer) {
		rawKey(w, TypeSetListpack, "s")
		w.putString(lpOf("a", "1"))
	}))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, maxv := range []int{0, 11} {
			rec := newRecorder()
			r := newReaderSize(bytes.NewReader(data), 64)
			r.MaxVersion = maxv
			err := r.Parse(rec)
			if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) && !isDupKey(err) {
				t.Fatalf("untyped error: %v", err)
			}
			r2 := newReaderSize(bytes.NewReader(data), 16)
			r2.MaxVersion = maxv
			err2 := r2.Parse(BaseVisitor{})
			if err == nil && err2 != nil {
				t.Fatalf("full decode succeeded but skipping failed: %v", err2)
			}
		}
	})
}

func isDupKey(err error) bool {
	return err != nil && bytes.HasPrefix([]byte(err.Error()), []byte("duplicate key"))
}
