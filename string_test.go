package kevy_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy"
)

// addOtherType creates a non-string key (a list) for WRONGTYPE checks.
func addOtherType(t *testing.T, db *kevy.DB, key string) {
	t.Helper()
	if _, err := db.Do(context.Background(), "RPUSH", key, "a"); err != nil {
		t.Fatalf("RPUSH %s: %v", key, err)
	}
}

func TestIncrFamilyTyped(t *testing.T) {
	db := openTest(t, nil)
	steps := []struct {
		name    string
		op      func() (int64, error)
		want    int64
		wantErr error
	}{
		{"Incr missing", func() (int64, error) { return db.Incr("n") }, 1, nil},
		{"IncrBy", func() (int64, error) { return db.IncrBy("n", 41) }, 42, nil},
		{"Decr", func() (int64, error) { return db.Decr("n") }, 41, nil},
		{"DecrBy", func() (int64, error) { return db.DecrBy("n", 50) }, -9, nil},
		{"IncrBy overflow", func() (int64, error) { return db.IncrBy("n", math.MinInt64) }, 0, kevy.ErrOverflow},
		{"DecrBy MinInt64", func() (int64, error) { return db.DecrBy("n", math.MinInt64) }, 0, kevy.ErrOverflow},
		{"DecrBy missing", func() (int64, error) { return db.DecrBy("m", 3) }, -3, nil},
		{"IncrBy MaxInt64", func() (int64, error) { return db.IncrBy("m", math.MaxInt64) }, math.MaxInt64 - 3, nil},
		{"Incr to MaxInt64", func() (int64, error) { return db.IncrBy("m", 3) }, math.MaxInt64, nil},
		{"Incr past MaxInt64", func() (int64, error) { return db.Incr("m") }, 0, kevy.ErrOverflow},
	}
	for _, s := range steps {
		got, err := s.op()
		if !errors.Is(err, s.wantErr) || (err == nil && got != s.want) {
			t.Errorf("%s = %d, %v; want %d, %v", s.name, got, err, s.want, s.wantErr)
		}
	}
	if v, _ := db.Get("n"); string(v) != "-9" {
		t.Fatalf("stored %q", v)
	}
	for _, bad := range []string{"abc", "1.5", " 1", "01", "", "99999999999999999999"} {
		_ = db.Set("s", []byte(bad))
		if _, err := db.Incr("s"); !errors.Is(err, kevy.ErrNotInteger) {
			t.Errorf("Incr of %q: %v", bad, err)
		}
	}
	_, err := db.DecrBy("n", math.MinInt64)
	if err == nil || err.Error() != "kevy: ERR decrement would overflow" {
		t.Fatalf("DecrBy MinInt64 text: %v", err)
	}
}

func TestIncrKeepsTTL(t *testing.T) {
	clk := kevy.NewManualClock(time.Unix(1_700_000_000, 0))
	db := openTest(t, &kevy.Options{Clock: clk, ManualExpiry: true})
	if _, _, err := db.SetArgs("n", []byte("10"), kevy.SetOpts{TTL: time.Second}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.Incr("n"); n != 11 || err != nil {
		t.Fatalf("Incr = %d, %v", n, err)
	}
	if f, err := db.IncrByFloat("n", 0.5); f != 11.5 || err != nil {
		t.Fatalf("IncrByFloat = %v, %v", f, err)
	}
	if n, err := db.Append("n", []byte("1")); n != 5 || err != nil {
		t.Fatalf("Append = %d, %v", n, err)
	}
	clk.Advance(time.Second)
	if _, err := db.Get("n"); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("TTL was not kept: %v", err)
	}
}

