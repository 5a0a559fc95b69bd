package goredis_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/goredis"
	"github.com/kevydb/kevy/server"
)

// openDB opens an in-memory database closed with the test.
func openDB(t testing.TB) *kevy.DB {
	t.Helper()
	db, err := kevy.Open("", &kevy.Options{ManualExpiry: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// serveTCP serves srv on a loopback port, as "kevy serve" does, until the
// test ends, and returns the address.
func serveTCP(t testing.TB, srv *server.Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != server.ErrServerClosed {
			t.Errorf("Serve = %v", err)
		}
	})
	return l.Addr().String()
}

// transport makes a go-redis client of srv.
type transport struct {
	name string
	dial func(t testing.TB, srv *server.Server, opts *redis.Options) *redis.Client
}

var transports = []transport{
	{"memory", func(t testing.TB, srv *server.Server, opts *redis.Options) *redis.Client {
		return goredis.NewServerClient(srv, opts)
	}},
	{"tcp", func(t testing.TB, srv *server.Server, opts *redis.Options) *redis.Client {
		o := *opts
		o.Addr = serveTCP(t, srv)
		return redis.NewClient(&o)
	}},
}

// eachClient runs fn with a fresh database and a client of it for every
// transport and protocol version.
func eachClient(t *testing.T, cfg *server.Config, opts redis.Options, fn func(t *testing.T, db *kevy.DB, rdb *redis.Client)) {
	for _, tr := range transports {
		for _, proto := range []int{2, 3} {
			t.Run(tr.name+"/RESP"+strconv.Itoa(proto), func(t *testing.T) {
				db := openDB(t)
				o := opts
				o.Protocol = proto
				rdb := tr.dial(t, server.New(db, cfg), &o)
				defer rdb.Close()
				fn(t, db, rdb)
			})
		}
	}
}

// step is one client call and the expected result, formatted by check.
type step struct {
	name string
	do   func(ctx context.Context, rdb *redis.Client) redis.Cmder
	want string // fmt of the value, or "ERR: <prefix>" for an error
}

// result formats a command's outcome for comparison.
func result(cmd redis.Cmder) string {
	if err := cmd.Err(); err != nil {
		if err == redis.Nil {
			return "nil"
		}
		return "ERR: " + err.Error()
	}
	switch c := cmd.(type) {
	case *redis.StringCmd:
		return c.Val()
	case *redis.StatusCmd:
		return c.Val()
	case *redis.IntCmd:
		return strconv.FormatInt(c.Val(), 10)
	case *redis.BoolCmd:
		return strconv.FormatBool(c.Val())
	case *redis.FloatCmd:
		return strconv.FormatFloat(c.Val(), 'g', -1, 64)
	case *redis.DurationCmd:
		return c.Val().String()
	case *redis.SliceCmd:
		var parts []string
		for _, v := range c.Val() {
			if v == nil {
				parts = append(parts, "<nil>")
			} else {
				parts = append(parts, v.(string))
			}
		}
		return "[" + strings.Join(parts, " ") + "]"
	case *redis.StringSliceCmd:
		v := slices.Clone(c.Val())
		slices.Sort(v)
		return "[" + strings.Join(v, " ") + "]"
	}
	return "unhandled " + cmd.String()
}

func runSteps(t *testing.T, rdb *redis.Client, steps []step) {
	t.Helper()
	ctx := context.Background()
	for _, s := range steps {
		got := result(s.do(ctx, rdb))
		if strings.HasPrefix(s.want, "ERR: ") {
			if !strings.HasPrefix(got, s.want) {
				t.Errorf("%s = %q, want an error starting %q", s.name, got, s.want)
			}
		} else if got != s.want {
			t.Errorf("%s = %q, want %q", s.name, got, s.want)
		}
	}
}

type cmdFn = func(ctx context.Context, rdb *redis.Client) redis.Cmder

func TestStringAndKeyCommands(t *testing.T) {
	steps := []step{
		{"SET", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Set(ctx, "s", "hello", 0) }, "OK"},
		{"GET", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Get(ctx, "s") }, "hello"},
		{"GET missing", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Get(ctx, "nope") }, "nil"},
		{"APPEND", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Append(ctx, "s", " world") }, "11"},
		{"STRLEN", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.StrLen(ctx, "s") }, "11"},
		{"GETRANGE", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.GetRange(ctx, "s", 0, 4) }, "hello"},
		{"SETRANGE", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.SetRange(ctx, "s", 6, "WORLD") }, "11"},
		{"SETNX taken", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.SetNX(ctx, "s", "x", 0) }, "false"},
		{"INCR", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Incr(ctx, "n") }, "1"},
		{"INCRBY", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.IncrBy(ctx, "n", 41) }, "42"},
		{"DECR", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Decr(ctx, "n") }, "41"},
		{"INCRBYFLOAT", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.IncrByFloat(ctx, "f", 1.5) }, "1.5"},
		{"INCR not integer", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Incr(ctx, "s") }, "ERR: ERR value is not an integer or out of range"},
		{"MSET", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.MSet(ctx, "a", "1", "b", "2") }, "OK"},
		{"MGET", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.MGet(ctx, "a", "nope", "b") }, "[1 <nil> 2]"},
		{"GETDEL", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.GetDel(ctx, "b") }, "2"},
		{"EXISTS", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Exists(ctx, "a", "b", "s") }, "2"},
		{"SET EX", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Set(ctx, "t", "v", time.Minute) }, "OK"},
		{"TTL", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.TTL(ctx, "t") }, "1m0s"},
		{"PERSIST", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Persist(ctx, "t") }, "true"},
		{"TTL none", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.TTL(ctx, "t") }, "-1ns"},
		{"EXPIRE", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Expire(ctx, "t", time.Hour) }, "true"},
		{"TYPE", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Type(ctx, "t") }, "string"},
		{"RENAME", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Rename(ctx, "t", "t2") }, "OK"},
		{"RENAMENX", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.RenameNX(ctx, "t2", "a") }, "false"},
		{"KEYS", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Keys(ctx, "*") }, "[a f n s t2]"},
		{"DEL", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Del(ctx, "a", "nope") }, "1"},
		{"HSET", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.HSet(ctx, "h", "f", "v") }, "1"},
		{"GET wrong type", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Get(ctx, "h") }, "ERR: WRONGTYPE Operation against a key holding the wrong kind of value"},
		{"unknown command", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Do(ctx, "NOSUCH") }, "ERR: ERR unknown command 'NOSUCH'"},
		{"ECHO", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Echo(ctx, "hi") }, "hi"},
		{"PING", func(ctx context.Context, r *redis.Client) redis.Cmder { return r.Ping(ctx) }, "PONG"},
	}
	eachClient(t, nil, redis.Options{}, func(t *testing.T, db *kevy.DB, rdb *redis.Client) {
		runSteps(t, rdb, steps)
		// The data is the embedded database's.
		if v, err := db.Get("s"); err != nil || string(v) != "hello WORLD" {
			t.Fatalf("db.Get(s) = %q, %v", v, err)
		}
		var keys []string
		iter := rdb.Scan(context.Background(), 0, "*", 2).Iterator()
		for iter.Next(context.Background()) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Fatal(err)
		}
		slices.Sort(keys)
		if strings.Join(keys, " ") != "f h n s t2" {
			t.Fatalf("SCAN keys = %v", keys)
		}
	})
}

