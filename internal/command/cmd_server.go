package command

// Server commands that act on no data: WAIT.

func init() {
	Register(
		&Command{Name: "wait", Arity: 3, Flags: FlagNoScript | FlagSelfLock,
			Run: waitCmd, Categories: []string{"slow", "connection"}},
	)
}

// waitCmd implements WAIT numreplicas timeout. kevy has no replicas, so
// once the arguments are valid it replies 0 at once.
func waitCmd(c *Ctx, args [][]byte) {
	if _, ok := ParseInt(args[1]); !ok {
		c.W.Error("ERR value is not an integer or out of range")
		return
	}
	t, ok := ParseInt(args[2])
	if !ok {
		c.W.Error("ERR timeout is not an integer or out of range")
		return
	}
	if t < 0 {
		c.W.Error("ERR timeout is negative")
		return
	}
	c.W.Int(0)
}
