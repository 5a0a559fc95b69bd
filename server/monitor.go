package server

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevydb/kevy/internal/command"
)

// MONITOR, with Redis 7.0's behaviour.
//
// After MONITOR (+OK), a connection receives every command the server
// runs, its own included, as a status line:
//
//	+1339518083.107412 [0 127.0.0.1:60866] "keys" "*"
//
// with the Unix time in microseconds, the database selected after the
// command, the client's address (unix:<socket path> for a unix socket)
// and the arguments as sent, each double-quoted with Redis's escapes
// (\", \\, \n, \r, \t, \a, \b, \xHH for other bytes outside printable
// ASCII). What is shown and when follows Redis 7.0:
//
//   - a command is shown once it ran, errors at run time included;
//     commands refused before running are not (unknown command or
//     subcommand, wrong arity, NOAUTH, NOPERM, OOM, the subscribed
//     context, a monitor's keyspace commands), except EXEC, shown
//     whenever it replies EXECABORT (its wrong arity or NOPERM included);
//   - admin commands are never shown (CONFIG, CLIENT KILL, SHUTDOWN,
//     SLOWLOG, MONITOR itself...), nor are the arguments of AUTH and
//     HELLO's AUTH option, which appear as "(redacted)";
//   - inside MULTI, the queued commands are not shown when queued but
//     when EXEC runs them, followed by EXEC itself; a transaction that
//     does not run (EXECABORT, a touched WATCHed key) shows EXEC alone,
//     and the queued commands EXEC refuses because ACL rules changed
//     since they were queued are not shown (nor does a refused SELECT
//     change the database shown for the next ones);
//   - a blocking command (BLPOP...) is shown when it starts waiting.
//
// A monitoring connection may still run the commands that do not touch
// the keyspace (PING, CLIENT, INFO, SUBSCRIBE...); the others get Redis's
// "ERR Replica can't interact with the keyspace". RESET ends monitoring,
// QUIT closes the connection, and MONITOR again is ignored (no reply).
// MONITOR queued by MULTI fails when EXEC runs it, as in Redis.
//
// Cost. Without a monitor, the command path pays one atomic load
// (monitors.active). With monitors, every command formats its line once
// (one allocation), shared by every monitor's queue.
//
// Slow monitors. Each monitor has a queue bounded in bytes
// (Config.MonitorBufferLimit, 32 MB by default, counting the lines'
// bytes): a command never waits for a monitor. Lines are written by the
// monitor's own connection goroutine, while it waits for input, and
// before and after each command it runs. A monitor whose queue would
// grow past the limit is disconnected at once, as Redis disconnects a
// client over its output buffer limit; lines are never dropped silently.
//
// CLIENT LIST shows a monitor with Redis's O flag.
//
// Limits. A monitor attached while a transaction is being queued shows,
// at EXEC, only the commands queued after it attached.

// DefaultMonitorBufferLimit is the default of Config.MonitorBufferLimit.
const DefaultMonitorBufferLimit = 32 << 20

// wireReplicaKeyspace is Redis's refusal of a keyspace command sent by a
// monitor (a monitor is a kind of replica there).
const wireReplicaKeyspace = "ERR Replica can't interact with the keyspace"

// monitorCmd is MONITOR (set in init: its handler refers to it).
var monitorCmd *connCmd

func init() {
	monitorCmd = newConnCmd("monitor", 1, adminFlags, []string{"admin", "slow", "dangerous"}, (*conn).monitorCommand)
	// cmd_conn.go's init built the list; pubsub.go's, which runs after
	// this one (files initialise in name order), sorts it.
	connCmds = append(connCmds, monitorCmd)
}

// monitors is the set of monitoring connections of a server.
type monitors struct {
	list atomic.Pointer[[]*monitor] // nil when there is none
	mu   sync.Mutex                 // serialises changes of list
}

// active reports whether any connection monitors: the one load the
// command path pays.
func (h *monitors) active() bool { return h.list.Load() != nil }

func (h *monitors) add(m *monitor) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var l []*monitor
	if p := h.list.Load(); p != nil {
		l = append(l, *p...)
	}
	l = append(l, m)
	h.list.Store(&l)
}

func (h *monitors) remove(m *monitor) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.list.Load()
	if p == nil {
		return
	}
	var l []*monitor
	for _, x := range *p {
		if x != m {
			l = append(l, x)
		}
	}
	if len(l) == 0 {
		h.list.Store(nil)
		return
	}
	h.list.Store(&l)
}

