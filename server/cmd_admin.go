package server

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/command"
)

// Slow log defaults, Redis's slowlog-log-slower-than and slowlog-max-len.
const (
	defaultSlowlogThreshold = 10 * time.Millisecond
	defaultSlowlogMaxLen    = 128
	slowlogMaxArgc          = 32  // arguments kept per entry, as Redis
	slowlogMaxArgLen        = 128 // bytes kept per argument, as Redis
)

var (
	shutdownCmd = newConnCmd("shutdown", -1, adminFlags|command.FlagNoMulti|command.FlagAllowBusy,
		[]string{"admin", "slow", "dangerous"}, (*conn).shutdownCmd)
	slowlogCmd *connCmd // set in init
)

func init() {
	sub := func(name string, arity int, run func(*conn, [][]byte)) *connCmd {
		return newConnCmd(name, arity, adminFlags, []string{"admin", "slow", "dangerous"}, replying(run))
	}
	slowlogCmd = newConnCmd("slowlog", -2, 0, []string{"slow"}, func(c *conn, args [][]byte) bool { return c.runSub(slowlogCmd, args) },
		withTips(sub("slowlog|get", -2, (*conn).slowlogGet), []string{"request_policy:all_nodes", "nondeterministic_output"}),
		withTips(sub("slowlog|help", 2, (*conn).slowlogHelp), nil),
		withTips(sub("slowlog|len", 2, (*conn).slowlogLen), []string{"request_policy:all_shards", "response_policy:agg_sum", "nondeterministic_output"}),
		withTips(sub("slowlog|reset", 2, (*conn).slowlogReset), []string{"request_policy:all_nodes", "response_policy:all_succeeded"}),
	)
	slowlogCmd.subs[1].info.Flags = staleLoading
	slowlogCmd.subs[1].info.Categories = []string{"slow"}
}

// slowEntry is one slow log entry.
type slowEntry struct {
	id       int64
	unix     int64
	micros   int64
	args     [][]byte
	addr     string
	name     string
	argcMore int
}

// slowlog is a bounded ring of the slowest commands (Redis SLOWLOG).
type slowlog struct {
	// thresholdUs is slowlog-log-slower-than in microseconds, as CONFIG
	// shows it, and thresholdNs the same in nanoseconds (saturated),
	// which commands compare their time with; negative: disabled.
	thresholdUs, thresholdNs atomic.Int64
	mu                       sync.Mutex
	nextID                   int64
	entries                  []slowEntry // newest last
	maxLen                   int64
}

// add records a command that took d.
func (l *slowlog) add(c *conn, args [][]byte, d time.Duration) {
	n := len(args)
	e := slowEntry{unix: time.Now().Unix(), micros: d.Microseconds(), addr: c.addr}
	if n > slowlogMaxArgc {
		n = slowlogMaxArgc - 1
		e.argcMore = len(args) - n
	}
	e.args = make([][]byte, n)
	secret := secretArgs(c, args)
	for i := range n {
		a := args[i]
		if secret(i) {
			a = redacted
		}
		if len(a) > slowlogMaxArgLen {
			b := append([]byte(nil), a[:slowlogMaxArgLen]...)
			e.args[i] = append(b, "... ("+strconv.Itoa(len(a)-slowlogMaxArgLen)+" more bytes)"...)
		} else {
			e.args[i] = append([]byte(nil), a...)
		}
	}
	c.mu.Lock()
	e.name = c.name
	c.mu.Unlock()
	l.mu.Lock()
	e.id = l.nextID
	l.nextID++
	// Keep the newest maxLen entries, this one included, as Redis does
	// (push, then trim).
	l.entries = append(l.entries, e)
	l.trimLocked()
	l.mu.Unlock()
}

// recordSlow logs the command just run if it was slow; its reply starts
// at start in the connection's write buffer. Blocking commands that
// waited are left out (execBlocking records them), and so are EXEC, the
// commands queued by MULTI and those refused before they ran
// (slowLogged); passwords are "(redacted)" as in MONITOR (secretArgs).
func (c *conn) recordSlow(args [][]byte, d time.Duration, start int) {
	l := &c.srv.slow
	if c.cur != nil && c.cur.Flags&command.FlagBlocking != 0 && c.bw.blocked {
		return
	}
	reply := c.out.Bytes()
	if c.out != c.w {
		start = 0 // the discarding writer is emptied after each command
	}
	if !c.slowLogged(args, reply[min(start, len(reply)):]) {
		return
	}
	l.add(c, args, d)
}

