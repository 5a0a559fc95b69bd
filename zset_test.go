package kevy_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/kevydb/kevy"
)

func TestZSetTypedAdd(t *testing.T) {
	db := openTest(t, nil)
	if n, err := db.ZAdd("z", kevy.Z{"a", 1}, kevy.Z{"b", 2}, kevy.Z{"c", 3}); n != 3 || err != nil {
		t.Fatalf("ZAdd = %d, %v", n, err)
	}
	if n, err := db.ZAdd("z"); n != 0 || err != nil {
		t.Fatalf("ZAdd nothing = %d, %v", n, err)
	}
	tests := []struct {
		name string
		args kevy.ZAddArgs
		zs   []kevy.Z
		want int
		err  error
	}{
		{"plain update", kevy.ZAddArgs{}, []kevy.Z{{"a", 5}, {"d", 4}}, 1, nil},
		{"CH", kevy.ZAddArgs{CH: true}, []kevy.Z{{"a", 6}, {"b", 2}, {"e", 5}}, 2, nil},
		{"NX", kevy.ZAddArgs{NX: true}, []kevy.Z{{"a", 100}, {"f", 6}}, 1, nil},
		{"XX", kevy.ZAddArgs{XX: true, CH: true}, []kevy.Z{{"a", 7}, {"nosuch", 1}}, 1, nil},
		{"GT", kevy.ZAddArgs{GT: true, CH: true}, []kevy.Z{{"a", 1}, {"b", 20}}, 1, nil},
		{"LT", kevy.ZAddArgs{LT: true, CH: true}, []kevy.Z{{"a", 1}, {"b", 30}}, 1, nil},
		{"NX XX", kevy.ZAddArgs{NX: true, XX: true}, []kevy.Z{{"a", 1}}, 0, kevy.ErrSyntax},
		{"NX GT", kevy.ZAddArgs{NX: true, GT: true}, []kevy.Z{{"a", 1}}, 0, kevy.ErrSyntax},
		{"GT LT", kevy.ZAddArgs{GT: true, LT: true}, []kevy.Z{{"a", 1}}, 0, kevy.ErrSyntax},
		{"NaN", kevy.ZAddArgs{}, []kevy.Z{{"a", 1}, {"n", math.NaN()}}, 0, kevy.ErrNotFloat},
		{"infinities", kevy.ZAddArgs{}, []kevy.Z{{"pinf", math.Inf(1)}, {"ninf", math.Inf(-1)}}, 2, nil},
	}
	for _, tc := range tests {
		n, err := db.ZAddArgs("z", tc.args, tc.zs...)
		if n != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("%s: %d, %v; want %d, %v", tc.name, n, err, tc.want, tc.err)
		}
	}
	got, _ := db.ZRangeWithScores("z", 0, -1)
	want := []kevy.Z{{"ninf", math.Inf(-1)}, {"a", 1}, {"c", 3}, {"d", 4}, {"e", 5}, {"f", 6}, {"b", 20}, {"pinf", math.Inf(1)}}
	if !slices.Equal(got, want) {
		t.Fatalf("after adds: %v", got)
	}
	if _, err := db.ZAddArgs("missing", kevy.ZAddArgs{XX: true}, kevy.Z{"a", 1}); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.Exists("missing"); n != 0 {
		t.Fatal("ZADD XX created a key")
	}
	// INCR forms.
	if s, err := db.ZIncrBy("z", 2.5, "a"); s != 3.5 || err != nil {
		t.Fatalf("ZIncrBy = %v, %v", s, err)
	}
	if s, err := db.ZIncrBy("z", -1, "new"); s != -1 || err != nil {
		t.Fatalf("ZIncrBy new member = %v, %v", s, err)
	}
	if _, err := db.ZAddIncr("z", kevy.ZAddArgs{NX: true}, kevy.Z{"a", 1}); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("ZAddIncr NX existing: %v", err)
	}
	if _, err := db.ZAddIncr("z", kevy.ZAddArgs{GT: true}, kevy.Z{"a", -1}); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("ZAddIncr GT down: %v", err)
	}
	if s, err := db.ZAddIncr("z", kevy.ZAddArgs{GT: true}, kevy.Z{"a", 1}); s != 4.5 || err != nil {
		t.Fatalf("ZAddIncr GT up = %v, %v", s, err)
	}
	if _, err := db.ZIncrBy("z", math.Inf(1), "ninf"); !errors.Is(err, kevy.ErrOverflow) ||
		err.Error() != "kevy: ERR resulting score is not a number (NaN)" {
		t.Fatalf("inf + -inf: %v", err)
	}
	if _, err := db.ZIncrBy("z", math.NaN(), "a"); !errors.Is(err, kevy.ErrNotFloat) {
		t.Fatalf("NaN increment: %v", err)
	}
}

