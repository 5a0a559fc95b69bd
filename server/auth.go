package server

import (
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/kevydb/kevy/internal/command"
)

// Error texts of authentication and protected mode, as Redis 7.0 sends
// them.
const (
	wireNoAuth        = "NOAUTH Authentication required."
	wireHelloNoAuth   = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
	wireAuthNoPass    = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	wireProtectedMode = "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside."
)

// defaultUser is the user every connection starts as (acl.go).
const defaultUser = "default"

// authLogInterval is the least time between two log lines about failed
// authentications (or refused connections); the ones in between are
// counted and reported with the next line, so that a brute-force attempt
// cannot flood the log.
const authLogInterval = time.Second

// logLimiter rate-limits one kind of warning.
type logLimiter struct {
	mu         sync.Mutex
	last       time.Time
	suppressed int64
}

// log emits msg with attrs unless another line was emitted less than
// authLogInterval ago, in which case it only counts it.
func (l *logLimiter) log(lg *slog.Logger, msg string, attrs ...any) {
	now := time.Now()
	l.mu.Lock()
	if !l.last.IsZero() && now.Sub(l.last) < authLogInterval {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	n := l.suppressed
	l.last, l.suppressed = now, 0
	l.mu.Unlock()
	if n > 0 {
		attrs = append(attrs, "suppressed", n)
	}
	lg.Warn(msg, attrs...)
}

// authRequired reports whether connections that did not authenticate
// are refused, as in Redis: unless the default user is on and has
// nopass (no Config.RequirePass, or ACL SETUSER default nopass).
func (s *Server) authRequired() bool {
	p := s.users().def.perms.Load()
	return !p.nopass || !p.on
}

// defaultNoPass reports whether the default user has nopass.
func (s *Server) defaultNoPass() bool { return s.users().def.perms.Load().nopass }

// checkPassword returns the user that user and pass authenticate: one
// that exists, is on, and has nopass or that password (the comparison
// takes the same time whatever the password). It returns nil otherwise.
func (s *Server) checkPassword(user, pass []byte) *aclUser {
	if u := s.users().lookup(string(user)); u != nil && u.perms.Load().checkPass(pass) {
		return u
	}
	return nil
}

// authenticate checks credentials for the connection; on success the
// connection is authenticated as that user, on failure it is logged
// (rate-limited, and in the ACL log under cmdName, the command's name as
// sent) and its state is unchanged.
func (c *conn) authenticate(cmdName, user, pass []byte) bool {
	if u := c.srv.checkPassword(user, pass); u != nil {
		c.user.Store(u)
		c.authed = true
		return true
	}
	c.srv.authLog.log(c.srv.log, "kevy server: authentication failed",
		"client", c.id, "remote", c.addr, "user", sanitizeLog(user))
	c.srv.users().addLog(c, "auth", c.aclLogContext(), string(cmdName), string(user))
	return false
}

// sanitizeLog bounds and cleans a client-supplied value for a log line.
func sanitizeLog(b []byte) string {
	if len(b) > 64 {
		b = b[:64]
	}
	out := make([]byte, len(b))
	for i, ch := range b {
		if ch < ' ' || ch > '~' {
			ch = '?'
		}
		out[i] = ch
	}
	return string(out)
}

// auth implements AUTH [username] password.
func (c *conn) auth(args [][]byte) bool {
	switch len(args) {
	case 2:
		if c.srv.defaultNoPass() {
			c.out.Error(wireAuthNoPass)
			return true
		}
		if c.authenticate(args[0], []byte(defaultUser), args[1]) {
			c.out.SimpleString("OK")
		} else {
			c.out.Error(wireWrongPass)
		}
	case 3:
		if c.authenticate(args[0], args[1], args[2]) {
			c.out.SimpleString("OK")
		} else {
			c.out.Error(wireWrongPass)
		}
	default:
		c.out.Error(command.WireSyntax)
	}
	return true
}

// protectedDenied reports whether protected mode refuses a client at
// remote: protected mode is on, no password is set and the address is
// not a loopback one.
func (s *Server) protectedDenied(remote net.Addr) bool {
	if s.protectedOff.Load() || !s.defaultNoPass() {
		return false
	}
	return !isLocalAddr(remote)
}

// isLocalAddr reports whether a client address is on this host: loopback
// IPs, unix sockets and in-memory connections. An address whose host is
// not an IP (pipes, custom transports) counts as local.
func isLocalAddr(a net.Addr) bool {
	switch a := a.(type) {
	case nil:
		return true
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr, memAddr:
		return true
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return true
	}
	ip := net.ParseIP(host)
	return ip == nil || ip.IsLoopback()
}