// feed queues line for every monitor.
func (h *monitors) feed(line []byte) {
	if p := h.list.Load(); p != nil {
		for _, m := range *p {
			m.push(line)
		}
	}
}

// monitor is the queue of lines waiting to be written to one monitoring
// connection.
type monitor struct {
	c     *conn
	limit int64
	ready chan struct{} // signalled (capacity 1) when lines arrive

	mu    sync.Mutex
	lines [][]byte
	bytes int64
	over  bool // the limit was exceeded: the connection is being closed
}

func newMonitor(c *conn) *monitor {
	limit := c.srv.cfg.MonitorBufferLimit
	if limit <= 0 {
		limit = DefaultMonitorBufferLimit
	}
	return &monitor{c: c, limit: limit, ready: make(chan struct{}, 1)}
}

// push queues a line, or disconnects the monitor when its queue would go
// over the limit. It never blocks on the monitor's connection.
func (m *monitor) push(line []byte) {
	m.mu.Lock()
	if m.over {
		m.mu.Unlock()
		return
	}
	if m.bytes+int64(len(line)) > m.limit {
		m.over = true
		clear(m.lines)
		m.lines, m.bytes = nil, 0
		m.mu.Unlock()
		c := m.c
		c.srv.log.Warn("kevy server: closing a MONITOR client over its output buffer limit",
			"client", c.id, "remote", c.addr, "limit", m.limit)
		c.kill()
		c.nc.Close()
		return
	}
	m.lines = append(m.lines, line)
	m.bytes += int64(len(line))
	m.mu.Unlock()
	select {
	case m.ready <- struct{}{}:
	default:
	}
}

// take moves up to max queued lines to dst and returns them.
func (m *monitor) take(dst [][]byte, max int) [][]byte {
	m.mu.Lock()
	n := min(len(m.lines), max)
	for _, l := range m.lines[:n] {
		dst = append(dst, l)
		m.bytes -= int64(len(l))
	}
	rest := copy(m.lines, m.lines[n:])
	clear(m.lines[rest:])
	m.lines = m.lines[:rest]
	m.mu.Unlock()
	return dst
}

// connMonitor is a connection's MONITOR state, made the first time it
// runs a command while monitors are active.
type connMonitor struct {
	self *monitor // set while the connection monitors
	// pending is the command being dispatched, fed is set once it was
	// shown (a blocking command is shown when it starts waiting).
	pending [][]byte
	fed     bool
	// queued are the commands queued by the open MULTI, shown when EXEC
	// runs them; execPos counts the queued commands EXEC reached
	// (BeforeQueued), to mark those it refused.
	queued  []queuedLine
	execPos int
	batch   [][]byte // scratch for draining
}

// queuedLine is a command queued by MULTI while monitors were active.
type queuedLine struct {
	cmd    *command.Command
	args   [][]byte // a copy
	idx    int      // its position in the transaction's queue
	denied bool     // EXEC refused it: ACL rules changed since it was queued
}

// monState returns the connection's MONITOR state, making it.
func (c *conn) monState() *connMonitor {
	if c.mon == nil {
		c.mon = &connMonitor{}
	}
	return c.mon
}

// monitoring reports whether the connection is a monitor.
func (c *conn) monitoring() bool { return c.mon != nil && c.mon.self != nil }

// monitorCommand implements MONITOR.
func (c *conn) monitorCommand(_ [][]byte) bool {
	if c.cur != monitorCmd.info { // run by EXEC
		c.out.Error("ERR MONITOR isn't allowed for DENY BLOCKING client")
		return true
	}
	cm := c.monState()
	if cm.self != nil {
		return true // already monitoring: ignored without a reply, as Redis does
	}
	cm.self = newMonitor(c)
	c.srv.mon.add(cm.self)
	c.out.SimpleString("OK")
	return true
}

// stopMonitor ends monitoring (RESET, or the connection closing).
func (c *conn) stopMonitor() {
	if !c.monitoring() {
		return
	}
	c.srv.mon.remove(c.mon.self)
	c.mon.self = nil
}