func TestIncrByFloatTyped(t *testing.T) {
	db := openTest(t, nil)
	cases := []struct {
		delta   float64
		want    float64
		stored  string
		wantErr error
	}{
		{0.1, 0.1, "0.1", nil},
		{0.2, 0.3, "0.3", nil},
		{10.3, 10.6, "10.6", nil},
		{-10.6, 0, "0", nil},
		{1e-20, 0, "0", nil},
		{5e3, 5000, "5000", nil},
		{math.Inf(1), 0, "5000", kevy.ErrOverflow},
		{math.NaN(), 0, "5000", kevy.ErrNotFloat},
		{1.5e300, 1.5e300, "", nil},
	}
	for _, c := range cases {
		got, err := db.IncrByFloat("f", c.delta)
		if !errors.Is(err, c.wantErr) || (err == nil && got != c.want) {
			t.Errorf("IncrByFloat(%v) = %v, %v; want %v, %v", c.delta, got, err, c.want, c.wantErr)
		}
		if v, _ := db.Get("f"); c.stored != "" && string(v) != c.stored {
			t.Errorf("after IncrByFloat(%v): stored %q, want %q", c.delta, v, c.stored)
		}
	}
	_ = db.Set("s", []byte("abc"))
	if _, err := db.IncrByFloat("s", 1); !errors.Is(err, kevy.ErrNotFloat) {
		t.Fatalf("not a float: %v", err)
	}
	// The typed call and the command agree.
	_ = db.Set("a", []byte("2.5"))
	_ = db.Set("b", []byte("2.5"))
	f, _ := db.IncrByFloat("a", 1e-3)
	r, _ := db.Do(context.Background(), "INCRBYFLOAT", "b", "0.001")
	va, _ := db.Get("a")
	if f != 2.501 || string(va) != r.String() {
		t.Fatalf("typed %v (%q) vs command %q", f, va, r.String())
	}
}

func TestGetDelGetEx(t *testing.T) {
	clk := kevy.NewManualClock(time.Unix(1_700_000_000, 0))
	db := openTest(t, &kevy.Options{Clock: clk, ManualExpiry: true})
	if _, err := db.GetDel("k"); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("GetDel missing: %v", err)
	}
	_ = db.Set("k", []byte("v"))
	if v, err := db.GetDel("k"); string(v) != "v" || err != nil {
		t.Fatalf("GetDel = %q, %v", v, err)
	}
	if _, err := db.Get("k"); !errors.Is(err, kevy.ErrNil) {
		t.Fatal("GetDel kept the key")
	}

	if _, err := db.GetEx("k", kevy.GetExOpts{}); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("GetEx missing: %v", err)
	}
	_ = db.Set("k", []byte("v"))
	bad := []kevy.GetExOpts{
		{TTL: time.Second, Persist: true},
		{TTL: time.Second, ExpireAt: time.Now()},
		{ExpireAt: time.Now(), Persist: true},
	}
	for _, o := range bad {
		if _, err := db.GetEx("k", o); !errors.Is(err, kevy.ErrSyntax) {
			t.Errorf("GetEx(%+v): %v", o, err)
		}
	}
	for _, o := range []kevy.GetExOpts{{TTL: time.Microsecond}, {TTL: -time.Second}, {ExpireAt: time.Unix(0, 0)}} {
		if _, err := db.GetEx("k", o); !errors.Is(err, kevy.ErrInvalidArgument) {
			t.Errorf("GetEx(%+v): %v", o, err)
		}
	}
	if v, err := db.GetEx("k", kevy.GetExOpts{TTL: 2 * time.Second}); string(v) != "v" || err != nil {
		t.Fatalf("GetEx TTL = %q, %v", v, err)
	}
	clk.Advance(time.Second)
	if _, err := db.GetEx("k", kevy.GetExOpts{Persist: true}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	if _, err := db.Get("k"); err != nil {
		t.Fatalf("Persist did not remove the TTL: %v", err)
	}
	at := clk.Now().Add(time.Minute)
	if _, err := db.GetEx("k", kevy.GetExOpts{ExpireAt: at}); err != nil {
		t.Fatal(err)
	}
	clk.Set(at)
	if _, err := db.Get("k"); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("not expired at ExpireAt: %v", err)
	}
	// An ExpireAt in the past returns the value and deletes the key.
	_ = db.Set("k", []byte("v"))
	if v, err := db.GetEx("k", kevy.GetExOpts{ExpireAt: time.Unix(1, 0)}); string(v) != "v" || err != nil {
		t.Fatalf("GetEx past = %q, %v", v, err)
	}
	if _, err := db.Get("k"); !errors.Is(err, kevy.ErrNil) {
		t.Fatal("GetEx with a past ExpireAt kept the key")
	}
}

