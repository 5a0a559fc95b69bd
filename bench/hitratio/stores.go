package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/dgraph-io/ristretto/v2"
	"github.com/kevydb/kevy"
	"github.com/maypok86/otter/v2"
)

// store is a cache under test. The driver asks for a batch of keys with
// get, then stores the misses with set (cache-aside), so that every store,
// the pipelined Redis included, sees the same sequence of operations.
type store interface {
	get(keys []string, hit []bool)
	set(keys []string, value []byte)
	// stats reports the keys held and the bytes the store accounts
	// against its limit (-1 when it does not say).
	stats() (keys int, used int64)
	close()
}

// ---- kevy ----

type kevyStore struct {
	db  *kevy.DB
	buf []byte
}

func newKevy(maxmemory int64, policy string) (*kevyStore, error) {
	p, err := kevy.ParseEvictionPolicy(policy)
	if err != nil {
		return nil, err
	}
	db, err := kevy.Open("", &kevy.Options{MaxMemory: maxmemory, EvictionPolicy: p})
	if err != nil {
		return nil, err
	}
	return &kevyStore{db: db, buf: make([]byte, 0, 256)}, nil
}

func (s *kevyStore) get(keys []string, hit []bool) {
	for i, k := range keys {
		var err error
		s.buf, err = s.db.AppendGet(s.buf[:0], k)
		hit[i] = err == nil
	}
}

func (s *kevyStore) set(keys []string, v []byte) {
	for _, k := range keys {
		if err := s.db.Set(k, v); err != nil {
			panic(err)
		}
	}
}

func (s *kevyStore) stats() (int, int64) {
	n, _ := s.db.DBSize()
	return n, s.db.UsedMemory()
}

func (s *kevyStore) close() { s.db.Close() }

// ---- otter ----

// perEntryCost is charged to otter and ristretto on top of the key and
// value bytes, so that their byte budget covers a bookkeeping share as
// kevy's and Redis's do; it is ristretto's own internal cost per item.
const perEntryCost = 56

type otterStore struct {
	c   *otter.Cache[string, []byte]
	max int64
}

func newOtter(maxmemory int64) *otterStore {
	c := otter.Must(&otter.Options[string, []byte]{
		MaximumWeight: uint64(maxmemory),
		Weigher: func(k string, v []byte) uint32 {
			return uint32(len(k) + len(v) + perEntryCost)
		},
	})
	return &otterStore{c: c, max: maxmemory}
}

func (s *otterStore) get(keys []string, hit []bool) {
	for i, k := range keys {
		_, hit[i] = s.c.GetIfPresent(k)
	}
}

// The Go caches store what they are given, so each entry gets its own
// copy of the key and value, as the keyspace of kevy or Redis holds.
func (s *otterStore) set(keys []string, v []byte) {
	for _, k := range keys {
		s.c.Set(strings.Clone(k), bytes.Clone(v))
	}
}

func (s *otterStore) stats() (int, int64) { return s.c.EstimatedSize(), -1 }
func (s *otterStore) close()              {}

// ---- ristretto ----

type ristrettoStore struct {
	c *ristretto.Cache[string, []byte]
}

func newRistretto(maxmemory int64, keys int) (*ristrettoStore, error) {
	c, err := ristretto.NewCache(&ristretto.Config[string, []byte]{
		NumCounters: int64(keys) * 10 / 4, // 10x the items that fit (about a quarter of the keys at most)
		MaxCost:     maxmemory,
		BufferItems: 64,
	})
	if err != nil {
		return nil, err
	}
	return &ristrettoStore{c: c}, nil
}

func (s *ristrettoStore) get(keys []string, hit []bool) {
	for i, k := range keys {
		_, hit[i] = s.c.Get(k)
	}
}

func (s *ristrettoStore) set(keys []string, v []byte) {
	for _, k := range keys {
		s.c.Set(strings.Clone(k), bytes.Clone(v), int64(len(k)+len(v)))
	}
	s.c.Wait() // Set is asynchronous: make the batch visible
}

func (s *ristrettoStore) stats() (int, int64) { return -1, -1 }
func (s *ristrettoStore) close()              { s.c.Close() }

// ---- redis-server over a raw RESP pipeline ----

type redisStore struct {
	cmd  *exec.Cmd
	conn net.Conn
	r    *bufio.Reader
	w    *bufio.Writer
}

// startRedis runs redis-server on a free loopback port with the limit and
// policy, without persistence.
func startRedis(path string, maxmemory int64, policy string) (*redisStore, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--maxmemory", strconv.FormatInt(maxmemory, 10), "--maxmemory-policy", policy)
	cmd.Stdout, cmd.Stderr = nil, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var conn net.Conn
	for i := 0; ; i++ {
		conn, err = net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			break
		}
		if i == 100 {
			cmd.Process.Kill()
			cmd.Wait()
			return nil, fmt.Errorf("redis-server did not start: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &redisStore{cmd: cmd, conn: conn, r: bufio.NewReaderSize(conn, 1<<16), w: bufio.NewWriterSize(conn, 1<<16)}, nil
}

func (s *redisStore) write(args ...[]byte) {
	s.w.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		s.w.WriteString("$" + strconv.Itoa(len(a)) + "\r\n")
		s.w.Write(a)
		s.w.WriteString("\r\n")
	}
}

// reply reads one reply: its type byte and payload (nil for a null).
func (s *redisStore) reply() (byte, []byte) {
	line, err := s.r.ReadSlice('\n')
	if err != nil {
		panic(err)
	}
	t, body := line[0], bytes.TrimRight(line[1:], "\r\n")
	switch t {
	case '$':
		n, _ := strconv.Atoi(string(body))
		if n < 0 {
			return t, nil
		}
		b := make([]byte, n+2)
		if _, err := ioReadFull(s.r, b); err != nil {
			panic(err)
		}
		return t, b[:n]
	case '-':
		panic(errors.New("redis: " + string(body)))
	}
	return t, append([]byte(nil), body...)
}

func ioReadFull(r *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

var (
	getCmd = []byte("GET")
	setCmd = []byte("SET")
)

func (s *redisStore) get(keys []string, hit []bool) {
	for _, k := range keys {
		s.write(getCmd, []byte(k))
	}
	s.w.Flush()
	for i := range keys {
		_, b := s.reply()
		hit[i] = b != nil
	}
}

func (s *redisStore) set(keys []string, v []byte) {
	for _, k := range keys {
		s.write(setCmd, []byte(k), v)
	}
	s.w.Flush()
	for range keys {
		s.reply()
	}
}

func (s *redisStore) stats() (int, int64) {
	s.write([]byte("DBSIZE"))
	s.write([]byte("INFO"), []byte("memory"))
	s.w.Flush()
	_, n := s.reply()
	_, info := s.reply()
	keys, _ := strconv.Atoi(string(n))
	var used int64
	for _, l := range strings.Split(string(info), "\r\n") {
		if v, ok := strings.CutPrefix(l, "used_memory:"); ok {
			used, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	return keys, used
}

func (s *redisStore) close() {
	s.write([]byte("SHUTDOWN"), []byte("NOSAVE"))
	s.w.Flush()
	s.conn.Close()
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// heapLive returns the live heap after a full collection.
func heapLive() int64 {
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}
