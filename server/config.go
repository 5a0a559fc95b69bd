package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/resp"
)

// The server's CONFIG parameters. CONFIG GET, SET and REWRITE over a
// connection see them next to the database's (maxmemory, the encoding
// thresholds, dir...): requirepass, maxclients, timeout,
// slowlog-log-slower-than, slowlog-max-len and protected-mode, with
// Redis 7.0's ranges and error texts, and the program's own
// (Config.Settings). A new value applies at once to every connection:
// the fields the connections read are atomic.

// Setting is a CONFIG parameter a program adds to its server's
// (Config.Settings), for what the program owns rather than the server:
// kevy serve adds port, bind, unixsocket and the TLS files. CONFIG GET
// shows Get's value; CONFIG SET calls Set, whose error text is replied
// after Redis's "ERR CONFIG SET failed (possibly related to argument
// 'name') - "; CONFIG REWRITE writes the value as the directive's
// argument.
type Setting struct {
	// Name is the parameter's name, in lower case.
	Name string
	// Get returns the current value (nil: always "").
	Get func() string
	// Set applies a new value or returns why it cannot. nil makes the
	// parameter read-only: CONFIG SET replies Redis's "can't set
	// immutable config". Set runs while CONFIG SET holds every shard of
	// the database, so it must not run commands.
	Set func(value string) error
	// Apply, when set, puts the value in effect once CONFIG SET has Set
	// every parameter it names, so that parameters that work together
	// (a certificate and its key, an address and a port) change
	// together: Set then only checks and stores the value. Apply runs
	// once per parameter that has it, so it must be idempotent; when it
	// fails, the parameters get their old values back (Set, then Apply
	// again) and CONFIG SET fails with its error's text. Like Set, it
	// runs while CONFIG SET holds every shard of the database: commands
	// wait for it, so it should be quick (kevy serve's open sockets and
	// read certificate files).
	Apply func() error
	// Quoted makes CONFIG REWRITE write the value in double quotes, as
	// Redis writes file names and other strings.
	Quoted bool
}

// settingTable returns the server's parameters, the program's (cfg)
// last, replacing any of the server's with the same name.
func (s *Server) settingTable(extra []Setting) *command.SettingTable {
	timeout := command.IntSetting("timeout", nil, 0, math.MaxInt32,
		func(*command.Engine) int64 { return s.idleTimeout.Load() / int64(time.Second) },
		func(_ *command.Engine, v int64) { s.idleTimeout.Store(v * int64(time.Second)) })
	timeout.After = func(*command.Engine) { s.wakeReaders() }
	slowMax := command.IntSetting("slowlog-max-len", nil, 0, math.MaxInt64,
		func(*command.Engine) int64 { return s.slow.maxLength() },
		func(_ *command.Engine, v int64) { s.slow.setMaxLen(v) })
	slowMax.After = func(*command.Engine) { s.slow.trim() }
	slowThreshold := command.IntSetting("slowlog-log-slower-than", nil, -1, math.MaxInt64,
		func(*command.Engine) int64 { return s.slow.thresholdMicros() },
		func(_ *command.Engine, v int64) { s.slow.setThreshold(v) })
	slowThreshold.After = slowMax.After // turned on again: the length applies
	list := []*command.Setting{
		// The default user's passwords change in Apply, so that a CONFIG
		// SET refused on another value leaves them alone (as in Redis);
		// the same value again changes nothing.
		{Name: "requirepass", Rewrite: command.RewriteQuoted, Sensitive: true,
			Get: func(*command.Engine) string { return *s.requirePass.Load() },
			Set: func(_ *command.Engine, v string) string {
				s.nextPass = v
				return ""
			},
			Apply: func(*command.Engine) string {
				if s.nextPass != *s.requirePass.Load() {
					s.setRequirePass(s.nextPass)
				}
				return ""
			}},
		command.IntSetting("maxclients", nil, 1, math.MaxUint32,
			func(*command.Engine) int64 { return s.maxClients.Load() },
			func(_ *command.Engine, v int64) { s.maxClients.Store(v) }),
		timeout,
		slowThreshold,
		slowMax,
		{Name: "protected-mode",
			Get: func(*command.Engine) string { return yesNo(!s.protectedOff.Load()) },
			Set: func(_ *command.Engine, v string) string {
				switch {
				case strings.EqualFold(v, "yes"):
					s.protectedOff.Store(false)
				case strings.EqualFold(v, "no"):
					s.protectedOff.Store(true)
				default:
					return "argument must be 'yes' or 'no'"
				}
				return ""
			}},
	}
	list = append(list, &command.Setting{Name: "client-output-buffer-limit",
		Get: func(*command.Engine) string { return s.outputLimitsString() },
		Set: func(_ *command.Engine, v string) string { return s.setOutputLimits(v) },
		Apply: func(*command.Engine) string {
			s.applyOutputLimits()
			return ""
		}})
	for _, x := range extra {
		cs := &command.Setting{Name: strings.ToLower(x.Name),
			Get: func(*command.Engine) string {
				if x.Get == nil {
					return ""
				}
				return x.Get()
			}}
		if x.Quoted {
			cs.Rewrite = command.RewriteQuoted
		}
		if set := x.Set; set != nil {
			cs.Set = func(_ *command.Engine, v string) string {
				if err := set(v); err != nil {
					return err.Error()
				}
				return ""
			}
		}
		if apply := x.Apply; apply != nil {
			cs.Apply = func(*command.Engine) string {
				if err := apply(); err != nil {
					return err.Error()
				}
				return ""
			}
		}
		list = append(list, cs)
	}
	return command.NewSettingTable(list...)
}

