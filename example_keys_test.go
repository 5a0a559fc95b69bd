package kevy_test

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kevydb/kevy"
)

// Keys can be given a TTL, renamed (the TTL follows), listed by pattern
// and iterated without locking the whole database.
func Example_keys() {
	clk := kevy.NewManualClock(time.Unix(1_700_000_000, 0))
	db, err := kevy.Open("", &kevy.Options{Clock: clk, ManualExpiry: true})
	if err != nil {
		panic(err)
	}
	defer db.Close()

	db.Set("session:1", []byte("alice"))
	db.Set("session:2", []byte("bob"))
	db.Set("config", []byte("{}"))

	db.Expire("session:1", 30*time.Second)
	db.Rename("session:1", "session:alice")
	ttl, _ := db.TTL("session:alice")
	fmt.Println("ttl:", ttl)

	if d, _ := db.TTL("config"); d == kevy.TTLPersistent {
		fmt.Println("config has no TTL")
	}

	var sessions []string
	for k := range db.ScanAll("session:*") {
		sessions = append(sessions, k)
	}
	slices.Sort(sessions)
	fmt.Println("sessions:", sessions)

	clk.Advance(30 * time.Second)
	n, _ := db.Exists("session:alice", "session:2")
	fmt.Println("still there:", n)

	v, _ := db.Do(context.Background(), "OBJECT", "ENCODING", "config")
	fmt.Println("encoding:", v)
	// Output:
	// ttl: 30s
	// config has no TTL
	// sessions: [session:2 session:alice]
	// still there: 1
	// encoding: embstr
}
