package difftest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/resp"
)

// Scripts for transactions (MULTI, EXEC, DISCARD, WATCH, UNWATCH) and
// the blocking sorted-set pops, on one connection; then scripts that need
// several connections (WATCH seeing another client's write, a blocked
// client woken by another one), run by TestMultiConnScripts.

func init() {
	addScripts(
		Script{Name: "tx/multi-exec", Src: `
MULTI
SET a 1
INCR a
INCR a
GET a
LPUSH a x
EXEC
GET a
MULTI
EXEC
EXEC
DISCARD
MULTI
MULTI
PING
DISCARD
DISCARD
MULTI
WATCH x
SET x 1
EXEC
MULTI
UNWATCH
EXEC
`},
		Script{Name: "tx/execabort", Src: `
MULTI
SET k v
NOSUCHCMD a
EXEC
GET k
MULTI
GET
EXEC
MULTI
SET k
SET k v
EXEC
GET k
MULTI
EXEC x
EXEC
MULTI
OBJECT NOSUCH k
EXEC
MULTI
OBJECT ENCODING
EXEC
MULTI
DISCARD x
EXEC
MULTI
MULTI x
EXEC
MULTI
WATCH
EXEC
MULTI
UNWATCH x
EXEC
WATCH
UNWATCH x
`},
		Script{Name: "tx/runtime-errors", Src: `
SET s str
RPUSH l a b
MULTI
INCR s
LPOP l
HSET s f v
SET n 5
INCRBY n notanumber
GET n
ZADD z x m
SET s other
EXEC
GET s
LRANGE l 0 -1
`},
		Script{Name: "tx/select-and-blocking", Src: `
MULTI
SELECT 1
SET q 1
SELECT 0
BLPOP nol 0
BRPOP nol 0
BLMOVE a1 b1 LEFT LEFT 0
BRPOPLPUSH a1 b1 0
BLMPOP 0 1 nol LEFT
BZPOPMIN noz 0
BZPOPMAX noz 0
BZMPOP 0 1 noz MIN
EXEC
GET q
SELECT 1
GET q
SELECT 0
RPUSH l x
ZADD z 1 m
MULTI
BLPOP l 0
BZPOPMIN z 0
EXEC
`},
		Script{Name: "tx/watch-one-conn", Src: `
WATCH a
SET a 1
MULTI
GET a
EXEC
WATCH a b a
MULTI
GET a
EXEC
WATCH a
UNWATCH
SET a 2
MULTI
GET a
EXEC
WATCH a
MULTI
DISCARD
SET a 3
MULTI
GET a
EXEC
WATCH nokey
DEL nokey
MULTI
PING
EXEC
WATCH a
GET a
EXISTS a
MULTI
PING
EXEC
SET e 1 PX 60
WATCH e
!sleep 120
MULTI
PING
EXEC
WATCH a
SELECT 1
SET a 1
MULTI
PING
EXEC
SELECT 0
`},
		Script{Name: "zset/bzpop", Src: `
BZPOPMIN
BZPOPMIN z
BZPOPMIN z x
BZPOPMIN z -1
BZPOPMAX z x
SET s 1
BZPOPMIN s 0
BZPOPMIN nz s 0
ZADD z 1 a 2 b 3 c
BZPOPMIN s z 0
BZPOPMIN nz z 0
BZPOPMAX z 0.01
BZPOPMAX nz 0.01
BZPOPMIN nz 0.01
BZPOPMIN z 0
EXISTS z
ZADD z 1.5 a inf b -inf c
BZPOPMIN z 0
BZPOPMAX z 0
BZPOPMIN z 0
EXISTS z
`},
		Script{Name: "zset/bzmpop", Src: `
BZMPOP
BZMPOP 0
BZMPOP 0 1
BZMPOP 0 1 z
ZADD z 1 a 2 b 3 c
SET s 1
BZMPOP x 1 z MIN
BZMPOP 0 0 z MIN
BZMPOP x 0 z MIN
BZMPOP 0 1 z FOO
BZMPOP x 1 z FOO
BZMPOP -1 1 z MIN
BZMPOP 0 5 z MIN
BZMPOP 0 1 z MIN COUNT 0
BZMPOP 0 1 z MIN COUNT -1
BZMPOP 0 1 z MIN COUNT x
BZMPOP 0 2 s z MIN
BZMPOP 0 2 nz s MIN
BZMPOP 0 1 z MIN COUNT 1 COUNT 2
BZMPOP 0 1 z min count 1
BZMPOP 0 2 nz z MAX COUNT 5
BZMPOP 0.01 1 z MAX
BZMPOP 0.01 2 nz z MIN COUNT 3
EXISTS z
`},
	)
}