// outputLimitsString is client-output-buffer-limit as CONFIG GET shows it:
// normal clients have no limit (kevy stops reading from a client that
// does not read its replies), the replica class is kept for show.
func (s *Server) outputLimitsString() string {
	p, r := s.psLimits.Load(), s.replicaLimit.Load()
	return fmt.Sprintf("normal 0 0 0 slave %d %d %d pubsub %d %d %d",
		r[0], r[1], r[2], p.hard, p.soft, int64(p.softFor/time.Second))
}

// setOutputLimits parses client-output-buffer-limit as Redis does
// (groups of class, hard limit, soft limit and soft seconds separated by
// single spaces, the limits with memory units) and keeps the classes
// given for applyOutputLimits. kevy enforces the pubsub class; it refuses
// limits for normal clients, which it never disconnects for their output
// (it stops reading from them instead).
func (s *Server) setOutputLimits(v string) string {
	ps, rep := *s.psLimits.Load(), *s.replicaLimit.Load()
	s.nextLimits.ps, s.nextLimits.replica = &ps, &rep
	if v == "" {
		return ""
	}
	f := strings.Split(v, " ")
	if len(f)%4 != 0 {
		return "Wrong number of arguments in buffer limit configuration."
	}
	type group struct {
		class      string
		hard, soft uint64
		secs       int64
	}
	var gs []group
	for i := 0; i < len(f); i += 4 {
		class := strings.ToLower(f[i])
		switch class {
		case "normal", "pubsub":
		case "slave", "replica":
			class = "replica"
		default:
			return "Invalid client class specified in buffer limit configuration."
		}
		hard, ok1 := command.ParseMemory(f[i+1])
		soft, ok2 := command.ParseMemory(f[i+2])
		secs, err := strconv.ParseInt(f[i+3], 10, 64)
		if !ok1 || !ok2 || err != nil || secs < 0 {
			return "Error in hard, soft or soft_seconds setting in buffer limit configuration."
		}
		gs = append(gs, group{class, hard, soft, secs})
	}
	for _, g := range gs {
		if g.class == "normal" && (g.hard != 0 || g.soft != 0 || g.secs != 0) {
			return "kevy does not limit the output of normal clients (it stops reading from a client that does not read its replies): only 0 0 0"
		}
	}
	for _, g := range gs {
		hard, soft := int64(min(g.hard, math.MaxInt64)), int64(min(g.soft, math.MaxInt64))
		switch g.class {
		case "pubsub":
			secs := min(g.secs, int64(math.MaxInt64/time.Second))
			*s.nextLimits.ps = outputLimit{hard: hard, soft: soft, softFor: time.Duration(secs) * time.Second}
		case "replica":
			*s.nextLimits.replica = [3]int64{hard, soft, g.secs}
		}
	}
	return ""
}

// applyOutputLimits puts in effect the limits setOutputLimits kept, and
// gives the subscribers the pubsub ones: a lower hard limit closes a
// subscriber at its next message over it, a lower soft limit starts its
// clock at once. It runs under every shard lock (CONFIG SET's apply
// step), so CONFIG SETs apply one after the other; a subscriber that
// starts meanwhile checks the limits again (conn.pubsubState).
func (s *Server) applyOutputLimits() {
	if s.nextLimits.ps == nil {
		return
	}
	s.psLimits.Store(s.nextLimits.ps)
	s.replicaLimit.Store(s.nextLimits.replica)
	s.nextLimits.ps, s.nextLimits.replica = nil, nil
	s.eachConn(func(c *conn) {
		if ps := c.ps.Load(); ps != nil {
			ps.applyLimits(s)
		}
	})
}