func TestPipeline(t *testing.T) {
	eachClient(t, nil, redis.Options{}, func(t *testing.T, db *kevy.DB, rdb *redis.Client) {
		ctx := context.Background()
		const n = 500
		pipe := rdb.Pipeline()
		for i := range n {
			pipe.Set(ctx, "k"+strconv.Itoa(i), i, 0)
		}
		incr := pipe.Incr(ctx, "k7")
		bad := pipe.HGet(ctx, "k8", "f")
		get := pipe.Get(ctx, "k499")
		cmds, err := pipe.Exec(ctx)
		if len(cmds) != n+3 {
			t.Fatalf("%d results, want %d", len(cmds), n+3)
		}
		if err == nil || !strings.HasPrefix(err.Error(), "WRONGTYPE") {
			t.Fatalf("Exec error = %v, want the WRONGTYPE of the HGET", err)
		}
		if incr.Val() != 8 || get.Val() != "499" || !strings.HasPrefix(bad.Err().Error(), "WRONGTYPE") {
			t.Fatalf("INCR %v, GET %v, HGET %v", incr, get, bad)
		}
		// Pipelined: a batch larger than any buffer.
		big := strings.Repeat("x", 100<<10)
		res, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := range 50 {
				p.Set(ctx, "big"+strconv.Itoa(i), big, 0)
				p.StrLen(ctx, "big"+strconv.Itoa(i))
			}
			return nil
		})
		if err != nil || len(res) != 100 {
			t.Fatalf("Pipelined = %d results, %v", len(res), err)
		}
		if l := res[99].(*redis.IntCmd).Val(); l != int64(len(big)) {
			t.Fatalf("STRLEN = %d", l)
		}
		if size, _ := db.Do(ctx, "DBSIZE"); size.String() != strconv.Itoa(n+50) {
			t.Fatalf("DBSIZE = %v", size)
		}
	})
}

