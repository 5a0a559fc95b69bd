package command

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/pubsub"
)

// psRec renders a reply as space-separated tokens: +status !error :int
// $bulk *len; bulks are quoted when empty or containing spaces.
type psRec struct{ b strings.Builder }

func (r *psRec) tok(s string) {
	if r.b.Len() > 0 {
		r.b.WriteByte(' ')
	}
	r.b.WriteString(s)
}
func (r *psRec) bulk(s string) {
	if s == "" || strings.ContainsAny(s, " \"") {
		s = strconv.Quote(s)
	}
	r.tok("$" + s)
}
func (r *psRec) SimpleString(s string)       { r.tok("+" + s) }
func (r *psRec) Error(msg string)            { r.tok("!" + msg) }
func (r *psRec) Int(n int64)                 { r.tok(":" + strconv.FormatInt(n, 10)) }
func (r *psRec) Bulk(b []byte)               { r.bulk(string(b)) }
func (r *psRec) BulkString(s string)         { r.bulk(s) }
func (r *psRec) Null()                       { r.tok("nil") }
func (r *psRec) NullArray()                  { r.tok("nil") }
func (r *psRec) ArrayLen(n int)              { r.tok("*" + strconv.Itoa(n)) }
func (r *psRec) MapLen(n int)                { r.tok("%" + strconv.Itoa(n)) }
func (r *psRec) SetLen(n int)                { r.tok("~" + strconv.Itoa(n)) }
func (r *psRec) Double(f float64)            { r.tok("," + strconv.FormatFloat(f, 'g', -1, 64)) }
func (r *psRec) Bool(b bool)                 { r.tok("#" + strconv.FormatBool(b)) }
func (r *psRec) Verbatim(_ string, b []byte) { r.tok("=" + string(b)) }
func (r *psRec) Proto() int                  { return 3 }

func newPubSubEngine(withBus bool) *Engine {
	clk := clock.FromFunc(func() int64 { return 1_700_000_000_000 })
	e := NewEngine(keyspace.New(keyspace.Config{Shards: 4, Databases: 16, Clock: clk}), clk)
	if withBus {
		e.PubSub = pubsub.New()
	}
	return e
}

func psExec(e *Engine, args ...string) string {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	var r psRec
	e.Exec(NewSession(0), argv, &r)
	return r.b.String()
}

const pubsubHelpReply = `*14 +PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are: ` +
	`+CHANNELS [<pattern>] +    Return the currently active channels matching a <pattern> (default: '*'). ` +
	`+NUMPAT +    Return number of subscriptions to patterns. ` +
	`+NUMSUB [<channel> ...] +    Return the number of subscribers for the specified channels, excluding ` +
	`+    pattern subscriptions(default: no channels). ` +
	`+SHARDCHANNELS [<pattern>] +    Return the currently active shard level channels matching a <pattern> (default: '*'). ` +
	`+SHARDNUMSUB [<shardchannel> ...] +    Return the number of subscribers for the specified shard level channel(s) ` +
	`+HELP +    Prints this help.`