func TestZSetTypedReads(t *testing.T) {
	db := openTest(t, nil)
	db.ZAdd("z", kevy.Z{"a", 1}, kevy.Z{"b", 2}, kevy.Z{"c", 3}, kevy.Z{"d", 4.5}, kevy.Z{"x", math.Inf(1)})
	if s, err := db.ZScore("z", "d"); s != 4.5 || err != nil {
		t.Fatalf("ZScore = %v, %v", s, err)
	}
	if _, err := db.ZScore("z", "nosuch"); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("ZScore missing: %v", err)
	}
	if r, err := db.ZRank("z", "c"); r != 2 || err != nil {
		t.Fatalf("ZRank = %d, %v", r, err)
	}
	if r, err := db.ZRevRank("z", "c"); r != 2 || err != nil {
		t.Fatalf("ZRevRank = %d, %v", r, err)
	}
	if r, err := db.ZRevRank("z", "x"); r != 0 || err != nil {
		t.Fatalf("ZRevRank top = %d, %v", r, err)
	}
	if _, err := db.ZRank("nokey", "a"); !errors.Is(err, kevy.ErrNil) {
		t.Fatalf("ZRank missing key: %v", err)
	}
	if n, err := db.ZCard("z"); n != 5 || err != nil {
		t.Fatalf("ZCard = %d, %v", n, err)
	}
	for _, tc := range []struct {
		min, max string
		want     int
		err      error
	}{
		{"-inf", "+inf", 5, nil}, {"(1", "4.5", 3, nil}, {"(1", "(4.5", 2, nil}, {"5", "1", 0, nil},
		{"4.5", "inf", 2, nil}, {"x", "1", 0, kevy.ErrNotFloat}, {"1", "nan", 0, kevy.ErrNotFloat},
	} {
		n, err := db.ZCount("z", tc.min, tc.max)
		if n != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("ZCount %s %s = %d, %v", tc.min, tc.max, n, err)
		}
	}
	for _, tc := range []struct {
		start, stop int64
		want        []string
	}{
		{0, -1, []string{"a", "b", "c", "d", "x"}}, {-2, -1, []string{"d", "x"}}, {1, 1, []string{"b"}},
		{3, 1, []string{}}, {-100, 0, []string{"a"}}, {4, 100, []string{"x"}}, {5, 10, []string{}},
	} {
		got, err := db.ZRange("z", tc.start, tc.stop)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ZRange %d %d = %q, %v", tc.start, tc.stop, got, err)
		}
	}
	for _, tc := range []struct {
		by   kevy.ZRangeBy
		want []string
		err  error
	}{
		{kevy.ZRangeBy{Min: "-inf", Max: "+inf"}, []string{"a", "b", "c", "d", "x"}, nil},
		{kevy.ZRangeBy{Min: "(1", Max: "4.5"}, []string{"b", "c", "d"}, nil},
		{kevy.ZRangeBy{Min: "(1", Max: "4.5", Rev: true}, []string{"d", "c", "b"}, nil},
		{kevy.ZRangeBy{Min: "-inf", Max: "+inf", Offset: 1, Count: 2}, []string{"b", "c"}, nil},
		{kevy.ZRangeBy{Min: "-inf", Max: "+inf", Offset: 1, Count: -1, Rev: true}, []string{"d", "c", "b", "a"}, nil},
		{kevy.ZRangeBy{Min: "-inf", Max: "+inf", Offset: -1, Count: 2}, []string{}, nil},
		{kevy.ZRangeBy{Min: "-inf", Max: "+inf", Offset: 3}, []string{}, nil}, // LIMIT 3 0
		{kevy.ZRangeBy{Min: "(4.5", Max: "inf"}, []string{"x"}, nil},
		{kevy.ZRangeBy{Min: "a", Max: "1"}, nil, kevy.ErrNotFloat},
	} {
		got, err := db.ZRangeByScore("z", tc.by)
		if !errors.Is(err, tc.err) || !slices.Equal(got, tc.want) {
			t.Errorf("ZRangeByScore %+v = %q, %v", tc.by, got, err)
		}
	}
	zs, err := db.ZRangeByScoreWithScores("z", kevy.ZRangeBy{Min: "4", Max: "+inf"})
	if err != nil || !slices.Equal(zs, []kevy.Z{{"d", 4.5}, {"x", math.Inf(1)}}) {
		t.Fatalf("ZRangeByScoreWithScores = %v, %v", zs, err)
	}
	db.ZAdd("l", kevy.Z{"a", 0}, kevy.Z{"b", 0}, kevy.Z{"c", 0}, kevy.Z{"d", 0})
	for _, tc := range []struct {
		by   kevy.ZRangeBy
		want []string
		err  error
	}{
		{kevy.ZRangeBy{Min: "-", Max: "+"}, []string{"a", "b", "c", "d"}, nil},
		{kevy.ZRangeBy{Min: "[b", Max: "(d"}, []string{"b", "c"}, nil},
		{kevy.ZRangeBy{Min: "(a", Max: "+", Rev: true, Count: 2}, []string{"d", "c"}, nil},
		{kevy.ZRangeBy{Min: "b", Max: "+"}, nil, kevy.ErrSyntax},
	} {
		got, err := db.ZRangeByLex("l", tc.by)
		if !errors.Is(err, tc.err) || !slices.Equal(got, tc.want) {
			t.Errorf("ZRangeByLex %+v = %q, %v", tc.by, got, err)
		}
	}
	zs, next, err := db.ZScan("z", 0, "?", 0)
	if err != nil || next != 0 || len(zs) != 5 {
		t.Fatalf("ZScan = %v %d %v", zs, next, err)
	}
}

