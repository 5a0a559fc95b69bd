package kevy_test

import (
	"fmt"

	"github.com/kevydb/kevy"
)

func ExampleDB_Incr() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	n, _ := db.Incr("visits")
	n, _ = db.IncrBy("visits", 10)
	fmt.Println(n)

	_ = db.Set("name", []byte("kevy"))
	_, err = db.Incr("name")
	fmt.Println(err)
	// Output:
	// 11
	// kevy: value is not an integer or out of range
}

func ExampleDB_IncrByFloat() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	_, _ = db.IncrByFloat("price", 0.1)
	f, _ := db.IncrByFloat("price", 0.2)
	stored, _ := db.Get("price")
	fmt.Println(f, string(stored))
	// Output: 0.3 0.3
}

func ExampleDB_MSet() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	_ = db.MSet(kevy.KV{Key: "a", Value: []byte("1")}, kevy.KV{Key: "b", Value: []byte("2")})
	vals, _ := db.MGet("a", "missing", "b")
	for _, v := range vals {
		if v == nil {
			fmt.Println("(nil)")
			continue
		}
		fmt.Println(string(v))
	}
	// Output:
	// 1
	// (nil)
	// 2
}

func ExampleDB_LCS() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	_ = db.MSet(kevy.KV{Key: "k1", Value: []byte("ohmytext")}, kevy.KV{Key: "k2", Value: []byte("mynewtext")})
	s, _ := db.LCS("k1", "k2")
	matches, n, _ := db.LCSIdx("k1", "k2", 0)
	fmt.Println(string(s), n)
	for _, m := range matches {
		fmt.Println(m.AStart, m.AEnd, m.BStart, m.BEnd)
	}
	// Output:
	// mytext 6
	// 4 7 5 8
	// 2 3 0 1
}

func ExampleDB_AppendGet() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	_ = db.Set("greeting", []byte("hello"))
	buf := make([]byte, 0, 64) // reused across calls: no allocation
	buf, _ = db.AppendGet(buf[:0], "greeting")
	fmt.Println(string(buf))
	// Output: hello
}
