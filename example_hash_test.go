package kevy_test

import (
	"fmt"

	"github.com/kevydb/kevy"
)

// ExampleDB_HSet stores a user profile as a hash, reads it back and
// counts a visit.
func ExampleDB_HSet() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	added, _ := db.HSet("user:1", "name", "Ada", "lang", "en")
	fmt.Println("new fields:", added)

	name, _ := db.HGet("user:1", "name")
	fmt.Println("name:", string(name))

	visits, _ := db.HIncrBy("user:1", "visits", 1)
	fmt.Println("visits:", visits)

	fields, _ := db.HKeys("user:1")
	fmt.Println("fields:", fields)

	if _, err := db.HGet("user:1", "email"); err == kevy.ErrNil {
		fmt.Println("no email")
	}
	// Output:
	// new fields: 2
	// name: Ada
	// visits: 1
	// fields: [name lang visits]
	// no email
}