func TestProtocolVersion(t *testing.T) {
	eachClient(t, nil, redis.Options{}, func(t *testing.T, db *kevy.DB, rdb *redis.Client) {
		ctx := context.Background()
		info, err := rdb.ClientInfo(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		want := rdb.Options().Protocol
		if info.Resp != want || info.DB != 0 || info.ID <= 0 {
			t.Fatalf("CLIENT INFO = %+v, want resp=%d", info, want)
		}
		// A RESP3 map reply and its RESP2 flat form read the same.
		rdb.HSet(ctx, "h", "a", "1", "b", "2")
		if m, err := rdb.HGetAll(ctx, "h").Result(); err != nil || len(m) != 2 || m["b"] != "2" {
			t.Fatalf("HGETALL = %v, %v", m, err)
		}
		hello, err := rdb.Do(ctx, "HELLO").Result()
		if err != nil {
			t.Fatal(err)
		}
		var proto any
		switch h := hello.(type) {
		case map[any]any:
			proto = h["proto"]
		case []any:
			proto = h[5]
		}
		if proto != int64(want) {
			t.Fatalf("HELLO proto = %v (%T), want %d", proto, hello, want)
		}
	})
}

func TestAuth(t *testing.T) {
	cfg := &server.Config{RequirePass: "s3cret"}
	ctx := context.Background()
	for _, tr := range transports {
		for _, proto := range []int{2, 3} {
			t.Run(tr.name+"/RESP"+strconv.Itoa(proto), func(t *testing.T) {
				srv := server.New(openDB(t), cfg)
				tests := []struct {
					name, user, pass string
					want             string // error prefix, "" for success
				}{
					{"password", "", "s3cret", ""},
					{"user and password", "default", "s3cret", ""},
					{"wrong password", "", "nope", "WRONGPASS"},
					{"wrong user", "bob", "s3cret", "WRONGPASS"},
					{"no password", "", "", "NOAUTH"},
				}
				for _, tc := range tests {
					rdb := tr.dial(t, srv, &redis.Options{Protocol: proto, Username: tc.user, Password: tc.pass, MaxRetries: -1})
					err := rdb.Set(ctx, "k", "v", 0).Err()
					rdb.Close()
					switch {
					case tc.want == "" && err != nil:
						t.Errorf("%s: %v", tc.name, err)
					case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
						t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want)
					}
				}
			})
		}
	}
}