// dispatchMonitored is dispatch while monitors are active: it refuses a
// monitor's keyspace commands, and shows the command to the monitors
// once it ran.
func (c *conn) dispatchMonitored(args [][]byte) bool {
	cm := c.monState()
	inMulti := c.sess.InMulti()
	if !inMulti && len(cm.queued) > 0 {
		cm.clearQueued() // left by a transaction that ended while no monitor was active
	}
	if cm.self != nil {
		c.drainMonitor(cm.self, false) // lines that came before this command go before its reply
		if c.monitorGate(args) {
			return true
		}
	}
	// PING in RESP2's subscribed context is answered by pubsubGate
	// before dispatch marks the command as run.
	subPing := false
	if ps := c.ps.Load(); ps != nil && c.authed && c.w.Proto() == 2 && ps.subscribed() &&
		command.EqualFold(args[0], "ping") && len(args) <= 2 {
		subPing = true
	}
	qlen := c.sess.MultiLen()
	db := c.sess.DB()
	out := c.out
	start := out.Buffered()
	prev := c.cur
	c.cur = nil // dispatch sets it once the command passed its checks
	cm.pending, cm.fed = args, false
	cm.execPos = 0
	keep := c.dispatch(args)
	cm.pending = nil
	ran := c.cur
	if ran == nil {
		c.cur = prev
		if subPing || execAborted(args, out.Bytes()[start:]) {
			c.feedMonitors(c.sess.DB(), args)
		}
	} else if !cm.fed {
		if ran == resetCmd.info {
			c.stopMonitor() // a monitor does not see its own RESET
		}
		if inMulti {
			c.monitorInMulti(cm, ran, args, qlen, db, out.Bytes()[start:])
		} else if shown(ran, args, out.Bytes()[start:]) {
			c.feedMonitors(c.sess.DB(), args)
		}
	}
	if cm.self != nil && keep {
		c.drainMonitor(cm.self, false) // its own command's line follows its reply
	}
	return keep
}

// monitorBlocking shows a blocking command when it starts waiting
// (blockWriter.Blocking), as Redis does.
func (c *conn) monitorBlocking() {
	if cm := c.mon; cm != nil && cm.pending != nil && !cm.fed && c.srv.mon.active() {
		cm.fed = true
		c.feedMonitors(c.sess.DB(), cm.pending)
	}
}

// monitorGate refuses, for a monitoring connection, a command that
// touches the keyspace, after the checks Redis makes before (unknown
// command, arity, subscribed context), and reports whether it did.
func (c *conn) monitorGate(args [][]byte) bool {
	_, cmd, sub := resolveCommand(args)
	if !wellFormed(cmd, sub, args) {
		return false
	}
	if ps := c.ps.Load(); ps != nil && c.w.Proto() == 2 && ps.subscribed() {
		return false // the subscribed context's refusal comes first
	}
	if sub.Flags&(command.FlagWrite|command.FlagReadOnly) == 0 && !mayReplicate(sub.Name) {
		return false
	}
	c.sess.FailQueued(wireReplicaKeyspace, c.out)
	return true
}

// mayReplicate reports whether Redis flags a command that neither reads
// nor writes keys as "may replicate" (refused to monitors too).
func mayReplicate(name string) bool {
	switch name {
	case "publish", "spublish", "pfcount", "eval", "evalsha", "fcall", "script|flush", "function|delete",
		"function|flush", "function|load", "function|restore":
		return true
	}
	return false
}

// shown reports whether a command that passed dispatch's checks is shown
// to the monitors, given its reply: not when Redis refuses it before
// running it (unknown subcommand, wrong arity of the subcommand, NOPERM,
// OOM) or when it is an admin command.
func shown(cmd *command.Command, args [][]byte, reply []byte) bool {
	switch {
	case cmd.Flags&command.FlagAdmin != 0,
		len(cmd.Subcommands) > 0, // an unknown subcommand: dispatch kept the container
		!arityOK(cmd.Arity, len(args)),
		cmd.Flags&command.FlagDenyOOM != 0 && hasPrefix(reply, "-OOM "),
		hasPrefix(reply, "-NOPERM "): // refused by ACL rules (aclCheck sets c.cur)
		return false
	}
	return true
}