func TestZSetTypedWrites(t *testing.T) {
	db := openTest(t, nil)
	db.ZAdd("z", kevy.Z{"a", 1}, kevy.Z{"b", 2}, kevy.Z{"c", 3}, kevy.Z{"d", 4})
	if n, err := db.ZRem("z", "a", "nosuch"); n != 1 || err != nil {
		t.Fatalf("ZRem = %d, %v", n, err)
	}
	zs, err := db.ZPopMin("z", 1)
	if err != nil || !slices.Equal(zs, []kevy.Z{{"b", 2}}) {
		t.Fatalf("ZPopMin = %v, %v", zs, err)
	}
	zs, err = db.ZPopMax("z", 5)
	if err != nil || !slices.Equal(zs, []kevy.Z{{"d", 4}, {"c", 3}}) {
		t.Fatalf("ZPopMax = %v, %v", zs, err)
	}
	if n, _ := db.Exists("z"); n != 0 {
		t.Fatal("emptied sorted set still exists")
	}
	if zs, err := db.ZPopMin("z", 3); len(zs) != 0 || err != nil {
		t.Fatalf("ZPopMin on a missing key = %v, %v", zs, err)
	}
	if _, err := db.ZPopMin("z", -1); !errors.Is(err, kevy.ErrNotInteger) {
		t.Fatalf("ZPopMin negative count: %v", err)
	}

	db.ZAdd("z1", kevy.Z{"a", 1}, kevy.Z{"b", 2}, kevy.Z{"c", 3})
	db.ZAdd("z2", kevy.Z{"b", 10}, kevy.Z{"c", 20}, kevy.Z{"d", 30})
	db.Set("str", []byte("v"))
	tests := []struct {
		name  string
		inter bool
		st    kevy.ZStore
		want  []kevy.Z
		err   error
	}{
		{"union", false, kevy.ZStore{Keys: []string{"z1", "z2"}},
			[]kevy.Z{{"a", 1}, {"b", 12}, {"c", 23}, {"d", 30}}, nil},
		{"union weights max", false, kevy.ZStore{Keys: []string{"z1", "z2"}, Weights: []float64{10, 1}, Aggregate: "max"},
			[]kevy.Z{{"a", 10}, {"b", 20}, {"c", 30}, {"d", 30}}, nil},
		{"inter min", true, kevy.ZStore{Keys: []string{"z1", "z2", "missing"}, Aggregate: "MIN"}, []kevy.Z{}, nil},
		{"inter", true, kevy.ZStore{Keys: []string{"z2", "z1"}, Weights: []float64{1, -1}},
			[]kevy.Z{{"b", 8}, {"c", 17}}, nil},
		{"no keys", false, kevy.ZStore{}, nil, kevy.ErrSyntax},
		{"weights count", false, kevy.ZStore{Keys: []string{"z1"}, Weights: []float64{1, 2}}, nil, kevy.ErrSyntax},
		{"NaN weight", false, kevy.ZStore{Keys: []string{"z1"}, Weights: []float64{math.NaN()}}, nil, kevy.ErrNotFloat},
		{"bad aggregate", true, kevy.ZStore{Keys: []string{"z1"}, Aggregate: "avg"}, nil, kevy.ErrSyntax},
		{"wrong type", true, kevy.ZStore{Keys: []string{"z1", "str"}}, nil, kevy.ErrWrongType},
	}
	for _, tc := range tests {
		db.Set("dst", []byte("previous"))
		var n int
		var err error
		if tc.inter {
			n, err = db.ZInterStore("dst", tc.st)
		} else {
			n, err = db.ZUnionStore("dst", tc.st)
		}
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
			continue
		}
		if tc.err != nil {
			if v, _ := db.Get("dst"); string(v) != "previous" {
				t.Errorf("%s: failed store modified dst", tc.name)
			}
			continue
		}
		got, _ := db.ZRangeWithScores("dst", 0, -1)
		typ, _ := db.Type("dst")
		if n != len(tc.want) || !slices.Equal(got, tc.want) || (n == 0) != (typ == "none") {
			t.Errorf("%s: %d %v (%s), want %v", tc.name, n, got, typ, tc.want)
		}
	}
	if err := db.Set("str", []byte("v")); err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"ZAdd":          func() error { _, err := db.ZAdd("str", kevy.Z{"a", 1}); return err },
		"ZIncrBy":       func() error { _, err := db.ZIncrBy("str", 1, "a"); return err },
		"ZScore":        func() error { _, err := db.ZScore("str", "a"); return err },
		"ZRank":         func() error { _, err := db.ZRank("str", "a"); return err },
		"ZRange":        func() error { _, err := db.ZRange("str", 0, 1); return err },
		"ZRangeByScore": func() error { _, err := db.ZRangeByScore("str", kevy.ZRangeBy{Min: "0", Max: "1"}); return err },
		"ZRem":          func() error { _, err := db.ZRem("str", "a"); return err },
		"ZCard":         func() error { _, err := db.ZCard("str"); return err },
		"ZCount":        func() error { _, err := db.ZCount("str", "0", "1"); return err },
		"ZPopMin":       func() error { _, err := db.ZPopMin("str", 1); return err },
		"ZScan":         func() error { _, _, err := db.ZScan("str", 0, "", 0); return err },
	} {
		if err := call(); !errors.Is(err, kevy.ErrWrongType) {
			t.Errorf("%s on a string: %v", name, err)
		}
	}
}

