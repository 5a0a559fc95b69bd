package command

// Pub/sub commands that need no connection state: PUBLISH, SPUBLISH and
// PUBSUB. SUBSCRIBE and friends change the connection's mode and are
// implemented by the RESP server on top of Engine.PubSub.

func init() {
	pubsubSub := func(name string, arity int, flags Flags, cats ...string) *Command {
		return &Command{Name: "pubsub|" + name, Arity: arity, Flags: flags | FlagSelfLock,
			Run: pubsubCmd, Categories: cats}
	}
	const psFlags = FlagPubSub | FlagLoading | FlagStale
	Register(
		&Command{Name: "publish", Arity: 3, Flags: psFlags | FlagFast | FlagSelfLock,
			Run: publishCmd, Categories: []string{"pubsub", "fast"}},
		// SPUBLISH's channel is a key for cluster routing (first key 1), but
		// it lives in no keyspace shard: FlagSelfLock keeps the executor
		// from locking one.
		&Command{Name: "spublish", Arity: 3, Flags: psFlags | FlagFast | FlagSelfLock,
			FirstKey: 1, LastKey: 1, Step: 1,
			Run: spublishCmd, Categories: []string{"pubsub", "fast"}},
		&Command{Name: "pubsub", Arity: -2, Flags: FlagSelfLock,
			Run: pubsubCmd, Categories: []string{"slow"},
			Subcommands: []*Command{
				pubsubSub("channels", -2, psFlags, "pubsub", "slow"),
				pubsubSub("help", 2, FlagLoading|FlagStale, "slow"),
				pubsubSub("numpat", 2, psFlags, "pubsub", "slow"),
				pubsubSub("numsub", -2, psFlags, "pubsub", "slow"),
				pubsubSub("shardchannels", -2, psFlags, "pubsub", "slow"),
				pubsubSub("shardnumsub", -2, psFlags, "pubsub", "slow"),
			}},
	)
}

// publishCmd is PUBLISH channel message: the number of receivers.
func publishCmd(c *Ctx, args [][]byte) {
	n := 0
	if b := c.E.PubSub; b != nil {
		n = b.PublishCopy(Key(args[1]), args[2])
	}
	c.W.Int(int64(n))
}

// spublishCmd is SPUBLISH shardchannel message.
func spublishCmd(c *Ctx, args [][]byte) {
	n := 0
	if b := c.E.PubSub; b != nil {
		n = b.SPublishCopy(Key(args[1]), args[2])
	}
	c.W.Int(int64(n))
}

var pubsubHelp = []string{
	"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CHANNELS [<pattern>]",
	"    Return the currently active channels matching a <pattern> (default: '*').",
	"NUMPAT",
	"    Return number of subscriptions to patterns.",
	"NUMSUB [<channel> ...]",
	"    Return the number of subscribers for the specified channels, excluding",
	"    pattern subscriptions(default: no channels).",
	"SHARDCHANNELS [<pattern>]",
	"    Return the currently active shard level channels matching a <pattern> (default: '*').",
	"SHARDNUMSUB [<shardchannel> ...]",
	"    Return the number of subscribers for the specified shard level channel(s)",
	"HELP",
	"    Prints this help.",
}

// pubsubCmd is the PUBSUB container. Arity errors follow Redis 7.0: HELP
// and NUMPAT have a fixed arity checked by the command table ("wrong number
// of arguments for 'pubsub|numpat'"), while CHANNELS and SHARDCHANNELS
// with more than one pattern get the subcommand syntax error.
func pubsubCmd(c *Ctx, args [][]byte) {
	sub := args[1]
	bus := c.E.PubSub
	switch {
	case EqualFold(sub, "help"):
		if len(args) != 2 {
			c.W.Error(WrongArity("pubsub|help"))
			return
		}
		c.W.ArrayLen(len(pubsubHelp))
		for _, l := range pubsubHelp {
			c.W.SimpleString(l)
		}
	case EqualFold(sub, "numpat"):
		if len(args) != 2 {
			c.W.Error(WrongArity("pubsub|numpat"))
			return
		}
		n := 0
		if bus != nil {
			n = bus.NumPat()
		}
		c.W.Int(int64(n))
	case EqualFold(sub, "channels"), EqualFold(sub, "shardchannels"):
		if len(args) > 3 {
			c.W.Error(pubsubSyntaxErr(sub))
			return
		}
		var chans []string
		if bus != nil {
			var pat *string
			if len(args) == 3 {
				p := Key(args[2])
				pat = &p
			}
			chans = bus.Channels(nil, pat, len(sub) > len("channels"))
		}
		c.W.ArrayLen(len(chans))
		for _, ch := range chans {
			c.W.BulkString(ch)
		}
	case EqualFold(sub, "numsub"), EqualFold(sub, "shardnumsub"):
		shard := len(sub) > len("numsub")
		// A flat array of name, count pairs, in RESP3 too.
		c.W.ArrayLen(2 * (len(args) - 2))
		for _, ch := range args[2:] {
			n := 0
			if bus != nil {
				n = bus.NumSub(Key(ch), shard)
			}
			c.W.Bulk(ch)
			c.W.Int(int64(n))
		}
	default:
		c.W.Error("ERR unknown subcommand '" + truncArg(sub) + "'. Try PUBSUB HELP.")
	}
}

// pubsubSyntaxErr is Redis's error for a known PUBSUB subcommand given the
// wrong arguments (addReplySubcommandSyntaxError); sub is quoted as sent.
func pubsubSyntaxErr(sub []byte) string {
	return "ERR unknown subcommand or wrong number of arguments for '" + truncArg(sub) + "'. Try PUBSUB HELP."
}