// monitorInMulti handles a command sent inside MULTI: the commands run at
// once (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET) are shown, EXEC after
// the commands it ran (not those it refused because ACL rules changed,
// which Redis does not show); a queued command is kept for EXEC. db is
// the database selected before the command, reply its reply.
func (c *conn) monitorInMulti(cm *connMonitor, cmd *command.Command, args [][]byte, qlen, db int, reply []byte) {
	switch cmd.Name {
	case "exec":
		if execRan(reply) {
			for _, q := range cm.queued {
				if q.denied {
					continue
				}
				if q.cmd.Name == "select" {
					if n, ok := command.ParseInt(q.args[1]); ok {
						if _, err := c.srv.db.Database(int(n)); err == nil {
							db = int(n)
						}
					}
				}
				if shown(q.cmd, q.args, nil) {
					c.feedMonitors(db, q.args)
				}
			}
		}
		cm.clearQueued()
		c.feedMonitors(c.sess.DB(), args)
	case "discard", "multi", "watch", "quit", "reset":
		if !c.sess.InMulti() {
			cm.clearQueued()
		}
		c.feedMonitors(c.sess.DB(), args)
	default:
		if c.sess.MultiLen() == qlen+1 { // queued
			cm.queued = append(cm.queued, queuedLine{cmd: cmd, args: copyArgs(args), idx: qlen})
		}
	}
}

// execStep is called by BeforeQueued for each queued command EXEC
// reaches, in order: a command EXEC refuses (denied) is not shown.
func (cm *connMonitor) execStep(denied bool) {
	pos := cm.execPos
	cm.execPos++
	if !denied {
		return
	}
	if i, ok := slices.BinarySearchFunc(cm.queued, pos, func(q queuedLine, p int) int { return q.idx - p }); ok {
		cm.queued[i].denied = true
	}
}

// execAborted reports whether EXEC (args) was refused before running
// (wrong arity...) with EXECABORT, which Redis shows to monitors all the
// same, inside MULTI or not.
func execAborted(args [][]byte, reply []byte) bool {
	return command.EqualFold(args[0], "exec") && hasPrefix(reply, "-EXECABORT ")
}

// execRan reports whether EXEC's reply is the array of the queued
// commands' replies, rather than an error or a null (aborted).
func execRan(reply []byte) bool {
	return len(reply) >= 2 && reply[0] == '*' && reply[1] != '-'
}

func (cm *connMonitor) clearQueued() {
	clear(cm.queued)
	cm.queued = cm.queued[:0]
}