func TestMGetMSetTyped(t *testing.T) {
	db := openTest(t, nil)
	if err := db.MSet(kevy.KV{"a", []byte("1")}, kevy.KV{"b", []byte("")}, kevy.KV{"a", []byte("3")}, kevy.KV{"\x00", []byte("\r\n")}); err != nil {
		t.Fatal(err)
	}
	got, err := db.MGet("a", "b", "missing", "\x00")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{[]byte("3"), {}, nil, []byte("\r\n")}
	if len(got) != len(want) {
		t.Fatalf("MGet = %q", got)
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) || (got[i] == nil) != (want[i] == nil) {
			t.Errorf("MGet[%d] = %q, want %q", i, got[i], want[i])
		}
	}
	if ok, err := db.MSetNX(kevy.KV{"new", []byte("x")}, kevy.KV{"a", []byte("y")}); ok || err != nil {
		t.Fatalf("MSetNX over an existing key = %v, %v", ok, err)
	}
	if _, err := db.Get("new"); !errors.Is(err, kevy.ErrNil) {
		t.Fatal("MSetNX wrote part of its pairs")
	}
	if ok, err := db.MSetNX(kevy.KV{"new", []byte("x")}, kevy.KV{"new2", []byte("y")}); !ok || err != nil {
		t.Fatalf("MSetNX = %v, %v", ok, err)
	}
	if err := db.MSet(); err != nil {
		t.Fatal(err)
	}
	if v, err := db.MGet(); len(v) != 0 || err != nil {
		t.Fatalf("MGet() = %q, %v", v, err)
	}
	// Many pairs over many shards.
	var pairs []kevy.KV
	var keys []string
	for i := 0; i < 100; i++ {
		k := "key:" + strconv.Itoa(i)
		keys = append(keys, k)
		pairs = append(pairs, kevy.KV{Key: k, Value: []byte(strconv.Itoa(i))})
	}
	if err := db.MSet(pairs...); err != nil {
		t.Fatal(err)
	}
	vals, _ := db.MGet(keys...)
	for i, v := range vals {
		if string(v) != strconv.Itoa(i) {
			t.Fatalf("MGet[%d] = %q", i, v)
		}
	}
}

