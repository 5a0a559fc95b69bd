package server

import (
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/command"
)

// The commands EXEC runs from a connection's MULTI queue, as Redis 7.0
// treats them. The connection is its session's kevy.QueuedHook:
//
//   - each queued command's ACL permissions are checked again as EXEC
//     runs it, since ACL SETUSER may have changed them after it was
//     queued; a command now refused does not run, its reply in EXEC's
//     array is Redis's NOPERM "ACLs rules changed..." error, and ACL LOG
//     records it with the context "multi". The other commands run.
//   - each command EXEC runs is timed and recorded in the slow log on its
//     own; EXEC itself never is (see slowLogged).
//
// A user allowed everything costs one flag test per queued command, and
// a disabled slow log no clock reading.

// wireNoMulti refuses, inside MULTI, a command flagged "no_multi" (SAVE,
// SHUTDOWN).
const wireNoMulti = "ERR Command not allowed inside a transaction"

// wireACLChanged is the start of the error that replaces, in EXEC's
// reply, a queued command that ACL rules changed since refuse.
const wireACLChanged = "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: "

// BeforeQueued implements kevy.QueuedHook: it checks the queued command's
// permissions again, and starts timing it for the slow log.
func (c *conn) BeforeQueued(args [][]byte, w kevy.ReplyWriter) bool {
	if !c.connUser().perms.Load().all && c.execDenied(args, w) {
		if c.mon != nil {
			c.mon.execStep(true) // MONITOR does not show it
		}
		return false
	}
	if c.mon != nil {
		c.mon.execStep(false)
	}
	if c.srv.slow.threshold() >= 0 {
		c.queuedStart = monoNow()
	}
	return true
}

// AfterQueued implements kevy.QueuedHook: it records the command EXEC
// just ran in the slow log if it was slow.
func (c *conn) AfterQueued(args [][]byte) {
	l := &c.srv.slow
	th := l.threshold()
	if th < 0 {
		return
	}
	if d := time.Duration(monoNow() - c.queuedStart); d >= th {
		l.add(c, args, d)
	}
}

// execDenied reports whether the connection's user may no longer run the
// queued command args, after writing Redis's error to w and recording
// the denial in ACL LOG.
func (c *conn) execDenied(args [][]byte, w kevy.ReplyWriter) bool {
	cc, _, sub := resolveCommand(args)
	if sub == nil || cc != nil && cc.noAuth { // AUTH, HELLO: always allowed
		return false
	}
	u := c.connUser()
	why, pos := u.perms.Load().checkCommand(sub, args)
	if why == aclOK {
		return false
	}
	reason, object := aclDenialObject(why, pos, sub, args)
	c.srv.users().addLog(c, reason, "multi", object, u.name)
	switch why {
	case aclDeniedKey:
		w.Error(wireACLChanged + "no permission to touch the specified keys")
	case aclDeniedChannel:
		w.Error(wireACLChanged + "no permission to access one of the channels used as arguments")
	default:
		w.Error(wireACLChanged + "no permission to execute the command or subcommand")
	}
	return true
}

// slowLogged reports whether Redis records in its slow log the command
// args that the connection just ran (reply is its reply, or what of it
// is still buffered). Redis records only the commands it called: not
// those refused before (unknown command or subcommand, wrong arity,
// NOAUTH, NOPERM, OOM, the subscribed context, a monitor's keyspace
// command), not those queued by MULTI (a command sent inside MULTI is
// recorded only if it runs at once: DISCARD, MULTI, WATCH, QUIT, RESET),
// and never EXEC, whose commands are recorded one by one as it runs them
// (AfterQueued); nor WAIT when Redis would wait for replicas until it
// times out (waitTimesOut).
func (c *conn) slowLogged(args [][]byte, reply []byte) bool {
	_, cmd, sub := resolveCommand(args)
	if !wellFormed(cmd, sub, args) || cmd.Name == "exec" || cmd.Name == "wait" && waitTimesOut(args) {
		return false
	}
	if c.lastMulti >= 0 { // sent inside MULTI
		switch cmd.Name {
		case "discard", "multi", "watch", "quit", "reset":
		default:
			return false
		}
	}
	for _, p := range slowRefusals {
		if hasPrefix(reply, p) {
			return false
		}
	}
	return true
}

// waitTimesOut reports whether WAIT numreplicas timeout (args) waits in
// Redis until it times out, or forever: with valid arguments asking for
// at least one replica, which kevy never has (its WAIT replies 0 at
// once). Redis does not record a blocked command that timed out in its
// slow log.
func waitTimesOut(args [][]byte) bool {
	n, ok := command.ParseInt(args[1])
	t, ok2 := command.ParseInt(args[2])
	return ok && ok2 && n > 0 && t >= 0
}

// slowRefusals are the starts of the replies of commands that Redis
// refuses before calling them.
var slowRefusals = []string{"-NOPERM ", "-OOM ", "-NOAUTH ", "-ERR Can't execute '", "-" + wireReplicaKeyspace}

// resolveCommand finds the command args names: the connection command
// cc if it is one (with its table entry as cmd), the command cmd, and
// its subcommand sub (cmd itself when it has none or args names no known
// one). cmd and sub are nil for an unknown command.
func resolveCommand(args [][]byte) (cc *connCmd, cmd, sub *command.Command) {
	if cc = lookupConnCmd(args[0]); cc != nil {
		cmd = cc.info
	} else if cmd = command.Lookup(args[0]); cmd == nil {
		return nil, nil, nil
	}
	sub = cmd
	if len(cmd.Subcommands) > 0 && len(args) >= 2 {
		if s := findSubcommand(cmd, args[1]); s != nil {
			sub = s
		}
	}
	return cc, cmd, sub
}

// wellFormed reports whether resolveCommand found a known command whose
// arity fits args and, for a container (CLIENT, CONFIG...), a known
// subcommand whose arity fits too: the checks Redis makes before any
// other.
func wellFormed(cmd, sub *command.Command, args [][]byte) bool {
	switch {
	case cmd == nil, !arityOK(cmd.Arity, len(args)):
		return false
	case len(cmd.Subcommands) > 0:
		return sub != cmd && arityOK(sub.Arity, len(args))
	}
	return true
}