// slowlogGet implements SLOWLOG GET [count].
func (c *conn) slowlogGet(args [][]byte) {
	count := int64(10)
	if len(args) == 3 {
		v, ok := command.ParseInt(args[2])
		if !ok || v < -1 {
			c.out.Error("ERR count should be greater than or equal to -1")
			return
		}
		count = v
	} else if len(args) > 3 {
		c.out.Error("ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.")
		return
	}
	l := &c.srv.slow
	l.mu.Lock()
	defer l.mu.Unlock()
	n := int64(len(l.entries))
	if count >= 0 && count < n {
		n = count
	}
	c.out.ArrayLen(int(n))
	for i := int64(0); i < n; i++ {
		e := &l.entries[len(l.entries)-1-int(i)]
		c.out.ArrayLen(6)
		c.out.Int(e.id)
		c.out.Int(e.unix)
		c.out.Int(e.micros)
		if e.argcMore > 0 {
			c.out.ArrayLen(len(e.args) + 1)
		} else {
			c.out.ArrayLen(len(e.args))
		}
		for _, a := range e.args {
			c.out.Bulk(a)
		}
		if e.argcMore > 0 {
			c.out.BulkString("... (" + strconv.Itoa(e.argcMore) + " more arguments)")
		}
		c.out.BulkString(e.addr)
		c.out.BulkString(e.name)
	}
}

func (c *conn) slowlogLen(_ [][]byte) {
	c.srv.slow.mu.Lock()
	n := len(c.srv.slow.entries)
	c.srv.slow.mu.Unlock()
	c.out.Int(int64(n))
}

func (c *conn) slowlogReset(_ [][]byte) {
	c.srv.slow.mu.Lock()
	c.srv.slow.entries = c.srv.slow.entries[:0]
	c.srv.slow.mu.Unlock()
	c.out.SimpleString("OK")
}

var slowlogHelpText = []string{
	"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GET [<count>]",
	"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
	"    Entries are made of:",
	"    id, timestamp, time in microseconds, arguments array, client IP and port,",
	"    client name",
	"LEN",
	"    Return the length of the slowlog.",
	"RESET",
	"    Reset the slowlog.",
	"HELP",
	"    Prints this help.",
}

func (c *conn) slowlogHelp(_ [][]byte) {
	c.out.ArrayLen(len(slowlogHelpText))
	for _, l := range slowlogHelpText {
		c.out.SimpleString(l)
	}
}

// shutdownCmd implements SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. It
// saves a snapshot unless NOSAVE (a database without a directory has
// nothing to save), then closes the connection and stops the server:
// Config.OnShutdown is called, or without one the server shuts itself
// down. A failed save refuses the shutdown unless FORCE.
func (c *conn) shutdownCmd(args [][]byte) bool {
	var save, noSave, now, force, abort bool
	for _, a := range args[1:] {
		switch {
		case command.EqualFold(a, "nosave"):
			noSave = true
		case command.EqualFold(a, "save"):
			save = true
		case command.EqualFold(a, "now"):
			now = true
		case command.EqualFold(a, "force"):
			force = true
		case command.EqualFold(a, "abort"):
			abort = true
		default:
			c.out.Error("ERR syntax error")
			return true
		}
	}
	if (abort && (save || noSave || now || force)) || (save && noSave) {
		c.out.Error("ERR syntax error")
		return true
	}
	if abort {
		c.out.Error("ERR No shutdown in progress.")
		return true
	}
	if !noSave {
		if err := c.srv.db.Save(); err != nil && !errors.Is(err, kevy.ErrInvalidArgument) {
			c.srv.log.Warn("kevy: SHUTDOWN: save failed", "err", err)
			if !force {
				c.out.Error("ERR Errors trying to SHUTDOWN. Check logs.")
				return true
			}
		}
	}
	c.srv.log.Info("kevy: SHUTDOWN requested", "client", c.addr)
	if f := c.srv.cfg.OnShutdown; f != nil {
		go f()
	} else {
		s := c.srv
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s.Shutdown(ctx)
		}()
	}
	return false
}