// ---- several connections ----

// sendCmd writes one command without reading its reply.
func (c *Conn) sendCmd(args [][]byte) error {
	c.wbuf = resp.AppendCommand(c.wbuf[:0], args...)
	c.nc.SetDeadline(time.Now().Add(IOTimeout))
	_, err := c.nc.Write(c.wbuf)
	return err
}

// readReply reads the reply to a command sent with sendCmd and returns
// its exact bytes.
func (c *Conn) readReply() ([]byte, error) {
	c.nc.SetDeadline(time.Now().Add(IOTimeout))
	start := len(c.rec.buf) - c.rd.Buffered()
	if _, err := c.rd.ReadValue(); err != nil {
		return nil, fmt.Errorf("%s: reading a pending reply: %w", c.name, err)
	}
	if c.rd.Buffered() != 0 {
		return nil, fmt.Errorf("%s: unexpected extra bytes after a pending reply", c.name)
	}
	out := append([]byte(nil), c.rec.buf[start:]...)
	c.rec.buf = c.rec.buf[:0]
	return out, nil
}

// connSet is one server's side of a multi-connection script: named
// client connections and a control connection that watches them.
type connSet struct {
	name  string
	conns map[string]*Conn
	ids   map[string]string
	ctl   *Conn
}

func dialSet(t *testing.T, name, addr string, labels []string) *connSet {
	t.Helper()
	cs := &connSet{name: name, conns: map[string]*Conn{}, ids: map[string]string{}}
	for _, l := range append([]string{"ctl"}, labels...) {
		c, err := Dial(name+"/"+l, addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if l == "ctl" {
			cs.ctl = c
			continue
		}
		cs.conns[l] = c
		r, err := c.DoStrings("CLIENT", "ID")
		if err != nil {
			t.Fatal(err)
		}
		cs.ids[l] = strings.TrimSuffix(strings.TrimPrefix(string(r), ":"), "\r\n")
	}
	return cs
}

// reset puts every connection back in a fresh state speaking proto, on
// an empty server.
func (cs *connSet) reset(proto int) error {
	for _, c := range append([]*Conn{cs.ctl}, cs.connList()...) {
		if _, err := c.DoStrings("RESET"); err != nil {
			return err
		}
		if err := c.Reset(proto); err != nil {
			return err
		}
	}
	return nil
}

func (cs *connSet) connList() []*Conn {
	var out []*Conn
	for _, c := range cs.conns {
		out = append(out, c)
	}
	return out
}

// waitBlocked waits until the connection labelled l is blocked, as CLIENT
// LIST reports it (flags=b).
func (cs *connSet) waitBlocked(l string) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, err := cs.ctl.DoStrings("CLIENT", "LIST", "ID", cs.ids[l])
		if err != nil {
			return err
		}
		if strings.Contains(string(r), " flags=b ") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: connection %s never blocked: %q", cs.name, l, r)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// mcStep is one line of a multi-connection script: "A: cmd" runs cmd on
// connection A and compares its reply; "A& cmd" only sends it; "A<" reads
// and compares the reply of what A sent; "A!blocked" waits until A is
// blocked. "$A" in an argument stands for connection A's client id.
type mcStep struct {
	conn string
	op   byte // ':', '&', '<', '!'
	args []string
	line int
}

func parseMultiConn(src string) ([]mcStep, error) {
	var out []mcStep
	for i, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		j := strings.IndexAny(line, ":&<!")
		if j <= 0 {
			return nil, fmt.Errorf("line %d: no connection label: %q", i+1, line)
		}
		st := mcStep{conn: line[:j], op: line[j], line: i + 1}
		rest := strings.TrimSpace(line[j+1:])
		switch st.op {
		case ':', '&':
			args, err := SplitArgs(rest)
			if err != nil || len(args) == 0 {
				return nil, fmt.Errorf("line %d: bad command %q", i+1, rest)
			}
			st.args = args
		case '!':
			if rest != "blocked" {
				return nil, fmt.Errorf("line %d: unknown wait %q", i+1, rest)
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// step runs st on one side and returns the reply to compare (nil when
// there is none).
func (cs *connSet) step(st mcStep) ([]byte, error) {
	c := cs.conns[st.conn]
	if c == nil {
		return nil, fmt.Errorf("no connection %q", st.conn)
	}
	args := make([][]byte, len(st.args))
	for i, a := range st.args {
		if strings.HasPrefix(a, "$") {
			if id, ok := cs.ids[a[1:]]; ok {
				a = id
			}
		}
		args[i] = []byte(a)
	}
	switch st.op {
	case ':':
		return c.Do(args)
	case '&':
		return nil, c.sendCmd(args)
	case '<':
		return c.readReply()
	}
	return nil, cs.waitBlocked(st.conn)
}

type multiConnScript struct {
	name   string
	labels []string
	src    string
}

var multiConnScripts = []multiConnScript{
	{"tx/watch-other-client", []string{"A", "B"}, `
A: WATCH k
B: SET k v
A: MULTI
A: GET k
A: EXEC
A: WATCH k
B: GET k
B: EXISTS k
A: MULTI
A: GET k
A: EXEC
A: WATCH k
B: DEL nokey
B: SET other 1
A: MULTI
A: EXEC
A: WATCH k
B: EXPIRE k 100
A: MULTI
A: EXEC
A: WATCH k
B: PERSIST k
A: MULTI
A: EXEC
A: WATCH k
B: INCR k
A: MULTI
A: EXEC
A: WATCH k
B: MULTI
B: SET k v2
B: EXEC
A: MULTI
A: GET k
A: EXEC
A: WATCH k
B: FLUSHDB
A: MULTI
A: EXEC
A: WATCH k
B: FLUSHDB
A: MULTI
A: EXEC
B: SET k v
A: WATCH k
B: SWAPDB 0 1
A: MULTI
A: EXEC
A: WATCH k
B: SWAPDB 0 1
A: MULTI
A: EXEC
A: WATCH k
B: SELECT 1
B: SET k x
B: SELECT 0
A: MULTI
A: EXEC
A: WATCH k
B: RENAME k k2
A: MULTI
A: EXEC
A: WATCH k
B: RENAME k2 k
A: MULTI
A: EXEC
A: WATCH k
B: MOVE k 1
A: MULTI
A: EXEC
`},
	{"tx/blocking-woken", []string{"A", "B"}, `
A& BLPOP l 0
A!blocked
B: RPUSH l x y
A<
B: LRANGE l 0 -1
A& BZPOPMIN z 0
A!blocked
B: ZADD z 1 a 2 b
A<
B: ZPOPMIN z
A& BZMPOP 0 2 z2 z MAX COUNT 2
A!blocked
B: ZADD z 1 a 2 b 3 c
A<
B: DEL z
A& BZPOPMAX z z2 0
A!blocked
B: ZINCRBY z2 4 m
A<
A& BLPOP l2 0
A!blocked
B: MULTI
B: LPUSH l2 a
B: LPUSH l2 b
B: EXEC
A<
A& BZPOPMIN {t}d 0
A!blocked
B: ZADD {t}s 5 m
B: RENAME {t}s {t}d
A<
A& BZPOPMIN {t}d 0
A!blocked
B: ZADD {t}s 6 n
B: ZUNIONSTORE {t}d 1 {t}s
A<
A& BLPOP l3 0
A!blocked
B: SELECT 1
B: RPUSH l3 v
B: MOVE l3 0
B: SELECT 0
A<
A& BLPOP l4 0
A!blocked
B: SELECT 1
B: RPUSH l4 w
B: SELECT 0
B: SWAPDB 0 1
A<
`},
	{"tx/conn-commands-queued", []string{"A"}, `
A: MULTI
A: CLIENT SETNAME txname
A: CLIENT GETNAME
A: ECHO hi
A: EXEC
A: CLIENT GETNAME
A: MULTI
A: CLIENT FOO
A: EXEC
A: MULTI
A: CLIENT GETNAME x
A: EXEC
A: MULTI
A: CLIENT
A: EXEC
A: MULTI
A: SET r 1
A: RESET
A: EXEC
A: GET r
`},
	{"tx/client-unblock", []string{"A", "B"}, `
B: CLIENT UNBLOCK $A
A& BLPOP l 0
A!blocked
B: CLIENT UNBLOCK $A ERROR
A<
A& BZPOPMIN z 0
A!blocked
B: CLIENT UNBLOCK $A TIMEOUT
A<
A& BLMOVE l d LEFT LEFT 0
A!blocked
B: CLIENT UNBLOCK $A
A<
A& BZMPOP 0 1 z MIN
A!blocked
B: CLIENT UNBLOCK $A error
A<
B: CLIENT UNBLOCK $A
A: PING
`},
}

// TestMultiConnScripts runs the multi-connection scripts on redis-server
// and on kevy's server, under RESP2 and RESP3, and compares every reply.
func TestMultiConnScripts(t *testing.T) {
	srv := SharedRedis(t)
	ks, err := StartKevyServer(&kevy.Options{Shards: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Stop()
	for _, sc := range multiConnScripts {
		steps, err := parseMultiConn(sc.src)
		if err != nil {
			t.Fatalf("%s: %v", sc.name, err)
		}
		for _, proto := range []int{2, 3} {
			t.Run(sc.name+"/resp"+strconv.Itoa(proto), func(t *testing.T) {
				rs := dialSet(t, "redis", srv.Addr, sc.labels)
				kv := dialSet(t, "kevy-server", ks.Addr, sc.labels)
				if err := rs.reset(proto); err != nil {
					t.Fatal(err)
				}
				if err := kv.reset(proto); err != nil {
					t.Fatal(err)
				}
				for _, st := range steps {
					ra, err := rs.step(st)
					if err != nil {
						t.Fatalf("line %d: %v", st.line, err)
					}
					rb, err := kv.step(st)
					if err != nil {
						t.Fatalf("line %d: %v", st.line, err)
					}
					if ra == nil && rb == nil {
						continue
					}
					if why := Compare(Exact, 0, ra, rb); why != "" {
						t.Errorf("line %d: %s%c %s\n\tredis: %q\n\tkevy:  %q", st.line, st.conn, st.op, strings.Join(st.args, " "), ra, rb)
					}
				}
			})
		}
	}
}

func TestParseMultiConn(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want []mcStep
		err  bool
	}{
		{"A: GET k\nB& BLPOP l 0\nB!blocked\nB<", []mcStep{
			{conn: "A", op: ':', args: []string{"GET", "k"}, line: 1},
			{conn: "B", op: '&', args: []string{"BLPOP", "l", "0"}, line: 2},
			{conn: "B", op: '!', line: 3},
			{conn: "B", op: '<', line: 4},
		}, false},
		{"GET k", nil, true},
		{"A:", nil, true},
		{"A!sleep", nil, true},
	} {
		got, err := parseMultiConn(tc.src)
		if (err != nil) != tc.err {
			t.Errorf("%q: err %v", tc.src, err)
			continue
		}
		if err == nil && fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%q: got %v, want %v", tc.src, got, tc.want)
		}
	}
}
