package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/kevydb/kevy/internal/difftest"
	"github.com/kevydb/kevy/internal/resp"
	"github.com/kevydb/kevy/server"
)

// aclScript is the differential ACL script: each line is "N command",
// run on connection N of both servers, the replies compared byte for
// byte (difftest directives such as [type] apply). "N !closed" checks
// that the server closed connection N. Users whose rules are shown by
// GETUSER or LIST differ from their category rules by at most one
// command, because Redis lists single commands in hash-table order.
const aclScript = `
1 ACL WHOAMI
1 ACL USERS
1 ACL GETUSER default
1 ACL LIST
1 ACL GETUSER nosuch
1 CLIENT SETNAME one

# Creating users, flags and passwords.
1 ACL SETUSER alice
1 ACL GETUSER alice
1 ACL SETUSER alice on >secret >other <other nopass >again resetpass >pw #5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
1 ACL GETUSER alice
1 ACL SETUSER alice !5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
1 ACL GETUSER alice
1 ACL SETUSER alice sanitize-payload
1 ACL GETUSER alice
1 ACL SETUSER alice skip-sanitize-payload OFF ON
1 ACL LIST
1 ACL SETUSER alice reset
1 ACL GETUSER alice
1 ACL SETUSER "" on
1 ACL GETUSER ""
1 ACL USERS

# Key and channel patterns.
1 ACL SETUSER keys ~a ~a %R~a %W~b %RW~c %rw~d %R %RW ~ %W~* &x &x &y &
1 ACL GETUSER keys
1 ACL SETUSER keys resetkeys allkeys
1 ACL GETUSER keys
1 ACL SETUSER keys ~z
1 ACL SETUSER keys %R~z
1 ACL SETUSER keys resetkeys ~z ~* resetchannels &c allchannels
1 ACL GETUSER keys
1 ACL SETUSER keys &more
1 ACL SETUSER keys resetchannels &p* resetkeys
1 ACL LIST

# Command rules.
1 ACL SETUSER cmds +@all -@string +set
1 ACL GETUSER cmds
1 ACL SETUSER cmds -@all +@read -get
1 ACL GETUSER cmds
1 ACL SETUSER cmds nocommands +config -config|get
1 ACL GETUSER cmds
1 ACL SETUSER cmds -@all +config|get +config
1 ACL GETUSER cmds
1 ACL SETUSER cmds -@all +config|get -config|get
1 ACL GETUSER cmds
1 ACL SETUSER cmds +@ALL -@Read
1 ACL GETUSER cmds
1 ACL SETUSER cmds allcommands -@hash -@list
1 ACL GETUSER cmds
1 ACL SETUSER cmds -@all +GET
1 ACL GETUSER cmds
1 ACL SETUSER cmds -@all +select|0
1 ACL GETUSER cmds
1 ACL SETUSER cmds -@all +select +select|0
1 ACL GETUSER cmds
1 ACL SETUSER cmds -select +select|1 +@all
1 ACL GETUSER cmds
1 ACL SETUSER cmds -@all +@pubsub
1 ACL GETUSER cmds

# Selectors.
1 ACL SETUSER sel "(~foo +get)" "(%R~bar &c* +@read)"
1 ACL GETUSER sel
1 ACL LIST
1 ACL SETUSER sel clearselectors "(" ")" "( ~a  +get )"
1 ACL GETUSER sel
1 ACL SETUSER sel reset
1 ACL GETUSER sel

# Errors; a failing SETUSER changes nothing.
1 ACL SETUSER
1 ACL SETUSER "a b" on
1 ACL SETUSER err bogus
1 ACL SETUSER err ~ok +bogus
1 ACL GETUSER err
1 ACL SETUSER err +get|foo
1 ACL SETUSER err +config|bogus
1 ACL SETUSER err +config|get|x
1 ACL SETUSER err +select|0|1
1 ACL SETUSER err -select|0
1 ACL SETUSER err +get|
1 ACL SETUSER err +|x
1 ACL SETUSER err +@bogus
1 ACL SETUSER err -@bogus
1 ACL SETUSER err "+get x"
1 ACL SETUSER err #abc
1 ACL SETUSER err !abc
1 ACL SETUSER err #000000000000000000000000000000000000000000000000000000000000000A
1 ACL SETUSER err <nothere
1 ACL SETUSER err %X~foo
1 ACL SETUSER err %~foo
1 ACL SETUSER err %RWR~foo
1 ACL SETUSER err "~a b"
1 ACL SETUSER err "&a b"
1 ACL SETUSER err allkeys %R~a
1 ACL SETUSER err allchannels &b
1 ACL SETUSER err "(~foo +get"
1 ACL SETUSER err "(~a" "+get"
1 ACL SETUSER err "(~foo bogus)"
1 ACL SETUSER err "(+bogus)"
1 ACL SETUSER err "(on)"
1 ACL SETUSER err "(reset)"
1 ACL SETUSER err ")"
1 ACL SETUSER err "(~a) +get"
1 ACL SETUSER err "(~a (+get)"
1 ACL GETUSER err
1 ACL SETUSER err "(~a" on "+get)"
1 ACL SETUSER err "(~a" "+get)"
1 ACL GETUSER err

# Other subcommands.
1 ACL DELUSER default
1 ACL DELUSER nosuch err
1 ACL DELUSER err
1 ACL CAT
1 ACL CAT bogus
1 ACL CAT a b
1 [type] ACL GENPASS
1 [type] ACL GENPASS 1
1 [type] ACL GENPASS 4096
1 ACL GENPASS 0
1 ACL GENPASS 4097
1 ACL GENPASS abc
1 ACL GENPASS 1 2
1 ACL LOAD
1 ACL SAVE
1 ACL LOG abc
1 ACL LOG a b
1 ACL LOG RESET
1 ACL LOG
1 ACL HELP
1 ACL
1 ACL bogus
1 ACL WHOAMI x
1 ACL GETUSER
1 ACL USERS x
1 ACL DRYRUN default
1 ACL DRYRUN nosuch get x
1 ACL DRYRUN default bogus
1 ACL DRYRUN default get
1 ACL DRYRUN default config bogus
1 ACL DRYRUN default config
1 ACL DRYRUN default config|get x
1 ACL DRYRUN default get x

# Enforcement.
1 ACL SETUSER bob on >pw ~k* &ch* +@read -@keyspace +set +multi +exec +publish +subscribe +psubscribe +unsubscribe +punsubscribe +config|get +ping +acl|whoami +select|0
1 ACL DRYRUN bob get k1
1 ACL DRYRUN bob get x1
1 ACL DRYRUN bob set k1 v
1 ACL DRYRUN bob del k1
1 ACL DRYRUN bob publish ch1 hi
1 ACL DRYRUN bob publish zz hi
1 ACL DRYRUN bob config get maxmemory
1 ACL DRYRUN bob config set maxmemory 0
1 ACL DRYRUN bob select 0
1 ACL DRYRUN bob select 1
2 AUTH bob wrong
2 AUTH nobody pw
2 HELLO 2 AUTH bob wrong
2 AUTH bob pw
2 ACL WHOAMI
2 GET k1
2 GET x1
2 MGET k1 k2
2 MGET k1 x1
2 SET k1 v
2 GET k1
2 DEL k1
2 CONFIG GET maxmemory
2 CONFIG SET maxmemory 0
2 CONFIG FOO
2 CONFIG GET
2 CLIENT INFO
2 SELECT 0
2 SELECT 1
2 PUBLISH ch1 hi
2 PUBLISH zz hi
2 PSUBSCRIBE zz*
2 PSUBSCRIBE ch*
2 SUBSCRIBE zz
2 SUBSCRIBE ch2
2 PING
2 UNSUBSCRIBE
2 PUNSUBSCRIBE
2 ACL USERS
2 PING
2 ECHO x
2 NOSUCHCMD
2 GET
2 MULTI
2 GET k1
2 DEL k1
2 GET x
2 EXEC
2 MULTI
2 GET k1
2 EXEC
1 ACL SETUSER bob -exec
2 MULTI
2 GET k1
2 EXEC
2 DISCARD
2 GET k1

# Disabling keeps connections; deleting closes them.
1 ACL SETUSER bob off
2 PING
2 ACL WHOAMI
3 AUTH bob pw
3 ACL WHOAMI
1 ACL SETUSER bob on
3 AUTH bob pw
3 ACL WHOAMI
4 AUTH bob pw
4 RESET
4 ACL WHOAMI
1 ACL DELUSER bob
2 !closed
3 !closed
4 PING

# Selectors allow what the root selector does not.
1 ACL SETUSER carol on nopass ~a* +get "(~b* +set)" "(~c* +@string)"
5 AUTH carol x
5 GET a1
5 GET b1
5 SET b1 v
5 SET a1 v
5 SET c1 v
5 GET c1
5 DEL c1
1 ACL DRYRUN carol set b1 v
1 ACL DRYRUN carol set a1 v

# Read and write key permissions.
1 ACL SETUSER dan on nopass %R~r* %W~w* ~rw* +@all
6 AUTH dan x
6 GET r1
6 SET r1 v
6 SET w1 v
6 GET w1
6 SET rw1 v
6 GET rw1
6 EXISTS w1
6 RENAME rw1 w2
6 GET r1

# Channel permissions changed under subscribers.
1 ACL SETUSER erin on nopass ~* &ch* &news +@all
7 AUTH erin x
7 SUBSCRIBE ch1
8 AUTH erin x
8 PSUBSCRIBE ch*
9 AUTH erin x
9 SUBSCRIBE news
1 ACL SETUSER erin resetchannels &news
7 !closed
8 !closed
9 PING

# A password for the default user.
1 ACL SETUSER default >dpw
10 GET k
10 PING
10 AUTH dpw
10 GET k
11 ACL WHOAMI
11 AUTH default dpw
11 HELLO 2 AUTH default nope
1 ACL SETUSER default nopass
11 ACL WHOAMI
12 ACL WHOAMI
12 AUTH x
1 ACL SETUSER default resetpass
13 PING
13 AUTH default x
1 ACL SETUSER default nopass
1 ACL GETUSER default

# The log: values differ (ages, client details), shapes do not.
1 [type] ACL LOG
1 [type] ACL LOG 2
1 !log 128
1 ACL LOG 0
1 ACL LOG -1
`