// TestPubSubCommands checks replies recorded from Redis 7.0.15. Subscribers
// (set up in the bus directly, as the server will) are: A on channels "",
// news, news.it and pattern news.*; B on channel news and pattern n*s*
// and pattern news.* ; C on shard channels s1 and s2.
func TestPubSubCommands(t *testing.T) {
	e := newPubSubEngine(true)
	mk := func(channels, patterns, shards []string) *pubsub.Sub {
		s, err := e.PubSub.NewSub(pubsub.SubOptions{Policy: pubsub.PolicyDropNewest})
		if err != nil {
			t.Fatal(err)
		}
		s.Subscribe(pubsub.ModeChannel, channels, nil)
		s.Subscribe(pubsub.ModePattern, patterns, nil)
		s.Subscribe(pubsub.ModeShard, shards, nil)
		return s
	}
	mk([]string{"", "news", "news.it"}, []string{"news.*"}, nil)
	mk([]string{"news"}, []string{"n*s*", "news.*"}, nil)
	mk(nil, nil, []string{"s1", "s2"})
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"PUBLISH", "news", "hi"}, ":3"},   // A, B, B's n*s*
		{[]string{"publish", "news.it", "x"}, ":4"}, // A, A's news.*, B's n*s* and news.*
		{[]string{"PUBLISH", "", "x"}, ":1"},        // patterns never match ""
		{[]string{"PUBLISH", "nobody", "x"}, ":0"},  // no match
		{[]string{"PUBLISH", "s1", "x"}, ":0"},      // shard channels are separate
		{[]string{"SPUBLISH", "s1", "x"}, ":1"},     //
		{[]string{"SPUBLISH", "news", "x"}, ":0"},   //
		{[]string{"PUBLISH", "a"}, "!ERR wrong number of arguments for 'publish' command"},
		{[]string{"SPUBLISH", "a", "b", "c"}, "!ERR wrong number of arguments for 'spublish' command"},
		{[]string{"PUBSUB"}, "!ERR wrong number of arguments for 'pubsub' command"},
		{[]string{"PUBSUB", "NUMPAT"}, ":2"},
		{[]string{"pubsub", "numpat", "x"}, "!ERR wrong number of arguments for 'pubsub|numpat' command"},
		{[]string{"PUBSUB", "NUMSUB"}, "*0"},
		{[]string{"PUBSUB", "NUMSUB", "news", "", "news.*", "s1"}, `*8 $news :2 $"" :1 $news.* :0 $s1 :0`},
		{[]string{"PUBSUB", "SHARDNUMSUB", "s1", "news"}, "*4 $s1 :1 $news :0"},
		{[]string{"PUBSUB", "SHARDNUMSUB"}, "*0"},
		{[]string{"PUBSUB", "CHANNELS", "news*"}, "*2 $news $news.it OR *2 $news.it $news"},
		{[]string{"PUBSUB", "CHANNELS", "*"}, "*2 $news $news.it OR *2 $news.it $news"},
		{[]string{"PUBSUB", "CHANNELS", "[^n]*"}, "*0"},
		{[]string{"PUBSUB", "CHANNELS", ""}, `*1 $""`},
		{[]string{"PUBSUB", "CHANNELS", "a", "b"}, "!ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP."},
		{[]string{"PUBSUB", "ShardChannels", "a", "b"}, "!ERR unknown subcommand or wrong number of arguments for 'ShardChannels'. Try PUBSUB HELP."},
		{[]string{"PUBSUB", "SHARDCHANNELS", "s[1]"}, "*1 $s1"},
		{[]string{"PUBSUB", "foo"}, "!ERR unknown subcommand 'foo'. Try PUBSUB HELP."},
		{[]string{"PUBSUB", "a\nb", "x"}, "!ERR unknown subcommand 'a b'. Try PUBSUB HELP."},
		{[]string{"PUBSUB", "HELP", "x"}, "!ERR wrong number of arguments for 'pubsub|help' command"},
		{[]string{"pubsub", "help"}, pubsubHelpReply},
	}
	for _, tc := range tests {
		got := psExec(e, tc.args...)
		if !matchesAny(got, tc.want) {
			t.Errorf("%q:\n got %s\nwant %s", tc.args, got, tc.want)
		}
	}
	// CHANNELS without a pattern lists every channel, the empty one too.
	got := psExec(e, "PUBSUB", "CHANNELS")
	if !strings.HasPrefix(got, "*3 ") || !strings.Contains(got, `$""`) || !strings.Contains(got, "$news.it") {
		t.Errorf("PUBSUB CHANNELS = %s", got)
	}
}

// matchesAny reports whether got equals one of the " OR "-separated wants
// (for replies whose element order is unspecified).
func matchesAny(got, wants string) bool {
	for w := range strings.SplitSeq(wants, " OR ") {
		if got == w {
			return true
		}
	}
	return false
}

// TestPubSubWithoutBus: an engine without a bus behaves as one with no
// subscriber.
func TestPubSubWithoutBus(t *testing.T) {
	e := newPubSubEngine(false)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"PUBLISH", "a", "b"}, ":0"},
		{[]string{"SPUBLISH", "a", "b"}, ":0"},
		{[]string{"PUBSUB", "NUMPAT"}, ":0"},
		{[]string{"PUBSUB", "NUMSUB", "a"}, "*2 $a :0"},
		{[]string{"PUBSUB", "CHANNELS"}, "*0"},
		{[]string{"PUBSUB", "SHARDCHANNELS", "*"}, "*0"},
	}
	for _, tc := range tests {
		if got := psExec(e, tc.args...); got != tc.want {
			t.Errorf("%q = %s, want %s", tc.args, got, tc.want)
		}
	}
}

// TestPublishCopiesArguments: PUBLISH arguments alias the connection's
// read buffer, so the delivered message must not change when it is reused.
func TestPublishCopiesArguments(t *testing.T) {
	e := newPubSubEngine(true)
	s, _ := e.PubSub.NewSub(pubsub.SubOptions{})
	s.Subscribe(pubsub.ModeChannel, []string{"chan"}, nil)
	buf := []byte("PUBLISHchanpayload")
	args := [][]byte{buf[:7], buf[7:11], buf[11:]}
	var r psRec
	e.Exec(NewSession(0), args, &r)
	copy(buf, "XXXXXXXXXXXXXXXXXX")
	ms := make([]*pubsub.Message, 2)
	if n := s.Drain(ms); n != 1 || ms[0].Channel != "chan" || string(ms[0].Payload) != "payload" || ms[0].Kind != pubsub.KindMessage {
		t.Fatalf("reply %s, delivered %d: %+v", r.b.String(), n, ms[0])
	}
}

func TestPubSubTable(t *testing.T) {
	tests := []struct {
		name  string
		arity int
		flags Flags
		first int
	}{
		{"publish", 3, FlagPubSub | FlagFast, 0},
		{"spublish", 3, FlagPubSub | FlagFast, 1},
		{"pubsub", -2, 0, 0},
	}
	for _, tc := range tests {
		c := Lookup([]byte(tc.name))
		if c == nil || c.Arity != tc.arity || c.Flags&tc.flags != tc.flags || c.FirstKey != tc.first || c.Flags&FlagSelfLock == 0 {
			t.Errorf("%s: %+v", tc.name, c)
		}
	}
	if n := len(Lookup([]byte("pubsub")).Subcommands); n != 6 {
		t.Errorf("pubsub has %d subcommands", n)
	}
}
