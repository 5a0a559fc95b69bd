// Package goredis connects Redis client libraries, go-redis v9
// (github.com/redis/go-redis/v9) and rueidis, to a kevy database in the
// same process, without a network port.
//
// # Portless client
//
// NewClient returns an ordinary *redis.Client whose connections are
// in-memory pipes served by a kevy server.Server:
//
//	db, _ := kevy.Open("", nil)
//	rdb := goredis.NewClient(db, nil)
//	defer rdb.Close()
//	rdb.Set(ctx, "greeting", "hello", 0)
//
// Everything go-redis does works as over TCP: pipelines, transactions
// the server supports, RESP2 (Options.Protocol 2) and RESP3 (the
// default), AUTH (NewServerClient with a server.Config.RequirePass and
// Options.Password), connection pooling, timeouts. The requests go
// through the same RESP parser and command engine as network clients, so
// behaviour and error texts are identical; only the socket is gone. A
// round trip costs two goroutine hand-offs and no system call: several
// times faster than loopback TCP, though slower than calling the DB's
// typed methods directly.
//
// Closing the client closes its connections, and the goroutine serving
// each one ends with it: nothing is left running.
//
// # Switching to Redis, Valkey or a Redis Cluster
//
// The client is a go-redis client like any other, so application code
// written against redis.Cmdable or redis.UniversalClient does not change
// when the deployment does; only the construction does:
//
//	var rdb redis.UniversalClient
//	switch {
//	case os.Getenv("REDIS_CLUSTER") != "": // Redis Cluster, Valkey cluster
//		rdb = redis.NewClusterClient(&redis.ClusterOptions{
//			Addrs: strings.Split(os.Getenv("REDIS_CLUSTER"), ","),
//		})
//	case os.Getenv("REDIS_ADDR") != "": // a Redis or Valkey server
//		rdb = redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
//	default: // in-process
//		db, _ := kevy.Open("", nil)
//		rdb = goredis.NewClient(db, nil)
//	}
//
// Code meant to also run on a cluster should follow the cluster's rule
// that the keys of one multi-key command (MSET, SUNIONSTORE, a
// transaction) share a hash slot, by giving them a common hash tag such
// as "{user:42}:profile" and "{user:42}:sessions". kevy accepts such
// commands whatever the slots, so test them against a real cluster too;
// kevy places keys by the same CRC16 slot function as Redis Cluster.
//
// Dialer plugs the in-memory connections into any other go-redis options
// type, for instance redis.UniversalOptions.
//
// # rueidis
//
// NewRueidis does the same for github.com/redis/rueidis. rueidis relies
// on RESP3 and, unless told otherwise, on CLIENT TRACKING for its
// client-side cache; kevy has no tracking yet, so NewRueidis sets
// ClientOption.DisableCache, and ForceSingleClient to skip rueidis's
// cluster probe. Do, DoMulti and rueidis's automatic pipelining work as
// with Redis; DoCache falls back to Do.
package goredis
