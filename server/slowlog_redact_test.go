package server_test

import (
	"testing"

	"github.com/kevydb/kevy/internal/resp"
)

// redactScript are commands carrying secrets, with the argument counts
// and errors that decide what Redis 7.0 redacts in the slow log.
var redactScript = [][]string{
	{"AUTH", "x", "y"},
	{"AUTH", "onlypass"},
	{"AUTH", "a", "b", "c"},
	{"HELLO", "2", "AUTH", "default", "x"},
	{"HELLO", "3", "AUTH", "u", "p", "FOO"},
	{"HELLO", "3", "AUTH", "default", "p", "FOO"},
	{"HELLO", "3", "SETNAME", "a", "AUTH", "u"},
	{"HELLO", "3", "FOO", "AUTH", "u", "p"},
	{"HELLO", "4", "AUTH", "u", "p"},
	{"HELLO", "2", "AUTH", "u"},
	{"ACL", "SETUSER", "bob", "on", ">pass", "~*", "+@all"},
	{"ACL", "SETUSER", "bob", "badrule"},
	{"ACL", "SETUSER", "bob"},
	{"ACL", "GETUSER", "nobody"},
	{"ACL", "DELUSER", "bob"},
	{"CLIENT", "GETNAME"},
	{"RESET"},
	{"CONFIG", "SET", "requirepass", "s3cret"},
	{"CONFIG", "SET", "maxclients", "100", "REQUIREPASS", "x", "timeout", "0"},
	{"CONFIG", "SET", "requirepass", "x", "nosuch", "y"},
	{"CONFIG", "SET", "nosuch", "y", "requirepass", "x"},
	{"CONFIG", "SET", "requirepass", "x", "maxclients", "0"},
	{"CONFIG", "SET", "requirepass", "x", "maxclients"},
	{"CONFIG", "SET", "requirepass"},
	{"CONFIG", "SET", "requirepass", ""},
	{"SET", "k", "v"},
}

// slowlogRedactRun runs redactScript on the server at addr with every
// command logged, and returns the error replies (others as "ok") and the
// arguments of the slow log's entries, oldest first, one line each.
func slowlogRedactRun(t *testing.T, addr string) (replies, entries []string) {
	c := dial(t, addr)
	c.cmd("CONFIG", "SET", "slowlog-log-slower-than", "0")
	if v := c.value(); v.Kind == resp.KindError {
		t.Fatalf("CONFIG SET slowlog-log-slower-than: %s", v.Str)
	}
	c.cmd("SLOWLOG", "RESET")
	c.value()
	for _, args := range redactScript {
		c.cmd(args...)
		v := c.value()
		switch {
		case v.Kind == resp.KindError:
			replies = append(replies, string(v.Str))
		case len(args) == 2 && args[0] == "CLIENT":
			replies = append(replies, "name "+string(v.Str))
		default:
			replies = append(replies, "ok")
		}
	}
	c.cmd("SLOWLOG", "GET", "-1")
	return replies, slowlogEntries(c.value())
}

// TestSlowlogRedactVersusRedis: the slow log hides AUTH's arguments,
// HELLO's AUTH username and password, everything after ACL SETUSER and
// the values CONFIG SET gives requirepass exactly where redis-server
// does, and the replies agree.
func TestSlowlogRedactVersusRedis(t *testing.T) {
	slowlogVersusRedis(t, slowlogRedactRun)
}
