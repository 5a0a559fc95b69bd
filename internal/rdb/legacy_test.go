package rdb

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

const secExpire = int64(2000000000) // 2033-05-18, in seconds

// legacyFile hand-builds a file with every encoding Redis 7.0 still loads
// but no longer writes, plus the low-level string/int forms, and returns it
// with the expected contents.
func legacyFile() ([]byte, map[int]map[string]value) {
	want := map[int]map[string]value{0: {}, 3: {}}
	long := strings.Repeat("L", 300)   // forces 5-byte prevlen after it
	huge := strings.Repeat("H", 17000) // 32-bit ziplist string
	zlItems := []string{"0", "12", "13", "-1", "127", "-128", "128", "-32768", "32767", "32768",
		"-8388608", "8388607", "8388608", "2147483647", "-2147483649", "9223372036854775807",
		"str", "", long, strings.Repeat("m", 64), huge, "007", "-0", "tail"}
	qlNodes := [][]string{{"a", "b", "1"}, {}, {long, "2", "c"}, strs("n", 50)}
	var qlAll []string
	for _, n := range qlNodes {
		qlAll = append(qlAll, n...)
	}
	zsetAscii := []zm{{"a", 1.5}, {"b", -3}, {"c", math.Inf(1)}, {"d", math.Inf(-1)}, {"e", 0}, {"f", 1e-7}}
	zsetZl := []zm{{"ninf", math.Inf(-1)}, {"neg", -2.5}, {"int", 3}, {"frac", 3.25}, {"pinf", math.Inf(1)}}
	zsetBin := []zm{{"x", 0.1}, {"y", -1e300}, {"z", math.Copysign(0, -1)}}
	hashPairs := [][2]string{{"f1", "v1"}, {"12", "34"}, {"empty", ""}, {"big", long}}
	zmPairs := [][2]string{{"name", "zipmap"}, {"n", "42"}, {"big", long}, {long, "x"}}

	data := rawFile(10, func(w *Writer) {
		w.Aux([]byte("redis-ver"), []byte("6.2.0"))
		w.SelectDB(0)
		w.ResizeDB(30, 2)

		put := func(key string, v value) { want[0][key] = v }
		for _, s := range []string{"-7", "300", "-70000", "2147483647", strings.Repeat("compress me ", 10)} {
			rawKey(w, TypeString, "str:"+s[:min(len(s), 8)])
			w.putString([]byte(s)) // int8/16/32 or LZF
			put("str:"+s[:min(len(s), 8)], sv(s))
		}
		// EXPIRETIME in seconds (pre-RDB-3 form).
		w.buf = append(w.buf, opExpire)
		w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(secExpire))
		rawKey(w, TypeString, "str:expsec")
		rawString(w, []byte("ttl"))
		put("str:expsec", withExpire(sv("ttl"), secExpire*1000))
		// IDLE and FREQ.
		w.Idle(77)
		rawKey(w, TypeString, "str:idle")
		rawString(w, []byte("i"))
		v := sv("i")
		v.Idle = 77
		put("str:idle", v)
		w.Freq(9)
		rawKey(w, TypeString, "str:freq")
		rawString(w, []byte("f"))
		v = sv("f")
		v.Freq = 9
		put("str:freq", v)

		// LIST, plain.
		rawKey(w, TypeList, "list:plain")
		w.putLen(4)
		for _, s := range []string{"a", "123", "-5", long} {
			w.putString([]byte(s))
		}
		put("list:plain", lv(TypeList, []string{"a", "123", "-5", long}))
		// LIST_ZIPLIST.
		rawKey(w, TypeListZiplist, "list:ziplist")
		w.putString(ziplist(zlItems, zlOpts{}))
		put("list:ziplist", lv(TypeListZiplist, zlItems))
		rawKey(w, TypeListZiplist, "list:ziplist2")
		w.putString(ziplist(zlItems[:6], zlOpts{bigPrevlen: true, noInts: true, unknownSize: true}))
		put("list:ziplist2", lv(TypeListZiplist, zlItems[:6]))
		// LIST_QUICKLIST (ziplist nodes, one empty, some LZF-compressed).
		rawKey(w, TypeListQuicklist, "list:quicklist")
		w.putLen(uint64(len(qlNodes)))
		for _, n := range qlNodes {
			w.putString(ziplist(n, zlOpts{}))
		}
		put("list:quicklist", lv(TypeListQuicklist, qlAll))
		// LIST_QUICKLIST_2 with PACKED and PLAIN nodes.
		rawKey(w, TypeListQuicklist2, "list:ql2")
		w.putLen(3)
		var lp ListpackBuilder
		lp.Append([]byte("p1"))
		lp.Append([]byte("5"))
		w.putLen(containerPacked)
		w.putString(lp.Bytes())
		w.putLen(containerPlain)
		w.putString([]byte("plain element"))
		lp.Reset()
		lp.Append([]byte("p2"))
		w.putLen(containerPacked)
		w.putString(lp.Bytes())
		put("list:ql2", lv(TypeListQuicklist2, []string{"p1", "5", "plain element", "p2"}))

		// SET and SET_INTSET of each width.
		rawKey(w, TypeSet, "set:plain")
		w.putLen(3)
		for _, s := range []string{"x", "1", "y"} {
			w.putString([]byte(s))
		}
		put("set:plain", setv(TypeSet, []string{"x", "1", "y"}))
		for _, c := range []struct {
			key   string
			width int
			vals  []int64
			strs  []string
		}{
			{"set:is16", 2, []int64{-5, 0, 7}, []string{"-5", "0", "7"}},
			{"set:is32", 4, []int64{-100000, 1, 100000}, []string{"-100000", "1", "100000"}},
			{"set:is64", 8, []int64{math.MinInt64, 0, math.MaxInt64}, []string{"-9223372036854775808", "0", "9223372036854775807"}},
		} {
			rawKey(w, TypeSetIntset, c.key)
			w.putString(intsetBlob(c.width, c.vals...))
			put(c.key, setv(TypeSetIntset, c.strs))
		}

		// ZSET (ASCII scores), ZSET_2, ZSET_ZIPLIST.
		rawKey(w, TypeZSet, "zset:ascii")
		w.putLen(uint64(len(zsetAscii)))
		for _, m := range zsetAscii {
			w.putString([]byte(m.M))
			asciiScore(w, m.S)
		}
		put("zset:ascii", zv(TypeZSet, zsetAscii))
		rawKey(w, TypeZSet2, "zset:bin")
		w.putLen(uint64(len(zsetBin)))
		for _, m := range zsetBin {
			w.putString([]byte(m.M))
			w.buf = binary.LittleEndian.AppendUint64(w.buf, math.Float64bits(m.S))
		}
		put("zset:bin", zv(TypeZSet2, zsetBin))
		rawKey(w, TypeZSetZiplist, "zset:ziplist")
		var zl []string
		for _, m := range zsetZl {
			zl = append(zl, m.M, string(formatScore(nil, m.S)))
		}
		zl[5] = "3" // integer-encoded score
		w.putString(ziplist(zl, zlOpts{}))
		put("zset:ziplist", zv(TypeZSetZiplist, zsetZl))

		// HASH, HASH_ZIPMAP, HASH_ZIPLIST, HASH_LISTPACK.
		rawKey(w, TypeHash, "hash:plain")
		w.putLen(uint64(len(hashPairs)))
		for _, p := range hashPairs {
			w.putString([]byte(p[0]))
			w.putString([]byte(p[1]))
		}
		put("hash:plain", hv(TypeHash, hashPairs))
		rawKey(w, TypeHashZipmap, "hash:zipmap")
		w.putString(zipmap(zmPairs))
		put("hash:zipmap", hv(TypeHashZipmap, zmPairs))
		rawKey(w, TypeHashZiplist, "hash:ziplist")
		var hz []string
		for _, p := range hashPairs {
			hz = append(hz, p[0], p[1])
		}
		w.putString(ziplist(hz, zlOpts{}))
		put("hash:ziplist", hv(TypeHashZiplist, hashPairs))
		rawKey(w, TypeHashListpack, "hash:listpack")
		lp.Reset()
		for _, p := range hashPairs {
			lp.Append([]byte(p[0]))
			lp.Append([]byte(p[1]))
		}
		w.putString(lp.Bytes())
		put("hash:listpack", hv(TypeHashListpack, hashPairs))

		// Another database, with a millisecond expiry.
		w.SelectDB(3)
		w.buf = append(w.buf, opExpireMs)
		w.buf = binary.LittleEndian.AppendUint64(w.buf, uint64(farFuture))
		rawKey(w, TypeListZiplist, "db3:list")
		w.putString(ziplist([]string{"q"}, zlOpts{}))
		want[3]["db3:list"] = withExpire(lv(TypeListZiplist, []string{"q"}), farFuture)
	})
	return data, want
}

