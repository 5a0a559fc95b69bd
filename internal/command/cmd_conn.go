package command

import "strconv"

// Connection commands that touch no key: PING, ECHO, TIME and SELECT.

func init() {
	Register(
		&Command{Name: "ping", Arity: -1, Flags: FlagFast | FlagSelfLock,
			Run: pingCmd, Categories: []string{"fast", "connection"}},
		&Command{Name: "echo", Arity: 2, Flags: FlagLoading | FlagStale | FlagFast | FlagSelfLock,
			Run: echoCmd, Categories: []string{"fast", "connection"}},
		&Command{Name: "time", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast | FlagSelfLock,
			Run: timeCmd, Categories: []string{"fast"}},
		&Command{Name: "select", Arity: 2, Flags: FlagLoading | FlagStale | FlagFast | FlagSelfLock,
			Run: selectCmd, Categories: []string{"fast", "connection"}},
	)
}

func pingCmd(c *Ctx, args [][]byte) {
	switch len(args) {
	case 1:
		c.W.SimpleString("PONG")
	case 2:
		c.W.Bulk(args[1])
	default:
		c.W.Error(WrongArity("ping"))
	}
}

func echoCmd(c *Ctx, args [][]byte) { c.W.Bulk(args[1]) }

// timeCmd replies the engine clock's time as [seconds, microseconds]. The
// clock has millisecond resolution, so the microseconds are a multiple of
// 1000; with a manual clock TIME follows it, as expiry does.
func timeCmd(c *Ctx, _ [][]byte) {
	var buf [20]byte
	c.W.ArrayLen(2)
	c.W.Bulk(strconv.AppendInt(buf[:0], c.Now/1000, 10))
	c.W.Bulk(strconv.AppendInt(buf[:0], c.Now%1000*1000, 10))
}

// selectCmd switches the session's database.
func selectCmd(c *Ctx, args [][]byte) {
	db, errText := parseDB(c.E.KS, args[1])
	if errText != "" {
		c.W.Error(errText)
		return
	}
	c.S.DB, c.DB = db, db
	c.OK()
}
