package kevy_test

import (
	"fmt"

	"github.com/kevydb/kevy"
)

// ExampleDB_ZAdd keeps a leaderboard in a sorted set.
func ExampleDB_ZAdd() {
	db, err := kevy.Open("", nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	db.ZAdd("scores", kevy.Z{Member: "ada", Score: 120}, kevy.Z{Member: "bob", Score: 95}, kevy.Z{Member: "eve", Score: 130})
	db.ZIncrBy("scores", 40, "bob")

	top, _ := db.ZRangeByScoreWithScores("scores", kevy.ZRangeBy{Min: "-inf", Max: "+inf", Rev: true, Count: 2})
	for _, z := range top {
		fmt.Printf("%s %g\n", z.Member, z.Score)
	}

	rank, _ := db.ZRevRank("scores", "ada")
	fmt.Println("ada's rank:", rank)

	over100, _ := db.ZCount("scores", "(100", "+inf")
	fmt.Println("over 100:", over100)
	// Output:
	// bob 135
	// eve 130
	// ada's rank: 2
	// over 100: 3
}