func TestLegacyEncodings(t *testing.T) {
	data, want := legacyFile()
	d := mustParse(t, data)
	if d.Aux["redis-ver"] != "6.2.0" {
		t.Errorf("aux %v", d.Aux)
	}
	if len(d.Resize) != 1 || d.Resize[0] != [2]uint64{30, 2} {
		t.Errorf("resize %v", d.Resize)
	}
	for db := range want {
		checkDB(t, d.DBs[db], want[db])
	}
	if len(d.DBs) != len(want) {
		t.Errorf("databases %d, want %d", len(d.DBs), len(want))
	}
}

func TestOldVersions(t *testing.T) {
	// Version 4 files have no checksum trailer; version 5+ do.
	for _, ver := range []int{1, 4, 5, 9, 10} {
		data := rawFile(ver, func(w *Writer) {
			rawKey(w, TypeString, "k")
			rawString(w, []byte("v"))
		})
		d, err := parseAll(data, 64, 0)
		if err != nil {
			t.Errorf("version %d: %v", ver, err)
			continue
		}
		if d.DBs[0]["k"].Str != "v" {
			t.Errorf("version %d: %v", ver, d.DBs)
		}
	}
	// RDB 11 (Redis 7.2) with a listpack set: rejected by default like Redis
	// 7.0 does, accepted with MaxVersion 11.
	data := rawFile(11, func(w *Writer) {
		rawKey(w, TypeSetListpack, "s")
		var lp ListpackBuilder
		for _, m := range []string{"a", "1", "b"} {
			lp.Append([]byte(m))
		}
		w.putString(lp.Bytes())
	})
	if _, err := parseAll(data, 64, 0); err == nil || !strings.Contains(err.Error(), "version 11") {
		t.Errorf("RDB 11 by default: %v", err)
	}
	d, err := parseAll(data, 64, 11)
	if err != nil {
		t.Fatal(err)
	}
	checkDB(t, d.DBs[0], map[string]value{"s": setv(TypeSetListpack, []string{"a", "1", "b"})})
	// A listpack set in an RDB 10 file is an unknown type.
	copy(data[5:9], "0010")
	binary.LittleEndian.PutUint64(data[len(data)-8:], CRC64(0, data[:len(data)-8]))
	if _, err := parseAll(data, 64, 11); err == nil || !strings.Contains(err.Error(), "unknown object type 20") {
		t.Errorf("listpack set in RDB 10: %v", err)
	}
}