// scriptConns are the numbered connections of a script to one server,
// dialled on first use (so that a connection opened after a rule change
// starts as Redis says it should).
type scriptConns struct {
	t     *testing.T
	name  string
	addr  string
	proto string
	conns map[int]*difftest.Conn
}

// get returns connection n, dialling it and switching it to the script's
// protocol (with HELLO, whose reply is compared by the caller) if new.
func (sc *scriptConns) get(n int) (c *difftest.Conn, hello []byte) {
	sc.t.Helper()
	if c = sc.conns[n]; c != nil {
		return c, nil
	}
	c, err := difftest.Dial(sc.name+"#"+strconv.Itoa(n), sc.addr)
	if err != nil {
		sc.t.Fatal(err)
	}
	sc.t.Cleanup(func() { c.Close() })
	sc.conns[n] = c
	if hello, err = c.DoStrings("HELLO", sc.proto); err != nil {
		sc.t.Fatal(err)
	}
	return c, hello
}

// TestACLDifferential runs aclScript on redis-server and on kevy's server
// and compares every reply, in RESP2 and in RESP3 (fresh servers each).
func TestACLDifferential(t *testing.T) {
	for _, proto := range []string{"2", "3"} {
		t.Run("RESP"+proto, func(t *testing.T) { runACLScript(t, proto) })
	}
}

