package goredis_test

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/kevydb/kevy/goredis"
	"github.com/kevydb/kevy/server"
)

// startRedis runs a real redis-server on a free loopback port until the
// benchmark ends, or skips when there is none.
func startRedis(b *testing.B) string {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		b.Skip("redis-server not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := "127.0.0.1:" + port
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			b.Fatal("redis-server did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkGet measures the latency of one GET through go-redis, one
// request at a time: in memory (portless), over loopback TCP to a kevy
// server, and over loopback TCP to a real redis-server.
func BenchmarkGet(b *testing.B) {
	value := strings.Repeat("v", 100)
	clients := []struct {
		name string
		mk   func(b *testing.B) *redis.Client
	}{
		{"memory", func(b *testing.B) *redis.Client {
			return goredis.NewClient(openDB(b), nil)
		}},
		{"tcp-kevy", func(b *testing.B) *redis.Client {
			return redis.NewClient(&redis.Options{Addr: serveTCP(b, server.New(openDB(b), nil))})
		}},
		{"tcp-redis", func(b *testing.B) *redis.Client {
			return redis.NewClient(&redis.Options{Addr: startRedis(b)})
		}},
	}
	for _, cl := range clients {
		b.Run(cl.name, func(b *testing.B) {
			rdb := cl.mk(b)
			defer rdb.Close()
			ctx := context.Background()
			if err := rdb.Set(ctx, "key", value, 0).Err(); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := rdb.Get(ctx, "key").Err(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGetParallel measures GET throughput with concurrent callers
// sharing one client (and its connection pool).
func BenchmarkGetParallel(b *testing.B) {
	rdb := goredis.NewClient(openDB(b), nil)
	defer rdb.Close()
	ctx := context.Background()
	rdb.Set(ctx, "key", "value", 0)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := rdb.Get(ctx, "key").Err(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
