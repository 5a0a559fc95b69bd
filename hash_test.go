package kevy_test

import (
	"context"
	"errors"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kevydb/kevy"
)

func TestHashTypedAPI(t *testing.T) {
	db := openTest(t, nil)
	if n, err := db.HSet("h", "a", "1", "b", "2"); n != 2 || err != nil {
		t.Fatalf("HSet = %d, %v", n, err)
	}
	if n, err := db.HSet("h", "a", "10", "c", "3"); n != 1 || err != nil {
		t.Fatalf("HSet update = %d, %v", n, err)
	}
	if _, err := db.HSet("h", "a"); !errors.Is(err, kevy.ErrArity) {
		t.Fatalf("HSet odd: %v", err)
	}
	if _, err := db.HSet("h"); !errors.Is(err, kevy.ErrArity) {
		t.Fatalf("HSet empty: %v", err)
	}
	v, err := db.HGet("h", "a")
	if string(v) != "10" || err != nil {
		t.Fatalf("HGet = %q, %v", v, err)
	}
	v[0] = 'x' // the caller owns the copy
	if v, _ := db.HGet("h", "a"); string(v) != "10" {
		t.Fatalf("stored value changed through HGet's result: %q", v)
	}
	if _, err := db.HGet("h", "nosuch"); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("HGet missing field: %v", err)
	}
	if _, err := db.HGet("nokey", "a"); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("HGet missing key: %v", err)
	}
	vals, err := db.HMGet("h", "a", "nosuch", "c")
	if err != nil || len(vals) != 3 || string(vals[0]) != "10" || vals[1] != nil || string(vals[2]) != "3" {
		t.Fatalf("HMGet = %q, %v", vals, err)
	}
	if ok, err := db.HExists("h", "b"); !ok || err != nil {
		t.Fatalf("HExists = %v, %v", ok, err)
	}
	if n, err := db.HLen("h"); n != 3 || err != nil {
		t.Fatalf("HLen = %d, %v", n, err)
	}
	if keys, _ := db.HKeys("h"); !slices.Equal(keys, []string{"a", "b", "c"}) {
		t.Fatalf("HKeys = %q", keys)
	}
	if vals, _ := db.HVals("h"); len(vals) != 3 || string(vals[0]) != "10" || string(vals[2]) != "3" {
		t.Fatalf("HVals = %q", vals)
	}
	all, err := db.HGetAll("h")
	want := map[string][]byte{"a": []byte("10"), "b": []byte("2"), "c": []byte("3")}
	if err != nil || !maps.EqualFunc(all, want, slices.Equal) {
		t.Fatalf("HGetAll = %q, %v", all, err)
	}
	if ok, _ := db.HSetNX("h", "a", "x"); ok {
		t.Fatal("HSetNX overwrote a field")
	}
	if ok, _ := db.HSetNX("h", "d", "4"); !ok {
		t.Fatal("HSetNX did not set a new field")
	}
	if n, err := db.HDel("h", "a", "nosuch", "b"); n != 2 || err != nil {
		t.Fatalf("HDel = %d, %v", n, err)
	}
	if n, _ := db.HDel("h", "c", "d"); n != 2 {
		t.Fatalf("HDel rest = %d", n)
	}
	if n, _ := db.Exists("h"); n != 0 {
		t.Fatal("emptied hash still exists")
	}
	for name, empty := range map[string]func() (int, error){
		"HLen":    func() (int, error) { return db.HLen("nokey") },
		"HKeys":   func() (int, error) { k, err := db.HKeys("nokey"); return len(k), err },
		"HVals":   func() (int, error) { v, err := db.HVals("nokey"); return len(v), err },
		"HGetAll": func() (int, error) { m, err := db.HGetAll("nokey"); return len(m), err },
	} {
		if n, err := empty(); n != 0 || err != nil {
			t.Errorf("%s on a missing key = %d, %v", name, n, err)
		}
	}
}

