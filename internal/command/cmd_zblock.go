package command

import "github.com/kevydb/kevy/internal/keyspace"

// Blocking sorted-set pops: BZPOPMIN, BZPOPMAX and BZMPOP (see
// blocking.go for the protocol). The non-blocking part is ZPopFirst and
// ZPopWrite, shared with ZMPOP; clients wait for a key that holds a sorted
// set. ZADD, ZINCRBY and the *STORE commands need no SignalReady of their
// own: the engine signals the written keys of every write command to the
// clients blocked on them (callObserved).

func init() {
	Register(
		&Command{Name: "bzpopmin", Arity: -3, Flags: FlagWrite | FlagNoScript | FlagBlocking | FlagFast,
			FirstKey: 1, LastKey: -2, Step: 1, Run: bzpopminCmd,
			Categories: []string{"write", "sortedset", "fast", "blocking"}},
		&Command{Name: "bzpopmax", Arity: -3, Flags: FlagWrite | FlagNoScript | FlagBlocking | FlagFast,
			FirstKey: 1, LastKey: -2, Step: 1, Run: bzpopmaxCmd,
			Categories: []string{"write", "sortedset", "fast", "blocking"}},
		&Command{Name: "bzmpop", Arity: -5, Flags: FlagWrite | FlagBlocking, Keys: bzmpopKeys,
			Run: bzmpopCmd, Categories: []string{"write", "sortedset", "slow", "blocking"}},
	)
}

func bzmpopKeys(args [][]byte) ([]int, bool) { return NumKeysIndexes(args, 2) }

func bzpopminCmd(c *Ctx, args [][]byte) { bzpopGeneric(c, args, false) }
func bzpopmaxCmd(c *Ctx, args [][]byte) { bzpopGeneric(c, args, true) }

// bzpopGeneric is BZPOPMIN and BZPOPMAX: the timeout is checked first,
// then the keys in order; the reply is [key, member, score].
func bzpopGeneric(c *Ctx, args [][]byte, high bool) {
	ms, errText := ParseTimeout(args[len(args)-1])
	if errText != "" {
		c.W.Error(errText)
		return
	}
	keys := args[1 : len(args)-1]
	if zpopFirstReply(c, keys, high, 1, ZPopKeyed) {
		return
	}
	if !c.Block(keys, keyspace.TypeZSet, ms) {
		c.W.NullArray()
	}
}

// bzmpopCmd is BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT
// count]. Redis parses numkeys, the keys, MIN|MAX and COUNT before the
// timeout.
func bzmpopCmd(c *Ctx, args [][]byte) {
	var a ZMPopArgs
	if err := ParseZMPop(args, 2, &a); zsetReplyErr(c, err) {
		return
	}
	ms, errText := ParseTimeout(args[1])
	if errText != "" {
		c.W.Error(errText)
		return
	}
	if zpopFirstReply(c, a.Keys, a.Max, a.Count, ZPopKeyedNested) {
		return
	}
	if !c.Block(a.Keys, keyspace.TypeZSet, ms) {
		c.W.NullArray()
	}
}

// zpopFirstReply pops from the first of keys that exists and replies,
// reporting whether it did. A key of another type is WRONGTYPE (a reply),
// except on a woken command's retry, where only sorted sets are
// considered, in the order of c.RetryKeys.
func zpopFirstReply(c *Ctx, keys [][]byte, high bool, count int64, layout ZPopLayout) bool {
	if !c.Retrying() {
		i, e, err := ZPopFirst(c.E.KS, c.DB, keys, c.Now)
		if zsetReplyErr(c, err) {
			return true
		}
		if i < 0 {
			return false
		}
		key := Key(keys[i])
		ZPopWrite(c.W, c.Shard(key), c.DB, e, keys[i], high, count, layout)
		c.propagateZPop(keys[i], high, count)
		c.notifyRemoved(nil, 1, NotifyZSet, zpopEvent(high), key)
		return true
	}
	for _, k := range c.RetryKeys(keys) {
		key := Key(k)
		sh := c.Shard(key)
		e := sh.LookupWrite(c.DB, key, c.Now)
		if e == nil || e.Type() != keyspace.TypeZSet {
			continue
		}
		ZPopWrite(c.W, sh, c.DB, e, k, high, count, layout)
		c.propagateZPop(k, high, count)
		c.notifyRemoved(nil, 1, NotifyZSet, zpopEvent(high), key)
		return true
	}
	return false
}
