package kevy_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
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

// TestDoArgumentTypes checks how Do converts its arguments, and that a
// type it does not convert is ErrInvalidArgument naming the type.
func TestDoArgumentTypes(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		arg  any
		want string
	}{
		{"text", "text"}, {[]byte("raw"), "raw"}, {"", ""},
		{-7, "-7"}, {int8(-8), "-8"}, {int16(300), "300"}, {int32(-32), "-32"}, {int64(1) << 40, "1099511627776"},
		{uint(7), "7"}, {uint8(255), "255"}, {uint16(65535), "65535"}, {uint32(32), "32"}, {uint64(1) << 63, "9223372036854775808"},
		{1.5, "1.5"}, {float32(0.25), "0.25"}, {true, "1"}, {false, "0"},
		{1500 * time.Millisecond, "1500"},
	} {
		if _, err := db.Do(ctx, "SET", "k", tc.arg); err != nil {
			t.Fatalf("SET k %#v: %v", tc.arg, err)
		}
		if v, err := db.Do(ctx, "GET", "k"); err != nil || v.String() != tc.want {
			t.Errorf("SET k %#v, then GET = %q, %v; want %q", tc.arg, v.String(), err, tc.want)
		}
	}
	type point struct{ x, y int }
	_, err := db.Do(ctx, "SET", "k", point{1, 2})
	if !errors.Is(err, kevy.ErrInvalidArgument) || !strings.Contains(err.Error(), "argument 2") || !strings.Contains(err.Error(), "kevy_test.point") {
		t.Errorf("SET k point{1, 2}: %v, want ErrInvalidArgument naming argument 2 and its type", err)
	}
}

// TestDoAllocations checks that Do allocates nothing for its arguments
// (it copies them, so the caller's interface boxes stay on its stack) and
// reuses its argument vector and reply builder: a SET allocates nothing,
// a GET only the returned value, a SET of 300 KiB only the box of the
// pooled large buffer it gives back. The exact counts are checked
// without the race detector (make test runs the Alloc tests both ways):
// with it, sync.Pool drops a random share of what it gets back, and each
// drop costs the next call the pooled session and scratch (about ten
// allocations), so only a loose bound holds.
func TestDoAllocations(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	key, val, ttl := "k", []byte("0123456789abcdef"), 100000
	if _, err := db.Do(ctx, "SET", key, val, "EX", ttl); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 300<<10)
	limit, getLimit, bigLimit := 0.0, 1.0, 1.0
	if raceBuild {
		limit, getLimit, bigLimit = 12, 12, 12
	}
	if n := testing.AllocsPerRun(200, func() { _, _ = db.Do(ctx, "SET", key, val, "EX", ttl) }); n > limit {
		t.Errorf("Do(SET) allocates %v times, want at most %v", n, limit)
	}
	if n := testing.AllocsPerRun(200, func() { _, _ = db.Do(ctx, "GET", key) }); n > getLimit {
		t.Errorf("Do(GET) allocates %v times, want at most %v (the value)", n, getLimit)
	}
	if n := testing.AllocsPerRun(50, func() { _, _ = db.Do(ctx, "SET", "big", big) }); n > bigLimit {
		t.Errorf("Do(SET) of 300 KiB allocates %v times, want at most %v (the pool's box)", n, bigLimit)
	}
	// Arguments are not retained: the stored value is a copy.
	val[0] = 'X'
	if v, err := db.Do(ctx, "GET", "k"); err != nil || v.String() != "0123456789abcdef" {
		t.Fatalf("GET after changing the argument = %v, %v", v, err)
	}
}

// TestDoLargeArguments checks Do with arguments above the pooled
// scratch's size: values are stored intact, one after the other and from
// several goroutines (TestDoAllocations checks that the large buffers are
// reused).
func TestDoLargeArguments(t *testing.T) {
	db := openTest(t, nil)
	ctx := context.Background()
	for _, size := range []int{64 << 10, 64<<10 + 1, 200 << 10, 1 << 20} {
		val := []byte(strings.Repeat("x", size-1) + "y")
		if _, err := db.Do(ctx, "SET", "big", val, "EX", 100); err != nil {
			t.Fatal(err)
		}
		if v, err := db.Do(ctx, "GET", "big"); err != nil || !bytes.Equal(v.Bytes(), val) {
			t.Fatalf("GET after SET of %d bytes: %d bytes, %v", size, len(v.Bytes()), err)
		}
		if _, err := db.Do(ctx, "MSET", "a", string(val), "b", val[:size/2]); err != nil {
			t.Fatal(err)
		}
		if v, err := db.Do(ctx, "STRLEN", "b"); err != nil || v.String() != strconv.Itoa(size/2) {
			t.Fatalf("STRLEN b = %v, %v; want %d", v, err, size/2)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := "g" + strconv.Itoa(g)
			for i := range 50 {
				val := bytes.Repeat([]byte{byte('a' + g)}, 100<<10+i)
				if _, err := db.Do(ctx, "SET", key, val); err != nil {
					t.Error(err)
					return
				}
				if v, err := db.Do(ctx, "GET", key); err != nil || !bytes.Equal(v.Bytes(), val) {
					t.Errorf("goroutine %d, round %d: value differs (%v)", g, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