func TestHashTypedErrors(t *testing.T) {
	db := openTest(t, nil)
	if err := db.Set("s", []byte("v")); err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"HSet":         func() error { _, err := db.HSet("s", "a", "1"); return err },
		"HSetNX":       func() error { _, err := db.HSetNX("s", "a", "1"); return err },
		"HGet":         func() error { _, err := db.HGet("s", "a"); return err },
		"HMGet":        func() error { _, err := db.HMGet("s", "a"); return err },
		"HDel":         func() error { _, err := db.HDel("s", "a"); return err },
		"HExists":      func() error { _, err := db.HExists("s", "a"); return err },
		"HLen":         func() error { _, err := db.HLen("s"); return err },
		"HGetAll":      func() error { _, err := db.HGetAll("s"); return err },
		"HKeys":        func() error { _, err := db.HKeys("s"); return err },
		"HVals":        func() error { _, err := db.HVals("s"); return err },
		"HIncrBy":      func() error { _, err := db.HIncrBy("s", "a", 1); return err },
		"HIncrByFloat": func() error { _, err := db.HIncrByFloat("s", "a", 1); return err },
		"HScan":        func() error { _, _, err := db.HScan("s", 0, "", 0); return err },
	} {
		if err := call(); !errors.Is(err, kevy.ErrWrongType) {
			t.Errorf("%s on a string: %v", name, err)
		}
	}
	db.HSet("h", "n", "9223372036854775806", "s", "abc", "f", "1.5")
	tests := []struct {
		name string
		err  error
		wire string
		call func() error
	}{
		{"overflow", kevy.ErrOverflow, "ERR increment or decrement would overflow",
			func() error { _, err := db.HIncrBy("h", "n", 2); return err }},
		{"not integer", kevy.ErrNotInteger, "ERR hash value is not an integer",
			func() error { _, err := db.HIncrBy("h", "s", 1); return err }},
		{"float not integer", kevy.ErrNotInteger, "ERR hash value is not an integer",
			func() error { _, err := db.HIncrBy("h", "f", 1); return err }},
		{"not float", kevy.ErrNotFloat, "ERR hash value is not a float",
			func() error { _, err := db.HIncrByFloat("h", "s", 1); return err }},
		{"NaN increment", kevy.ErrNotFloat, "ERR value is not a valid float",
			func() error { _, err := db.HIncrByFloat("h", "f", math.NaN()); return err }},
		{"infinite increment", kevy.ErrNotFloat, "ERR value is NaN or Infinity",
			func() error { _, err := db.HIncrByFloat("h", "f", math.Inf(-1)); return err }},
	}
	for _, tc := range tests {
		err := tc.call()
		// Sentinels read "kevy: <text>", specific errors "kevy: ERR <text>".
		if !errors.Is(err, tc.err) || !strings.HasSuffix(err.Error(), strings.TrimPrefix(tc.wire, "ERR ")) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if n, err := db.HIncrBy("h", "n", 1); n != math.MaxInt64 || err != nil {
		t.Fatalf("HIncrBy to max = %d, %v", n, err)
	}
	if f, err := db.HIncrByFloat("h", "f", 0.1); f != 1.6 || err != nil {
		t.Fatalf("HIncrByFloat = %v, %v", f, err)
	}
	if v, _ := db.HGet("h", "f"); string(v) != "1.6" {
		t.Fatalf("stored float text %q", v)
	}
	if f, err := db.HIncrByFloat("new", "x", 2.5e-3); f != 0.0025 || err != nil {
		t.Fatalf("HIncrByFloat on a new key = %v, %v", f, err)
	}
	db.Close()
	if _, err := db.HGet("h", "f"); !errors.Is(err, kevy.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	if _, err := db.HSet("h", "f", "1"); !errors.Is(err, kevy.ErrClosed) {
		t.Fatalf("HSet after Close: %v", err)
	}
}

// TestHashScanTyped iterates a hashtable-encoded hash with HScan and
// checks every field is returned, with and without a pattern.
func TestHashScanTyped(t *testing.T) {
	db := openTest(t, nil)
	const n = 1500
	args := make([]string, 0, 2*n)
	for i := 0; i < n; i++ {
		args = append(args, "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	if _, err := db.HSet("h", args...); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		match string
		count int
		want  int
	}{{"", 0, n}, {"*", 25, n}, {"f1?", 5, 10}, {"nomatch*", 0, 0}} {
		seen := map[string]bool{}
		var cursor uint64
		for calls := 0; ; calls++ {
			m, next, err := db.HScan("h", cursor, tc.match, tc.count)
			if err != nil || calls > 10*n {
				t.Fatalf("HScan: %v after %d calls", err, calls)
			}
			for f, v := range m {
				if string(v) != "v"+f[1:] {
					t.Fatalf("HScan pair %s=%s", f, v)
				}
				seen[f] = true
			}
			if cursor = next; cursor == 0 {
				break
			}
		}
		if len(seen) != tc.want {
			t.Errorf("match %q: %d fields, want %d", tc.match, len(seen), tc.want)
		}
	}
	m, next, err := db.HScan("nokey", 0, "", 0)
	if len(m) != 0 || next != 0 || err != nil {
		t.Fatalf("HScan on a missing key = %v %d %v", m, next, err)
	}
}

// TestHashDoReplies checks reply shapes through Do (RESP3).
func TestHashDoReplies(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	if _, err := db.Do(ctx, "HSET", "h", "a", "1", "b", "2"); err != nil {
		t.Fatal(err)
	}
	v, err := db.Do(ctx, "HGETALL", "h")
	if err != nil || v.Kind() != kevy.KindMap || v.Len() != 2 || v.Elems()[0].String() != "a" || v.Elems()[3].String() != "2" {
		t.Fatalf("HGETALL = %v (%v), %v", v, v.Kind(), err)
	}
	v, err = db.Do(ctx, "HRANDFIELD", "h", 5, "WITHVALUES")
	if err != nil || v.Kind() != kevy.KindArray || v.Len() != 2 {
		t.Fatalf("HRANDFIELD WITHVALUES = %v, %v", v, err)
	}
	for _, pair := range v.Elems() {
		if pair.Kind() != kevy.KindArray || pair.Len() != 2 {
			t.Fatalf("HRANDFIELD WITHVALUES element %v is not a pair", pair)
		}
	}
	v, err = db.Do(ctx, "HINCRBYFLOAT", "h", "a", "0.5")
	if err != nil || v.Kind() != kevy.KindBulk || v.String() != "1.5" {
		t.Fatalf("HINCRBYFLOAT = %v (%v), %v", v, v.Kind(), err)
	}
	if _, err := db.Do(ctx, "HINCRBY", "h", "a", 1); !errors.Is(err, kevy.ErrNotInteger) {
		t.Fatalf("HINCRBY on a float: %v", err)
	}
	if _, err := db.Do(ctx, "HGET", "h", "nosuch"); err != nil {
		t.Fatalf("HGET missing: %v", err)
	}
	v, _ = db.Do(ctx, "HSCAN", "h", 0)
	if v.Len() != 2 || v.Elems()[0].String() != "0" || v.Elems()[1].Len() != 4 {
		t.Fatalf("HSCAN = %v", v)
	}
}

func BenchmarkTypedHSetHGet(b *testing.B) {
	db, err := kevy.Open("", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.HSet("h", "field", "value"); err != nil {
			b.Fatal(err)
		}
		if _, err := db.HGet("h", "field"); err != nil {
			b.Fatal(err)
		}
	}
}
