package goredis_test

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/rueidis"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/goredis"
	"github.com/kevydb/kevy/server"
)

func TestRueidis(t *testing.T) {
	base := runtime.NumGoroutine()
	for _, resp2 := range []bool{false, true} {
		t.Run("RESP2="+strconv.FormatBool(resp2), func(t *testing.T) {
			db, err := kevy.Open("", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			c, err := goredis.NewRueidis(db, rueidis.ClientOption{AlwaysRESP2: resp2, ClientName: "rue"})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := c.Do(ctx, c.B().Set().Key("k").Value("v").Build()).Error(); err != nil {
				t.Fatal(err)
			}
			if v, err := c.Do(ctx, c.B().Get().Key("k").Build()).ToString(); err != nil || v != "v" {
				t.Fatalf("GET = %q, %v", v, err)
			}
			if err := c.Do(ctx, c.B().Get().Key("missing").Build()).Error(); !rueidis.IsRedisNil(err) {
				t.Fatalf("GET missing = %v", err)
			}
			// DoMulti pipelines; concurrent Do calls are auto-pipelined.
			cmds := make(rueidis.Commands, 0, 100)
			for range 100 {
				cmds = append(cmds, c.B().Incr().Key("n").Build())
			}
			res := c.DoMulti(ctx, cmds...)
			if n, err := res[99].AsInt64(); err != nil || n != 100 {
				t.Fatalf("INCR #100 = %d, %v", n, err)
			}
			if err := c.Do(ctx, c.B().Hget().Key("k").Field("f").Build()).Error(); err == nil || !strings.HasPrefix(err.Error(), "WRONGTYPE") {
				t.Fatalf("HGET on a string = %v", err)
			}
			info, err := c.Do(ctx, c.B().ClientInfo().Build()).ToString()
			if err != nil || !strings.Contains(info, "name=rue") {
				t.Fatalf("CLIENT INFO = %q, %v", info, err)
			}
			c.Close()
		})
	}
	waitGoroutines(t, base)

	// With a password.
	srv := server.New(openDB(t), &server.Config{RequirePass: "pw"})
	if _, err := goredis.NewServerRueidis(srv, rueidis.ClientOption{Password: "bad"}); err == nil || !strings.Contains(err.Error(), "WRONGPASS") {
		t.Fatalf("wrong password: %v", err)
	}
	c, err := goredis.NewServerRueidis(srv, rueidis.ClientOption{Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Do(context.Background(), c.B().Ping().Build()).Error(); err != nil {
		t.Fatal(err)
	}
}