// copyArgs copies args into one allocation.
func copyArgs(args [][]byte) [][]byte {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	out := make([][]byte, len(args))
	for i, a := range args {
		buf = append(buf, a...)
		out[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
	return out
}

func hasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

// feedMonitors formats the line of a command run by c with database db
// selected and queues it for every monitor.
func (c *conn) feedMonitors(db int, args [][]byte) {
	c.srv.mon.feed(c.monitorLine(time.Now(), db, args))
}

// redacted replaces a secret argument in monitor lines.
var redacted = []byte("(redacted)")

// monitorLine formats a monitor line, status-line framing included.
func (c *conn) monitorLine(now time.Time, db int, args [][]byte) []byte {
	n := 48 + len(c.addr)
	for _, a := range args {
		n += len(a) + 3
	}
	b := make([]byte, 0, n)
	b = append(b, '+')
	b = strconv.AppendInt(b, now.Unix(), 10)
	b = append(b, '.')
	us := now.Nanosecond() / 1000
	for d := 100000; d > 1; d /= 10 {
		if us < d {
			b = append(b, '0')
		}
	}
	b = strconv.AppendInt(b, int64(us), 10)
	b = append(b, " ["...)
	b = strconv.AppendInt(b, int64(db), 10)
	b = append(b, ' ')
	if c.unixSocket {
		b = append(b, "unix:"...)
		b = append(b, c.laddr[:len(c.laddr)-len(":0")]...)
	} else {
		b = append(b, c.addr...)
	}
	b = append(b, ']')
	secret := secretArgs(c, args)
	for i, a := range args {
		if secret(i) {
			a = redacted
		}
		b = append(b, ' ')
		b = command.AppendRepr(b, a)
	}
	return append(b, '\r', '\n')
}

// secretArgs returns which arguments of a command monitors see as
// "(redacted)", as Redis redacts them while running the command: every
// argument of AUTH (with its arity right), and the username and password
// of HELLO's AUTH option (once the protocol version was accepted, and
// until an option fails), everything after ACL SETUSER, the username
// included, and the values CONFIG SET gives sensitive settings
// (requirepass), whatever else the command does wrong (admin commands,
// which only the slow log shows). c is the connection that ran it.
func secretArgs(c *conn, args [][]byte) func(i int) bool {
	if len(args) == 0 {
		return never // the slow log's entry of a command ended by CLIENT UNBLOCK
	}
	name := args[0]
	switch {
	case command.EqualFold(name, "config") && len(args) >= 4 && len(args)%2 == 0 && command.EqualFold(args[1], "set"):
		return func(i int) bool {
			if i < 3 || i%2 == 0 {
				return false
			}
			s := c.setting(string(args[i-1]))
			return s != nil && s.Sensitive
		}
	case command.EqualFold(name, "acl") && len(args) >= 3 && command.EqualFold(args[1], "setuser"):
		return func(i int) bool { return i > 1 }
	case command.EqualFold(name, "auth"):
		if len(args) <= 3 {
			return func(i int) bool { return i > 0 }
		}
	case command.EqualFold(name, "hello") && len(args) >= 2:
		if v, ok := command.ParseInt(args[1]); !ok || v < 2 || v > 3 {
			return never
		}
		var hide []int
		for i := 2; i < len(args); i++ {
			more := len(args) - 1 - i
			switch opt := args[i]; {
			case command.EqualFold(opt, "auth") && more >= 2:
				hide = append(hide, i+1, i+2)
				i += 2
			case command.EqualFold(opt, "setname") && more >= 1 && validName(args[i+1]):
				i++
			default:
				i = len(args) // an option failed: the rest is not parsed
			}
		}
		return func(i int) bool {
			for _, h := range hide {
				if h == i {
					return true
				}
			}
			return false
		}
	}
	return never
}

func never(int) bool { return false }

// setting returns the CONFIG parameter named name as the connection's
// CONFIG sees it, or nil.
func (c *conn) setting(name string) *command.Setting {
	return c.eng.LookupSettingFor(c.esess, name)
}

// errMonitorKilled ends a monitor's read when it was killed.
var errMonitorKilled = errors.New("kevy server: monitor closed")

// monitorRead is conn.Read for a monitoring connection: while it waits
// for input, it writes the lines that arrive. Monitors never time out,
// as in Redis.
func (c *conn) monitorRead(p []byte) (int, error) {
	m := c.mon.self
	c.nc.SetReadDeadline(time.Time{})
	// Checked after clearing the deadline, as Read does: Shutdown sets
	// the flag before moving the deadline to the past.
	if c.srv.shutdown.Load() {
		return 0, errShutdown
	}
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	var stopping atomic.Bool
	go func() {
		n, err := c.readPastWakeups(p, &stopping)
		done <- result{n, err}
	}()
	stop := func(err error) (int, error) {
		stopping.Store(true)
		c.nc.SetReadDeadline(aLongTimeAgo)
		<-done
		return 0, err
	}
	for {
		if err := c.drainMonitor(m, true); err != nil {
			c.nc.Close()
			return stop(err)
		}
		ps := c.releaseOutput() // pub/sub messages may be written meanwhile
		select {
		case r := <-done:
			acquireOutput(ps)
			if r.n > 0 {
				c.clock = monoNow()
				c.lastIO.Store(c.clock)
			}
			return r.n, r.err
		case <-m.ready:
			acquireOutput(ps)
		case <-c.closing:
			acquireOutput(ps)
			return stop(errMonitorKilled)
		case <-c.srv.done:
			acquireOutput(ps)
			return stop(errShutdown)
		}
	}
}

// drainBatch is how many lines are moved from the queue at a time.
const drainBatch = 64

// drainMonitor moves the queued lines to the connection's writer,
// writing them out when more than flushAt bytes are pending, and at the
// end if flush is set. Under CLIENT REPLY OFF the lines are dropped, as
// Redis drops every reply to such a client.
func (c *conn) drainMonitor(m *monitor, flush bool) error {
	cm := c.mon
	for {
		batch := m.take(cm.batch[:0], drainBatch)
		for i, l := range batch {
			if !c.replyOff {
				c.w.Raw(l)
			}
			batch[i] = nil
		}
		cm.batch = batch[:0]
		if c.w.Buffered() >= flushAt || (flush && c.w.Buffered() > 0) {
			if err := c.w.Flush(); err != nil {
				return err
			}
		}
		if len(batch) < drainBatch {
			return nil
		}
	}
}
