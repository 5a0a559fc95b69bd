package kevy_test

import (
	"fmt"
	"slices"

	"github.com/kevydb/kevy"
)

// ExampleDB_SAdd tags articles with sets and queries them.
func ExampleDB_SAdd() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	db.SAdd("tag:go", "article:1", "article:2", "article:3")
	db.SAdd("tag:db", "article:2", "article:3", "article:4")
	added, _ := db.SAdd("tag:go", "article:1")
	fmt.Println("added again:", added)

	ok, _ := db.SIsMember("tag:db", "article:4")
	fmt.Println("article:4 tagged db:", ok)

	both, _ := db.SInter("tag:go", "tag:db")
	slices.Sort(both) // sets have no order
	fmt.Println("go and db:", both)

	n, _ := db.SUnionStore("tag:any", "tag:go", "tag:db")
	fmt.Println("tagged at all:", n)
	// Output:
	// added again: 0
	// article:4 tagged db: true
	// go and db: [article:2 article:3]
	// tagged at all: 4
}

// ExampleDB_SScan walks a set in steps without blocking it for long.
func ExampleDB_SScan() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	db.SAdd("users", "ann", "bob", "bea", "carl")
	var found []string
	var cursor uint64
	for {
		members, next, err := db.SScan("users", cursor, "b*", 2)
		if err != nil {
			panic(err)
		}
		found = append(found, members...)
		if cursor = next; cursor == 0 {
			break
		}
	}
	slices.Sort(found)
	fmt.Println(found)
	// Output:
	// [bea bob]
}