func TestModuleTypeName(t *testing.T) {
	// Module ids pack nine 6-bit characters above a 10-bit encoding version.
	const cset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	id := uint64(0)
	for _, c := range []byte("ReJSON-RL") {
		id = id<<6 | uint64(bytes.IndexByte([]byte(cset), c))
	}
	id = id<<10 | 3
	if got := moduleTypeName(id); got != "ReJSON-RL" {
		t.Errorf("moduleTypeName = %q", got)
	}
}

// TestRedisSnapshotSeed decodes the snapshot saved by redis-server 7.0 that
// seeds the fuzz corpus (LFU policy, so every key has a FREQ opcode).
func TestRedisSnapshotSeed(t *testing.T) {
	raw, err := os.ReadFile("testdata/fuzz/FuzzReader/redis70_lfu")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(raw), "\n", 3)
	lit := strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")")
	s, err := strconv.Unquote(lit)
	if err != nil {
		t.Fatal(err)
	}
	d := mustParse(t, []byte(s))
	lfu := func(v value) value { v.Freq = -2; return v }
	checkDB(t, d.DBs[0], map[string]value{
		"s:int": lfu(sv("12")),
		"s:str": lfu(value{Kind: KindString, Type: TypeString, Expire: d.DBs[0]["s:str"].Expire, Idle: -1, Str: "hello"}),
		"s:lzf": lfu(sv(strings.Repeat("a", 47))),
		"s:big": lfu(sv("123456789012")),
		"l":     lfu(lv(TypeListQuicklist2, []string{"a", "1", "-300", "70000", "bb"})),
		"si":    lfu(setv(TypeSetIntset, []string{"1", "2", "-40000"})),
		"ss":    lfu(setv(TypeSet, []string{"x", "y"})),
		"h":     lfu(hv(TypeHashListpack, [][2]string{{"f", "v"}, {"n", "5"}})),
		"hbig":  lfu(hv(TypeHash, [][2]string{{"f", strings.Repeat("x", 70)}})),
		"z":     lfu(zv(TypeZSetListpack, []zm{{"a", 1.5}, {"b", math.Inf(1)}, {"c", math.Inf(-1)}, {"d", 3}})),
		"zbig":  lfu(zv(TypeZSet2, []zm{{strings.Repeat("m", 70), 2.5}})),
	})
	if d.DBs[0]["s:str"].Expire <= 0 || d.DBs[0]["l"].Freq < 0 {
		t.Errorf("expire %d, freq %d", d.DBs[0]["s:str"].Expire, d.DBs[0]["l"].Freq)
	}
	checkDB(t, d.DBs[2], map[string]value{"other": lfu(sv("1"))})
	if len(d.Funcs) != 1 || !strings.HasPrefix(d.Funcs[0], "#!lua name=l") {
		t.Errorf("functions %q", d.Funcs)
	}
}