func runACLScript(t *testing.T, proto string) { runConnScript(t, proto, "acl", aclScript) }

// runConnScript runs a script in aclScript's format (numbered
// connections, "!log N" and "!closed") on a fresh redis-server and a
// fresh kevy server, and compares every reply.
func runConnScript(t *testing.T, proto, name, script string) {
	rs := startOwnRedis(t)
	ts := startServer(t, nil)
	rc := &scriptConns{t: t, name: "redis", addr: rs.Addr, proto: proto, conns: map[int]*difftest.Conn{}}
	kc := &scriptConns{t: t, name: "kevy", addr: ts.addr, proto: proto, conns: map[int]*difftest.Conn{}}
	verbose := os.Getenv("KEVY_ACL_SCRIPT_VERBOSE") != ""
	for i, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		num, rest, _ := strings.Cut(line, " ")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 {
			t.Fatalf("line %d: bad connection number in %q", i+1, line)
		}
		a, helloA := rc.get(n)
		b, helloB := kc.get(n)
		// A new connection's HELLO must fail or succeed alike (its reply
		// carries the connection id).
		if (len(helloA) > 0 && helloA[0] == '-') != (len(helloB) > 0 && helloB[0] == '-') {
			t.Errorf("line %d: HELLO on a new connection: redis %q, kevy %q", i+1, helloA, helloB)
		}
		if count, ok := strings.CutPrefix(rest, "!log "); ok {
			ra, errA := a.DoStrings("ACL", "LOG", count)
			rb, errB := b.DoStrings("ACL", "LOG", count)
			if errA != nil || errB != nil {
				t.Fatalf("line %d: ACL LOG: %v %v", i+1, errA, errB)
			}
			la, lb := aclLogSummary(t, ra), aclLogSummary(t, rb)
			if verbose {
				t.Logf("line %d: ACL LOG: %s", i+1, la)
			}
			if la != lb {
				t.Errorf("line %d: ACL LOG %s differs:\n\tredis: %s\n\tkevy:  %s", i+1, count, la, lb)
			}
			continue
		}
		if rest == "!closed" {
			_, errA := a.DoStrings("PING")
			_, errB := b.DoStrings("PING")
			if errA == nil || errB == nil {
				t.Errorf("line %d: connection %d: want closed on both sides, redis err %v, kevy err %v", i+1, n, errA, errB)
			}
			continue
		}
		cmds, err := difftest.ParseScript(rest)
		if err != nil || len(cmds) != 1 {
			t.Fatalf("line %d: %q: %v", i+1, line, err)
		}
		cmds[0].Line = i + 1
		if verbose {
			ra, _ := a.Do(toArgs(cmds[0].Args))
			t.Logf("line %d: %s -> %q", i+1, line, ra)
			if _, err := b.Do(toArgs(cmds[0].Args)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		m, err := difftest.Exec(a, b, cmds[0])
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if m != nil {
			m.Script = name
			t.Errorf("%s", m)
		}
	}
}

// aclLogSummary renders the entries of an ACL LOG reply without the
// fields that differ between servers (age, client details).
func aclLogSummary(t *testing.T, raw []byte) string {
	t.Helper()
	v, err := resp.NewReader(bytes.NewReader(raw), 0).ReadValue()
	if err != nil || v.Kind != resp.KindArray {
		t.Fatalf("ACL LOG reply %q: %v", raw, err)
	}
	var b strings.Builder
	for _, e := range v.Elems {
		b.WriteString("[")
		for i := 0; i+1 < len(e.Elems); i += 2 {
			switch k, val := string(e.Elems[i].Str), e.Elems[i+1]; k {
			case "age-seconds", "client-info":
			case "count":
				b.WriteString(k + "=" + strconv.FormatInt(val.Int, 10) + " ")
			default:
				b.WriteString(k + "=" + string(val.Str) + " ")
			}
		}
		b.WriteString("] ")
	}
	return b.String()
}

func toArgs(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// aclClient is a test connection speaking RESP2 with one-line helpers.
type aclClient struct {
	t *testing.T
	c *client
}

func aclDial(t *testing.T, ts *testServer) *aclClient {
	return &aclClient{t: t, c: dial(t, ts.addr)}
}

// do sends a command and returns its reply.
func (a *aclClient) do(args ...string) resp.Value {
	a.t.Helper()
	a.c.cmd(args...)
	return a.c.value()
}

// str sends a command and returns its reply as text: the string of a
// simple or bulk string or error ("-" prefixed), the number of an
// integer, "(nil)" for a null.
func (a *aclClient) str(args ...string) string {
	a.t.Helper()
	v := a.do(args...)
	switch {
	case v.Null:
		return "(nil)"
	case v.Kind == resp.KindError:
		return "-" + string(v.Str)
	case v.Kind == resp.KindInteger:
		return strconv.FormatInt(v.Int, 10)
	}
	return string(v.Str)
}

func (a *aclClient) want(want string, args ...string) {
	a.t.Helper()
	if got := a.str(args...); got != want {
		a.t.Fatalf("%s = %q, want %q", strings.Join(args, " "), got, want)
	}
}

// getUserField returns a field of ACL GETUSER's reply.
func (a *aclClient) getUserField(user, field string) resp.Value {
	a.t.Helper()
	v := a.do("ACL", "GETUSER", user)
	for i := 0; i+1 < len(v.Elems); i += 2 {
		if string(v.Elems[i].Str) == field {
			return v.Elems[i+1]
		}
	}
	a.t.Fatalf("ACL GETUSER %s: no field %q in %+v", user, field, v)
	return resp.Value{}
}

const (
	noPermKey = "-NOPERM this user has no permissions to access one of the keys used as arguments"
	noPermCh  = "-NOPERM this user has no permissions to access one of the channels used as arguments"
)

func noPermCmd(name string) string {
	return "-NOPERM this user has no permissions to run the '" + name + "' command"
}

func TestACLRequirePassIsDefaultUserPassword(t *testing.T) {
	ts := startServer(t, &server.Config{RequirePass: "s3cret"})
	a := aclDial(t, ts)
	a.want("-NOAUTH Authentication required.", "ACL", "WHOAMI")
	a.want("OK", "AUTH", "s3cret")
	sum := sha256.Sum256([]byte("s3cret"))
	hash := hex.EncodeToString(sum[:])
	if pw := a.getUserField("default", "passwords"); len(pw.Elems) != 1 || string(pw.Elems[0].Str) != hash {
		t.Fatalf("default passwords = %s, want %s", fmtValue(pw), hash)
	}
	if got, want := fmtValue(a.do("ACL", "LIST")), "user default on #"+hash+" ~* &* +@all"; got != want {
		t.Fatalf("ACL LIST = %q, want %q", got, want)
	}
	// A user of its own: AUTH user pass, HELLO AUTH.
	a.want("OK", "ACL", "SETUSER", "app", "on", ">apppw", "~app:*", "+@all")
	b := aclDial(t, ts)
	b.want("-WRONGPASS invalid username-password pair or user is disabled.", "AUTH", "app", "s3cret")
	b.want("OK", "AUTH", "app", "apppw")
	b.want("app", "ACL", "WHOAMI")
	b.want(noPermKey, "GET", "other")
	b.want("(nil)", "GET", "app:1")
	c := aclDial(t, ts)
	if v := c.do("HELLO", "2", "AUTH", "app", "apppw"); v.Kind != resp.KindArray {
		t.Fatalf("HELLO AUTH = %+v", v)
	}
	c.want("app", "ACL", "WHOAMI")
	c.want("RESET", "RESET")
	c.want("-NOAUTH Authentication required.", "ACL", "WHOAMI")
	// Removing the default user's password lets unauthenticated
	// connections run commands, as Redis does.
	a.want("OK", "ACL", "SETUSER", "default", "nopass")
	c.want("default", "ACL", "WHOAMI")
	d := aclDial(t, ts)
	d.want("default", "ACL", "WHOAMI")
	d.want("-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?", "AUTH", "x")
	// Turning the default user off requires authentication again.
	a.want("OK", "ACL", "SETUSER", "default", "off")
	e := aclDial(t, ts)
	e.want("-NOAUTH Authentication required.", "PING")
	e.want("-WRONGPASS invalid username-password pair or user is disabled.", "AUTH", "default", "x")
	e.want("OK", "AUTH", "app", "apppw")
	e.want("PONG", "PING")
}

func TestACLClientListUserAndKill(t *testing.T) {
	ts := startServer(t, nil)
	a := aclDial(t, ts)
	a.want("OK", "ACL", "SETUSER", "u1", "on", "nopass", "+@all", "~*")
	b := aclDial(t, ts)
	b.want("OK", "AUTH", "u1", "x")
	if info := b.str("CLIENT", "INFO"); !strings.Contains(info, " user=u1 ") {
		t.Fatalf("CLIENT INFO = %q", info)
	}
	list := a.str("CLIENT", "LIST")
	if strings.Count(list, " user=u1 ") != 1 || strings.Count(list, " user=default ") != 1 {
		t.Fatalf("CLIENT LIST = %q", list)
	}
	a.want("-ERR No such user 'nosuch'", "CLIENT", "KILL", "USER", "nosuch")
	a.want("0", "CLIENT", "KILL", "USER", "default")
	a.want("1", "CLIENT", "KILL", "USER", "u1")
	b.c.expectClosed()
}

func TestACLDelUserClosesOwnConnectionAfterReply(t *testing.T) {
	ts := startServer(t, nil)
	a := aclDial(t, ts)
	a.want("OK", "ACL", "SETUSER", "self", "on", "nopass", "+@all", "~*", "&*")
	a.want("OK", "AUTH", "self", "x")
	a.want("1", "ACL", "DELUSER", "self")
	a.c.expectClosed()
	// A subscriber removing its own user's channel is closed after the
	// reply (redis-server 7.0.15 closes it without the reply and then
	// fails; kevy does what DELUSER does).
	b := aclDial(t, ts)
	b.want("OK", "ACL", "SETUSER", "sub", "on", "nopass", "+@all", "~*", "&*")
	b.want("OK", "AUTH", "sub", "x")
	b.c.cmd("HELLO", "3")
	b.c.value()
	b.c.cmd("SUBSCRIBE", "ch")
	b.c.value()
	b.c.cmd("ACL", "SETUSER", "sub", "resetchannels")
	if v := b.c.value(); string(v.Str) != "OK" {
		t.Fatalf("ACL SETUSER = %+v", v)
	}
	b.c.expectClosed()
}

func TestACLMultiExec(t *testing.T) {
	ts := startServer(t, nil)
	a := aclDial(t, ts)
	a.want("OK", "ACL", "SETUSER", "tx", "on", "nopass", "+get", "+multi", "+set", "~a")
	b := aclDial(t, ts)
	b.want("OK", "AUTH", "tx", "x")
	for _, tc := range []struct{ cmd, want string }{
		{"MULTI", "OK"},
		{"SET a 1", "QUEUED"},
		{"SET b 1", noPermKey},
		{"DEL a", noPermCmd("del")},
		{"EXEC", "-EXECABORT Transaction discarded because of: " + noPermCmd("exec")[1:]},
		{"GET a", "(nil)"}, // the transaction was discarded
		{"EXEC", "-EXECABORT Transaction discarded because of: " + noPermCmd("exec")[1:]},
	} {
		b.want(tc.want, strings.Fields(tc.cmd)...)
	}
	a.want("OK", "ACL", "SETUSER", "tx", "+exec", "+discard")
	for _, tc := range []struct{ cmd, want string }{
		{"MULTI", "OK"},
		{"SET a 1", "QUEUED"},
		{"GET b", noPermKey},
		{"EXEC", "-EXECABORT Transaction discarded because of previous errors."},
		{"MULTI", "OK"},
		{"SET a 1", "QUEUED"},
		{"DISCARD", "OK"},
	} {
		b.want(tc.want, strings.Fields(tc.cmd)...)
	}
}

func TestACLLogEntries(t *testing.T) {
	ts := startServer(t, nil)
	a := aclDial(t, ts)
	a.want("OK", "ACL", "SETUSER", "lg", "on", "nopass", "+get", "+multi", "~a", "resetchannels")
	b := aclDial(t, ts)
	b.want("OK", "AUTH", "lg", "x")
	b.want(noPermKey, "GET", "b")
	b.want(noPermKey, "GET", "b")
	b.want(noPermCmd("set"), "SET", "a", "1")
	b.want("OK", "MULTI")
	b.want(noPermCmd("del"), "DEL", "a")
	v := a.do("ACL", "LOG")
	type entry struct {
		count                             int64
		reason, context, object, username string
	}
	var got []entry
	for _, e := range v.Elems {
		var en entry
		for i := 0; i+1 < len(e.Elems); i += 2 {
			val := e.Elems[i+1]
			switch string(e.Elems[i].Str) {
			case "count":
				en.count = val.Int
			case "reason":
				en.reason = string(val.Str)
			case "context":
				en.context = string(val.Str)
			case "object":
				en.object = string(val.Str)
			case "username":
				en.username = string(val.Str)
			case "client-info":
				if !strings.Contains(string(val.Str), " user=") {
					t.Errorf("client-info = %q", val.Str)
				}
			}
		}
		got = append(got, en)
	}
	want := []entry{
		{1, "command", "multi", "del", "lg"},
		{1, "command", "toplevel", "set", "lg"},
		{2, "key", "toplevel", "b", "lg"},
	}
	if len(got) != len(want) {
		t.Fatalf("ACL LOG = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	a.want("OK", "ACL", "LOG", "RESET")
	if v := a.do("ACL", "LOG"); len(v.Elems) != 0 {
		t.Fatalf("after RESET: %+v", v)
	}
	c := aclDial(t, ts)
	c.want("-WRONGPASS invalid username-password pair or user is disabled.", "AUTH", "ghost", "pw")
	v = a.do("ACL", "LOG", "1")
	if len(v.Elems) != 1 || !strings.Contains(fmtValue(v), "object AUTH username ghost") {
		t.Fatalf("ACL LOG after a failed AUTH = %s", fmtValue(v))
	}
}

// fmtValue flattens the strings of a reply, space-separated.
func fmtValue(v resp.Value) string {
	if len(v.Elems) == 0 {
		return string(v.Str)
	}
	parts := make([]string, len(v.Elems))
	for i, e := range v.Elems {
		parts[i] = fmtValue(e)
	}
	return strings.Join(parts, " ")
}

func TestACLCommandTable(t *testing.T) {
	ts := startServer(t, nil)
	a := aclDial(t, ts)
	v := a.do("COMMAND", "INFO", "acl")
	if len(v.Elems) != 1 || len(v.Elems[0].Elems) != 10 {
		t.Fatalf("COMMAND INFO acl = %+v", v)
	}
	info := v.Elems[0]
	if string(info.Elems[0].Str) != "acl" || info.Elems[1].Int != -2 || len(info.Elems[9].Elems) != 13 {
		t.Fatalf("COMMAND INFO acl = %s", fmtValue(info))
	}
	subs := map[string]string{}
	for _, s := range info.Elems[9].Elems {
		subs[string(s.Elems[0].Str)] = fmtValue(s.Elems[2]) + " | " + fmtValue(s.Elems[6])
	}
	for name, want := range map[string]string{
		"acl|setuser": "admin noscript loading stale | @admin @slow @dangerous",
		"acl|whoami":  "noscript loading stale | @slow",
		"acl|help":    "loading stale | @slow",
		"acl|cat":     "noscript loading stale | @slow",
	} {
		if subs[name] != want {
			t.Errorf("%s: %q, want %q", name, subs[name], want)
		}
	}
	docs := fmtValue(a.do("COMMAND", "DOCS", "acl"))
	for _, want := range []string{"since 6.0.0 group server", "acl|dryrun since 7.0.0 group server", "acl|setuser"} {
		if !strings.Contains(docs, want) {
			t.Errorf("COMMAND DOCS acl lacks %q: %s", want, docs)
		}
	}
	if got := fmtValue(a.do("COMMAND", "LIST", "FILTERBY", "PATTERN", "acl*")); got != "acl acl|cat acl|deluser acl|dryrun acl|genpass acl|getuser acl|help acl|list acl|load acl|log acl|save acl|setuser acl|users acl|whoami" {
		t.Errorf("COMMAND LIST FILTERBY PATTERN acl* = %q", got)
	}
	cat := " " + fmtValue(a.do("ACL", "CAT", "admin")) + " "
	for _, want := range []string{" acl|setuser ", " client|kill ", " shutdown "} {
		if !strings.Contains(cat, want) {
			t.Errorf("ACL CAT admin lacks %q: %s", want, cat)
		}
	}
	if strings.Contains(cat, " get ") || strings.Contains(cat, " acl|whoami ") {
		t.Errorf("ACL CAT admin has a non-admin command: %s", cat)
	}
}

func TestACLGenPass(t *testing.T) {
	ts := startServer(t, nil)
	a := aclDial(t, ts)
	for _, tc := range []struct {
		bits string
		n    int
	}{{"", 64}, {"1", 1}, {"4", 1}, {"5", 2}, {"128", 32}, {"4096", 1024}} {
		args := []string{"ACL", "GENPASS"}
		if tc.bits != "" {
			args = append(args, tc.bits)
		}
		p := a.str(args...)
		if len(p) != tc.n || strings.Trim(p, "0123456789abcdef") != "" {
			t.Errorf("GENPASS %s = %q, want %d hex digits", tc.bits, p, tc.n)
		}
	}
	if a.str("ACL", "GENPASS") == a.str("ACL", "GENPASS") {
		t.Error("two passwords are equal")
	}
}

// TestACLRulesTable checks rule sets against the GETUSER fields Redis 7.0
// gives for them (single commands sorted, as kevy lists them).
func TestACLRulesTable(t *testing.T) {
	ts := startServer(t, nil)
	a := aclDial(t, ts)
	tests := []struct {
		rules                    []string
		commands, keys, channels string
	}{
		{nil, "-@all", "", ""},
		{[]string{"+get", "+set", "-set", "+@read", "-@write", "+config|get", "+select|0"}, "-@all +@read +config|get +select|0", "", ""},
		{[]string{"+get", "+get", "-get", "+get", "+@read", "+@read", "-@read"}, "-@all", "", ""},
		{[]string{"+@all", "-get", "-set"}, "+@all -get -set", "", ""},
		{[]string{"+client|info", "+client|id", "~a", "%W~b", "&c"}, "-@all +client|id +client|info", "~a %W~b", "&c"},
		{[]string{"allcommands", "-client", "allkeys", "allchannels"}, "+@all -client", "~*", "&*"},
		{[]string{"+acl", "-acl|setuser"}, "-@all +acl -acl|setuser", "", ""},
	}
	for i, tc := range tests {
		name := "r" + strconv.Itoa(i)
		if got := a.str(append([]string{"ACL", "SETUSER", name}, tc.rules...)...); got != "OK" {
			t.Fatalf("%v: %s", tc.rules, got)
		}
		for field, want := range map[string]string{"commands": tc.commands, "keys": tc.keys, "channels": tc.channels} {
			if got := string(a.getUserField(name, field).Str); got != want {
				t.Errorf("%v: %s = %q, want %q", tc.rules, field, got, want)
			}
		}
	}
}

// TestACLRestrictedPathAllocs checks that a user with command and key
// rules runs GET and SET without allocating more than the default user
// (whose check is one flag).
func TestACLRestrictedPathAllocs(t *testing.T) {
	ts := startServer(t, nil)
	a := aclDial(t, ts)
	a.want("OK", "ACL", "SETUSER", "fast", "on", "nopass", "+get", "+set", "%R~key:*", "%W~key:*", "~other")
	def, restricted := newLoopback(t, ts), newLoopback(t, ts)
	restricted.roundTrip(t, resp.AppendCommandString(nil, "AUTH", "fast", "x"), len("+OK\r\n"))
	for _, tc := range []struct {
		args  []string
		reply int
	}{
		{[]string{"SET", "key:1", "v"}, len("+OK\r\n")},
		{[]string{"GET", "key:1"}, len("$1\r\nv\r\n")},
	} {
		req := resp.AppendCommandString(nil, tc.args...)
		def.roundTrip(t, req, tc.reply)
		restricted.roundTrip(t, req, tc.reply)
		base := testing.AllocsPerRun(2000, func() { def.roundTrip(t, req, tc.reply) })
		got := testing.AllocsPerRun(2000, func() { restricted.roundTrip(t, req, tc.reply) })
		if got > base+0.05 {
			t.Errorf("%s: %.2f allocations per command for the restricted user, %.2f for the default one", tc.args[0], got, base)
		}
	}
}

// BenchmarkACLPipeline measures pipelined GETs by the default user
// (unrestricted: the check is one flag) and by a user with command and
// key rules; results are per command.
func BenchmarkACLPipeline(b *testing.B) {
	const depth = 100
	for _, bc := range []struct {
		name  string
		rules []string
	}{
		{"default", nil},
		{"restricted", []string{"+get", "~key:*", "~other:*"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ts := startServer(b, nil)
			lb := newLoopback(b, ts)
			lb.roundTrip(b, resp.AppendCommandString(nil, "SET", "key:1", "value"), len("+OK\r\n"))
			if bc.rules != nil {
				setuser := append([]string{"ACL", "SETUSER", "u", "on", "nopass"}, bc.rules...)
				lb.roundTrip(b, resp.AppendCommandString(nil, setuser...), len("+OK\r\n"))
				lb.roundTrip(b, resp.AppendCommandString(nil, "AUTH", "u", "x"), len("+OK\r\n"))
			}
			var req []byte
			for range depth {
				req = resp.AppendCommandString(req, "GET", "key:1")
			}
			n := depth * len("$5\r\nvalue\r\n")
			b.ReportAllocs()
			for b.Loop() {
				lb.roundTrip(b, req, n)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*depth), "ns/cmd")
		})
	}
}