// ConfigSet applies CONFIG SET name value [name value ...] as a client of
// the server would, with its parameters and the database's: all the
// values or none. A refusal is an error holding Redis's error reply
// ("ERR CONFIG SET failed ..."); an odd number of strings is Redis's
// syntax error. Programs use it to apply a configuration file's
// directives before they serve.
func (s *Server) ConfigSet(nameValues ...string) error {
	if len(nameValues) == 0 {
		return errors.New(command.WrongArity("config|set"))
	}
	args := make([][]byte, 0, 2+len(nameValues))
	args = append(args, []byte("CONFIG"), []byte("SET"))
	for _, v := range nameValues {
		args = append(args, []byte(v))
	}
	eng, es, done, err := s.configSession()
	if err != nil {
		return err
	}
	defer done()
	w := resp.NewWriter(io.Discard, 0)
	eng.Exec(es, args, w)
	if r := w.Bytes(); len(r) > 0 && r[0] == '-' {
		return errors.New(strings.TrimRight(string(r[1:]), "\r\n"))
	}
	return nil
}

// ConfigParams returns every CONFIG parameter a client of the server
// sees, the server's and the database's, sorted by name, with its
// current value (kevy.DB.ConfigParams has the database's alone).
func (s *Server) ConfigParams() ([]kevy.ConfigParam, error) {
	eng, es, done, err := s.configSession()
	if err != nil {
		return nil, err
	}
	defer done()
	return eng.ConfigParams(es), nil
}

// configSession returns a session that sees CONFIG as the server's
// connections do, and the function that ends it.
func (s *Server) configSession() (*command.Engine, *command.Session, func(), error) {
	sess := s.db.NewSession()
	eng, es, closed := command.PublicSession(sess)
	if closed.Load() {
		sess.Close()
		return nil, nil, nil, kevy.ErrClosed
	}
	es.Settings = s.settings
	return eng, es, sess.Close, nil
}

// wakeReaders applies a new idle timeout to the connections waiting for
// input: their reads' deadlines are moved to now, and each read then
// re-arms its deadline from the new timeout and the time of its last
// input (conn.idleRearm), or goes on waiting (readPastWakeups).
func (s *Server) wakeReaders() {
	now := time.Now()
	s.eachConn(func(c *conn) {
		if _, ok := c.nc.(*tls.Conn); ok && !c.tlsReady.Load() {
			return // in its handshake, where a timeout is final
		}
		c.nc.SetReadDeadline(now)
	})
}

// setRequirePass sets the password of the default user, as Redis's
// requirepass does: its passwords are replaced by pass, or by nopass
// when pass is "". Connections already authenticated stay so.
func (s *Server) setRequirePass(pass string) {
	t := s.users()
	ix := aclCommands()
	t.mu.Lock()
	p := t.def.perms.Load().clone()
	p.passwords, p.nopass = nil, pass == ""
	if pass != "" {
		p.passwords = []string{hashPassword([]byte(pass))}
	}
	p.finish(ix)
	t.def.perms.Store(p)
	s.requirePass.Store(&pass)
	t.mu.Unlock()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// thresholdMicros returns slowlog-log-slower-than, in microseconds
// (negative: the slow log is off).
func (l *slowlog) thresholdMicros() int64 { return l.thresholdUs.Load() }

// threshold returns the duration from which a command is logged; a
// negative one means none is.
func (l *slowlog) threshold() time.Duration { return time.Duration(l.thresholdNs.Load()) }

// setThreshold sets slowlog-log-slower-than to us microseconds.
func (l *slowlog) setThreshold(us int64) {
	ns := int64(math.MaxInt64)
	if us < math.MaxInt64/1000 {
		ns = us * 1000
	}
	l.thresholdUs.Store(us)
	l.thresholdNs.Store(ns)
}

// maxLength returns slowlog-max-len.
func (l *slowlog) maxLength() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.maxLen
}

// setMaxLen sets slowlog-max-len; trim drops the entries over it.
func (l *slowlog) setMaxLen(n int64) {
	l.mu.Lock()
	l.maxLen = n
	l.mu.Unlock()
}

// trim drops the oldest entries over slowlog-max-len while the slow log
// is on, as Redis does after every command (CONFIG SET slowlog-max-len
// included).
func (l *slowlog) trim() {
	if l.threshold() < 0 {
		return
	}
	l.mu.Lock()
	l.trimLocked()
	l.mu.Unlock()
}

// trimLocked drops the oldest entries over slowlog-max-len; l.mu is held.
func (l *slowlog) trimLocked() {
	if drop := int64(len(l.entries)) - l.maxLen; drop > 0 {
		n := copy(l.entries, l.entries[drop:])
		clear(l.entries[n:])
		l.entries = l.entries[:n]
	}
}
