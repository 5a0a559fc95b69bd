package goredis_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/goredis"
)

func ExampleNewClient() {
	db, err := kevy.Open("", nil) // in-memory
	if err != nil {
		panic(err)
	}
	defer db.Close()
	rdb := goredis.NewClient(db, nil) // no port: in-memory connections
	defer rdb.Close()

	ctx := context.Background()
	rdb.Set(ctx, "greeting", "hello", time.Hour)
	fmt.Println(rdb.Get(ctx, "greeting").Val())
	fmt.Println(rdb.Incr(ctx, "visits").Val())
	_, err = rdb.Get(ctx, "missing").Result()
	fmt.Println(err == redis.Nil)
	// The same data, through the embedded API.
	v, _ := db.Get("greeting")
	fmt.Println(string(v))
	// Output:
	// hello
	// 1
	// true
	// hello
}

// countVisit is application code: it takes any go-redis client, whether
// it talks to kevy in-process, a Redis or Valkey server, or a cluster.
func countVisit(ctx context.Context, rdb redis.UniversalClient, user string) (int64, error) {
	// The hash tag puts both keys in one slot, so that on a cluster they
	// live on one node and the pipeline makes a single round trip.
	key := "{user:" + user + "}"
	cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Incr(ctx, key+":visits")
		p.Set(ctx, key+":last", time.Now().Unix(), 0)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return cmds[0].(*redis.IntCmd).Val(), nil
}

// Example_switching shows one program running on kevy in-process, on a
// Redis or Valkey server, or on a Redis Cluster, chosen at start-up; the
// application code (countVisit) is the same in all three cases.
func Example_switching() {
	var rdb redis.UniversalClient
	switch {
	case os.Getenv("EXAMPLE_REDIS_CLUSTER") != "":
		rdb = redis.NewClusterClient(&redis.ClusterOptions{
			Addrs: strings.Split(os.Getenv("EXAMPLE_REDIS_CLUSTER"), ","),
		})
	case os.Getenv("EXAMPLE_REDIS_ADDR") != "":
		rdb = redis.NewClient(&redis.Options{Addr: os.Getenv("EXAMPLE_REDIS_ADDR")})
	default:
		db, err := kevy.Open("", nil)
		if err != nil {
			panic(err)
		}
		defer db.Close()
		rdb = goredis.NewClient(db, nil)
	}
	defer rdb.Close()

	ctx := context.Background()
	countVisit(ctx, rdb, "42")
	n, err := countVisit(ctx, rdb, "42")
	fmt.Println(n, err)
	// Output: 2 <nil>
}