func TestConnectionCommands(t *testing.T) {
	eachClient(t, nil, redis.Options{ClientName: "app", DB: 3}, func(t *testing.T, db *kevy.DB, rdb *redis.Client) {
		ctx := context.Background()
		if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		db3, _ := db.Database(3)
		if v, err := db3.Get("k"); err != nil || string(v) != "v" {
			t.Fatalf("key not in database 3: %q, %v", v, err)
		}
		info, err := rdb.ClientInfo(ctx).Result()
		if err != nil || info.Name != "app" || info.DB != 3 || info.User != "default" || info.LastCmd != "client|info" {
			t.Fatalf("CLIENT INFO = %+v, %v", info, err)
		}
		list, err := rdb.ClientList(ctx).Result()
		if err != nil || !strings.Contains(list, "name=app") {
			t.Fatalf("CLIENT LIST = %q, %v", list, err)
		}
		// go-redis parses the whole COMMAND table.
		cmds, err := rdb.Command(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		get := cmds["get"]
		if get == nil || get.Arity != 2 || !get.ReadOnly || get.FirstKeyPos != 1 || !slices.Contains(get.ACLFlags, "@string") {
			t.Fatalf("COMMAND get = %+v", get)
		}
		if cmds["client"] == nil || cmds["hello"] == nil || len(cmds) < 100 {
			t.Fatalf("COMMAND has %d commands", len(cmds))
		}
		keys, err := rdb.CommandGetKeys(ctx, "MSET", "a", "1", "b", "2").Result()
		if err != nil || strings.Join(keys, ",") != "a,b" {
			t.Fatalf("COMMAND GETKEYS = %v, %v", keys, err)
		}
		n, err := rdb.Do(ctx, "COMMAND", "COUNT").Int()
		if err != nil || n != len(cmds) {
			t.Fatalf("COMMAND COUNT = %d, %v; COMMAND has %d", n, err, len(cmds))
		}
	})
}

// waitGoroutines waits for the goroutine count to fall back to base.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines left, had %d:\n%s", runtime.NumGoroutine(), base, buf)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCloseLeavesNoGoroutine(t *testing.T) {
	base := runtime.NumGoroutine()
	for _, proto := range []int{2, 3} {
		db, err := kevy.Open("", nil) // with the background expiry goroutine
		if err != nil {
			t.Fatal(err)
		}
		rdb := goredis.NewClient(db, &redis.Options{Protocol: proto, PoolSize: 4})
		ctx := context.Background()
		errs := make(chan error, 8)
		for i := range 8 {
			go func() {
				for j := range 50 {
					k := strconv.Itoa(i*100 + j)
					if err := rdb.Set(ctx, k, k, 0).Err(); err != nil {
						errs <- err
						return
					}
				}
				_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
					p.Get(ctx, strconv.Itoa(i*100))
					p.Incr(ctx, "n")
					return nil
				})
				errs <- err
			}()
		}
		for range 8 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if n, _ := db.Do(ctx, "DBSIZE"); n.String() != "401" {
			t.Fatalf("DBSIZE = %v", n)
		}
		if err := rdb.Close(); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	waitGoroutines(t, base)
}

func TestServerShutdownClosesClients(t *testing.T) {
	db := openDB(t)
	srv := server.New(db, nil)
	rdb := goredis.NewServerClient(srv, &redis.Options{MaxRetries: -1})
	defer rdb.Close()
	ctx := context.Background()
	if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	err := rdb.Get(ctx, "k").Err()
	if err == nil {
		t.Fatal("GET succeeded after the server shut down")
	}
	if !errors.Is(err, server.ErrServerClosed) && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "closed") {
		t.Fatalf("GET after Shutdown: %v", err)
	}
}

func TestDialerHonoursContext(t *testing.T) {
	dial := goredis.Dialer(server.New(openDB(t), nil))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := dial(ctx, "tcp", "ignored:1"); !errors.Is(err, context.Canceled) {
		t.Fatalf("dial with a cancelled context = %v", err)
	}
	nc, err := dial(context.Background(), "tcp", "ignored:1")
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
}
