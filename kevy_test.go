package kevy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

func openTest(t *testing.T, opts *kevy.Options) *kevy.DB {
	t.Helper()
	db, err := kevy.Open("", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestGetSetBasics(t *testing.T) {
	db := openTest(t, nil)
	if _, err := db.Get("missing"); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("Get missing: %v", err)
	}
	if err := db.Set("k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	v, err := db.Get("k")
	if err != nil || string(v) != "v" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	// The returned slice is the caller's.
	v[0] = 'x'
	if v2, _ := db.Get("k"); string(v2) != "v" {
		t.Fatalf("stored value changed through returned slice: %q", v2)
	}
	r, err := db.Do(context.Background(), "GET", "k")
	if err != nil || r.String() != "v" || r.Kind() != kevy.KindBulk {
		t.Fatalf("Do GET = %v (%v), %v", r, r.Kind(), err)
	}
}

func TestSetArgsTTLWithManualClock(t *testing.T) {
	clk := kevy.NewManualClock(time.Unix(1_700_000_000, 0))
	db := openTest(t, &kevy.Options{Clock: clk, ManualExpiry: true})
	if _, ok, err := db.SetArgs("k", []byte("v"), kevy.SetOpts{TTL: 10 * time.Second}); !ok || err != nil {
		t.Fatalf("SetArgs: %v %v", ok, err)
	}
	clk.Advance(9999 * time.Millisecond)
	if _, err := db.Get("k"); err != nil {
		t.Fatalf("expired too early: %v", err)
	}
	clk.Advance(time.Millisecond)
	if _, err := db.Get("k"); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("not expired at deadline: %v", err)
	}
	if _, ok, _ := db.SetArgs("k", []byte("a"), kevy.SetOpts{XX: true}); ok {
		t.Fatal("XX wrote a missing key")
	}
	if _, ok, _ := db.SetArgs("k", []byte("a"), kevy.SetOpts{NX: true}); !ok {
		t.Fatal("NX did not write a missing key")
	}
	old, ok, err := db.SetArgs("k", []byte("b"), kevy.SetOpts{Get: true})
	if string(old) != "a" || !ok || err != nil {
		t.Fatalf("GET option: %q %v %v", old, ok, err)
	}
	if _, _, err := db.SetArgs("k", nil, kevy.SetOpts{NX: true, XX: true}); !errors.Is(err, kevy.ErrSyntax) {
		t.Fatalf("NX+XX: %v", err)
	}
}

func TestDoErrorsMapToSentinels(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	_, err := db.Do(ctx, "SET", "k", "v", "EX", "0")
	if !errors.Is(err, kevy.ErrInvalidArgument) || err.Error() != "kevy: ERR invalid expire time in 'set' command" {
		t.Fatalf("EX 0: %v", err)
	}
	if _, err := db.Do(ctx, "SET", "k", "v", "EX", "x"); !errors.Is(err, kevy.ErrNotInteger) {
		t.Fatalf("EX x: %v", err)
	}
	if _, err := db.Do(ctx, "SET", "k", "v", "NX", "XX"); !errors.Is(err, kevy.ErrSyntax) {
		t.Fatalf("NX XX: %v", err)
	}
	if _, err := db.Do(ctx, "NOPE", "a"); !errors.Is(err, kevy.ErrUnknownCommand) {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := db.Do(ctx, "GET"); !errors.Is(err, kevy.ErrArity) {
		t.Fatalf("arity: %v", err)
	}
	db.Close()
	if _, err := db.Do(ctx, "GET", "k"); !errors.Is(err, kevy.ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestDoAllocations checks that Do reuses its argument vector and reply
// builder: a SET allocates only the caller's variadic arguments and the
// reply's text, a GET the returned value besides.
func TestDoAllocations(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	val := []byte("0123456789abcdef")
	args := []any{"SET", "k", val}
	if _, err := db.Do(ctx, args...); err != nil {
		t.Fatal(err)
	}
	limit := 1.0
	if raceBuild {
		limit = 3 // -race: the pools drop some of what they get back
	}
	if n := testing.AllocsPerRun(200, func() { _, _ = db.Do(ctx, args...) }); n > limit {
		t.Errorf("Do(SET) allocates %v times, want at most %v (the OK status)", n, limit)
	}
	get := []any{"GET", "k"}
	if n := testing.AllocsPerRun(200, func() { _, _ = db.Do(ctx, get...) }); n > limit {
		t.Errorf("Do(GET) allocates %v times, want at most %v (the value)", n, limit)
	}
	// Arguments are not retained: the stored value is a copy.
	val[0] = 'X'
	if v, err := db.Do(ctx, "GET", "k"); err != nil || v.String() != "0123456789abcdef" {
		t.Fatalf("GET after changing the argument = %v, %v", v, err)
	}
}