// TestZSetTypedMatchesDo checks that the typed API and the commands agree
// on a sorted set large enough for the skiplist encoding.
func TestZSetTypedMatchesDo(t *testing.T) {
	db := openTest(t, &kevy.Options{Shards: 4})
	ctx := context.Background()
	for i := 0; i < 300; i++ {
		if _, err := db.ZAdd("z", kevy.Z{Member: "m" + strconv.Itoa(i), Score: float64(i%50) / 4}); err != nil {
			t.Fatal(err)
		}
	}
	for _, by := range []kevy.ZRangeBy{
		{Min: "2", Max: "(5"}, {Min: "-inf", Max: "+inf", Offset: 10, Count: 20},
		{Min: "(1", Max: "3", Rev: true, Offset: 2, Count: 7},
	} {
		typed, err := db.ZRangeByScoreWithScores("z", by)
		if err != nil {
			t.Fatal(err)
		}
		args := []any{"ZRANGE", "z", by.Min, by.Max, "BYSCORE"}
		if by.Rev {
			args = []any{"ZRANGE", "z", by.Max, by.Min, "BYSCORE", "REV"}
		}
		if by.Offset != 0 || by.Count != 0 {
			args = append(args, "LIMIT", by.Offset, by.Count)
		}
		v, err := db.Do(ctx, append(args, "WITHSCORES")...)
		if err != nil || v.Len() != len(typed) {
			t.Fatalf("%v: Do = %v, %v; typed %d", args, v, err, len(typed))
		}
		for i, pair := range v.Elems() {
			s, _ := pair.Elems()[1].Float()
			if pair.Elems()[0].String() != typed[i].Member || s != typed[i].Score || pair.Elems()[1].Kind() != kevy.KindDouble {
				t.Fatalf("%v: element %d: %v vs %v", args, i, pair, typed[i])
			}
		}
	}
	v, err := db.Do(ctx, "ZSCORE", "z", "m7")
	if f, _ := v.Float(); err != nil || v.Kind() != kevy.KindDouble || f != 1.75 {
		t.Fatalf("ZSCORE = %v (%v), %v", v, v.Kind(), err)
	}
	v, _ = db.Do(ctx, "ZSCAN", "z", 0, "MATCH", "m7", "COUNT", 1000)
	if v.Elems()[1].Len() != 2 || v.Elems()[1].Elems()[1].Kind() != kevy.KindBulk {
		t.Fatalf("ZSCAN = %v", v)
	}
	if _, err := db.Do(ctx, "ZADD", "z", "NX", "XX", 1, "a"); !errors.Is(err, kevy.ErrSyntax) {
		t.Fatalf("ZADD NX XX via Do: %v", err)
	}
	if _, err := db.Do(ctx, "ZRANGE", "z", "(x", 1, "BYSCORE"); !errors.Is(err, kevy.ErrNotFloat) {
		t.Fatalf("bad score range via Do: %v", err)
	}
	if _, err := db.Do(ctx, "ZUNIONSTORE", "d", 0, "z"); !errors.Is(err, kevy.ErrSyntax) {
		t.Fatalf("ZUNIONSTORE numkeys 0 via Do: %v", err)
	}
}

func BenchmarkTypedZAddZScore(b *testing.B) {
	db, err := kevy.Open("", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	members := make([]string, 1024)
	for i := range members {
		members[i] = "member:" + strconv.Itoa(i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m := members[i%len(members)]
		if _, err := db.ZAdd("z", kevy.Z{Member: m, Score: float64(i)}); err != nil {
			b.Fatal(err)
		}
		if _, err := db.ZScore("z", m); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
