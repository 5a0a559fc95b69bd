package kevy_test

import (
	"context"
	"fmt"
	"time"

	"github.com/kevydb/kevy"
)

// ExampleDB_LPush uses a list as a work queue: producers push at the
// head, workers pop from the tail.
func ExampleDB_LPush() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	n, _ := db.LPush("jobs", "resize:1", "resize:2", "resize:3")
	fmt.Println("queued:", n)

	all, _ := db.LRange("jobs", 0, -1)
	fmt.Printf("queue: %q\n", all)

	job, _ := db.RPop("jobs")
	fmt.Println("next:", string(job))

	if _, err := db.LIndex("jobs", 10); err == kevy.ErrNil {
		fmt.Println("no element at index 10")
	}
	// Output:
	// queued: 3
	// queue: ["resize:3" "resize:2" "resize:1"]
	// next: resize:1
	// no element at index 10
}

// ExampleDB_BLPop waits for a job that another goroutine pushes.
func ExampleDB_BLPop() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	go func() {
		for db.BlockedClients() == 0 { // wait until the worker waits
			time.Sleep(time.Millisecond)
		}
		db.RPush("jobs:high", "send-mail")
	}()

	key, job, err := db.BLPop(context.Background(), 5*time.Second, "jobs:urgent", "jobs:high")
	fmt.Println(key, string(job), err)

	// A timeout gives ErrNil.
	_, _, err = db.BLPop(context.Background(), 10*time.Millisecond, "jobs:urgent")
	fmt.Println(err == kevy.ErrNil)
	// Output:
	// jobs:high send-mail <nil>
	// true
}

// ExampleDB_LMove moves a job to a "processing" list while a worker
// handles it, so that a crashed worker's job is not lost.
func ExampleDB_LMove() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	db.RPush("queue", "a", "b")
	job, _ := db.LMove("queue", "processing", kevy.Left, kevy.Right)
	fmt.Println("working on", string(job))

	// Done: remove it from the processing list.
	n, _ := db.LRem("processing", 1, string(job))
	fmt.Println("acknowledged:", n)

	left, _ := db.LLen("queue")
	fmt.Println("still queued:", left)
	// Output:
	// working on a
	// acknowledged: 1
	// still queued: 1
}

// ExampleDB_LPos finds elements by value.
func ExampleDB_LPos() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	db.RPush("letters", "a", "b", "c", "b", "a")
	first, _ := db.LPos("letters", "b", kevy.LPosOpts{})
	last, _ := db.LPos("letters", "b", kevy.LPosOpts{Rank: -1})
	all, _ := db.LPosCount("letters", "a", 0, kevy.LPosOpts{})
	fmt.Println(first, last, all)
	// Output:
	// 1 3 [0 4]
}