// TestMSetAtomicTyped checks that concurrent MGets never see a partial
// MSet.
func TestMSetAtomicTyped(t *testing.T) {
	db := openTest(t, nil)
	keys := []string{"a", "b", "c", "d", "e"}
	var wg sync.WaitGroup
	wg.Add(1)
	done := make(chan struct{})
	go func() {
		defer wg.Done()
		defer close(done)
		for i := 0; i < 2000; i++ {
			v := []byte(strconv.Itoa(i))
			pairs := make([]kevy.KV, len(keys))
			for j, k := range keys {
				pairs[j] = kevy.KV{Key: k, Value: v}
			}
			if err := db.MSet(pairs...); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		vals, _ := db.MGet(keys...)
		for _, v := range vals {
			if !bytes.Equal(v, vals[0]) {
				t.Fatalf("partial MSet seen: %q", vals)
			}
		}
	}
	wg.Wait()
}

func TestAppendRangeTyped(t *testing.T) {
	db := openTest(t, nil)
	if n, err := db.Append("k", []byte("Hello")); n != 5 || err != nil {
		t.Fatalf("Append = %d, %v", n, err)
	}
	if n, err := db.Append("k", []byte(" World")); n != 11 || err != nil {
		t.Fatalf("Append = %d, %v", n, err)
	}
	if n, err := db.StrLen("k"); n != 11 || err != nil {
		t.Fatalf("StrLen = %d, %v", n, err)
	}
	if n, err := db.StrLen("missing"); n != 0 || err != nil {
		t.Fatalf("StrLen missing = %d, %v", n, err)
	}
	ranges := []struct {
		start, end int64
		want       string
	}{
		{0, 4, "Hello"}, {-5, -1, "World"}, {0, -1, "Hello World"}, {-1, -5, ""}, {20, 30, ""}, {-100, 0, "H"},
	}
	for _, r := range ranges {
		v, err := db.GetRange("k", r.start, r.end)
		if string(v) != r.want || v == nil || err != nil {
			t.Errorf("GetRange(%d, %d) = %q, %v; want %q", r.start, r.end, v, err, r.want)
		}
	}
	if v, err := db.GetRange("missing", 0, -1); v == nil || len(v) != 0 || err != nil {
		t.Fatalf("GetRange missing = %q, %v", v, err)
	}
	if n, err := db.SetRange("k", 6, []byte("Redis")); n != 11 || err != nil {
		t.Fatalf("SetRange = %d, %v", n, err)
	}
	if n, err := db.SetRange("pad", 3, []byte("x")); n != 4 || err != nil {
		t.Fatalf("SetRange pad = %d, %v", n, err)
	}
	if v, _ := db.Get("pad"); string(v) != "\x00\x00\x00x" {
		t.Fatalf("padded value %q", v)
	}
	if n, err := db.SetRange("none", 3, nil); n != 0 || err != nil {
		t.Fatalf("SetRange empty = %d, %v", n, err)
	}
	if _, err := db.Get("none"); !errors.Is(err, kevy.ErrNil) {
		t.Fatal("SetRange with an empty value created a key")
	}
	if _, err := db.SetRange("k", -1, []byte("x")); !errors.Is(err, kevy.ErrOutOfRange) {
		t.Fatalf("negative offset: %v", err)
	}
	if _, err := db.SetRange("k", 512<<20, []byte("x")); !errors.Is(err, kevy.ErrInvalidArgument) {
		t.Fatalf("offset beyond 512MB: %v", err)
	}
	if v, _ := db.Get("k"); string(v) != "Hello Redis" {
		t.Fatalf("value %q", v)
	}
}

func TestAppendGet(t *testing.T) {
	db := openTest(t, nil)
	_ = db.Set("k", []byte("value"))
	buf := make([]byte, 0, 64)
	buf, err := db.AppendGet(buf, "k")
	if string(buf) != "value" || err != nil {
		t.Fatalf("AppendGet = %q, %v", buf, err)
	}
	buf, err = db.AppendGet(buf, "k")
	if string(buf) != "valuevalue" || err != nil {
		t.Fatalf("AppendGet twice = %q, %v", buf, err)
	}
	if out, err := db.AppendGet(buf[:3], "missing"); !errors.Is(err, kevy.ErrNil) || string(out) != "val" {
		t.Fatalf("AppendGet missing = %q, %v", out, err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		buf, _ = db.AppendGet(buf[:0], "k")
	})
	if allocs != 0 {
		t.Fatalf("AppendGet allocates %v times with room in dst", allocs)
	}
}

func TestLCSTyped(t *testing.T) {
	db := openTest(t, nil)
	_ = db.MSet(kevy.KV{"k1", []byte("ohmytext")}, kevy.KV{"k2", []byte("mynewtext")})
	if s, err := db.LCS("k1", "k2"); string(s) != "mytext" || err != nil {
		t.Fatalf("LCS = %q, %v", s, err)
	}
	if n, err := db.LCSLen("k1", "k2"); n != 6 || err != nil {
		t.Fatalf("LCSLen = %d, %v", n, err)
	}
	m, n, err := db.LCSIdx("k1", "k2", 0)
	want := []kevy.LCSMatch{{AStart: 4, AEnd: 7, BStart: 5, BEnd: 8}, {AStart: 2, AEnd: 3, BStart: 0, BEnd: 1}}
	if err != nil || n != 6 || len(m) != 2 || m[0] != want[0] || m[1] != want[1] || m[0].Len() != 4 {
		t.Fatalf("LCSIdx = %+v, %d, %v", m, n, err)
	}
	if m, _, _ := db.LCSIdx("k1", "k2", 3); len(m) != 1 || m[0] != want[0] {
		t.Fatalf("LCSIdx min 3 = %+v", m)
	}
	if s, err := db.LCS("k1", "missing"); s == nil || len(s) != 0 || err != nil {
		t.Fatalf("LCS with a missing key = %q, %v", s, err)
	}
}

func TestStringTypedWrongType(t *testing.T) {
	db := openTest(t, nil)
	addOtherType(t, db, "other")
	_ = db.Set("s", []byte("1"))
	errs := map[string]error{}
	_, errs["GetDel"] = db.GetDel("other")
	_, errs["GetEx"] = db.GetEx("other", kevy.GetExOpts{Persist: true})
	_, errs["Append"] = db.Append("other", []byte("x"))
	_, errs["StrLen"] = db.StrLen("other")
	_, errs["GetRange"] = db.GetRange("other", 0, -1)
	_, errs["SetRange"] = db.SetRange("other", 0, []byte("x"))
	_, errs["Incr"] = db.Incr("other")
	_, errs["DecrBy"] = db.DecrBy("other", 2)
	_, errs["IncrByFloat"] = db.IncrByFloat("other", 1)
	_, errs["LCS"] = db.LCS("s", "other")
	_, _, errs["LCSIdx"] = db.LCSIdx("other", "s", 0)
	_, errs["AppendGet"] = db.AppendGet(nil, "other")
	for name, err := range errs {
		if !errors.Is(err, kevy.ErrWrongType) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if v, _ := db.MGet("s", "other"); v[0] == nil || v[1] != nil {
		t.Errorf("MGet = %q", v)
	}
	if ok, _ := db.MSetNX(kevy.KV{"other", []byte("x")}); ok {
		t.Error("MSetNX over another type")
	}
}

func TestStringTypedClosed(t *testing.T) {
	db := openTest(t, nil)
	db.Close()
	errs := []error{}
	add := func(err error) { errs = append(errs, err) }
	_, err := db.GetDel("k")
	add(err)
	_, err = db.GetEx("k", kevy.GetExOpts{})
	add(err)
	_, err = db.MGet("k")
	add(err)
	add(db.MSet(kevy.KV{"k", nil}))
	_, err = db.MSetNX(kevy.KV{"k", nil})
	add(err)
	_, err = db.Append("k", nil)
	add(err)
	_, err = db.Incr("k")
	add(err)
	_, err = db.IncrByFloat("k", 1)
	add(err)
	_, err = db.LCS("a", "b")
	add(err)
	_, err = db.AppendGet(nil, "k")
	add(err)
	for i, err := range errs {
		if !errors.Is(err, kevy.ErrClosed) {
			t.Errorf("call %d after Close: %v", i, err)
		}
	}
}

func BenchmarkTypedIncr(b *testing.B) {
	db, _ := kevy.Open("", nil)
	defer db.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := db.Incr("counter"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTypedAppendGet(b *testing.B) {
	db, _ := kevy.Open("", nil)
	defer db.Close()
	_ = db.Set("k", []byte("some value of moderate size"))
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = db.AppendGet(buf[:0], "k")
	}
}

func BenchmarkTypedMGet4(b *testing.B) {
	db, _ := kevy.Open("", nil)
	defer db.Close()
	_ = db.MSet(kevy.KV{"a", []byte("1")}, kevy.KV{"b", []byte("2")}, kevy.KV{"c", []byte("3")}, kevy.KV{"d", []byte("4")})
	b.ReportAllocs()
	for b.Loop() {
		_, _ = db.MGet("a", "b", "c", "d")
	}
}
