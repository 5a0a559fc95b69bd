package server

import (
	"slices"
	"strconv"
	"time"

	"github.com/kevydb/kevy/internal/command"
)

// connsByID returns the open connections sorted by id, as CLIENT LIST
// shows them.
func (s *Server) connsByID() []*conn {
	s.mu.Lock()
	cs := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		cs = append(cs, c)
	}
	s.mu.Unlock()
	slices.SortFunc(cs, func(a, b *conn) int {
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
	return cs
}

// appendInfo appends the connection's CLIENT LIST line (without the
// newline) in Redis 7.0's field layout. Fields kevy does not track (query
// and output buffer details) have the value of an
// idle Redis client.
func (c *conn) appendInfo(b []byte, now time.Time) []byte {
	c.mu.Lock()
	name, noEvict, noTouch, blocked := c.name, c.noEvict, c.noTouch, c.blocked
	c.mu.Unlock()
	multi := c.multi.Load()
	b = append(b, "id="...)
	b = strconv.AppendInt(b, c.id, 10)
	b = append(b, " addr="...)
	b = append(b, c.addr...)
	b = append(b, " laddr="...)
	b = append(b, c.laddr...)
	b = append(b, " fd="...)
	b = strconv.AppendInt(b, int64(c.fd), 10)
	b = append(b, " name="...)
	b = append(b, name...)
	b = append(b, " age="...)
	b = strconv.AppendInt(b, int64(now.Sub(c.created)/time.Second), 10)
	b = append(b, " idle="...)
	b = strconv.AppendInt(b, max(0, monoNow()-c.lastIO.Load())/int64(time.Second), 10)
	b = append(b, " flags="...)
	n := len(b)
	if c.isMonitor() {
		b = append(b, 'O')
	}
	ps := c.ps.Load()
	if ps != nil && ps.subscribed() {
		b = append(b, 'P')
	}
	if multi >= 0 {
		b = append(b, 'x')
	}
	if blocked {
		b = append(b, 'b')
	}
	if c.killed.Load() {
		b = append(b, 'A')
	}
	if c.unixSocket {
		b = append(b, 'U')
	}
	if noEvict {
		b = append(b, 'e')
	}
	if noTouch {
		b = append(b, 'T')
	}
	if len(b) == n {
		b = append(b, 'N')
	}
	b = append(b, " db="...)
	b = strconv.AppendInt(b, int64(c.db.Load()), 10)
	b = appendSubCounts(b, ps)
	b = append(b, " multi="...)
	b = strconv.AppendInt(b, int64(multi), 10)
	b = append(b, " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs="...)
	rbs := c.srv.cfg.ReadBufferSize
	b = strconv.AppendInt(b, int64(rbs), 10)
	b = append(b, " rbp=0 obl=0 oll=0 omem=0 tot-mem="...)
	b = strconv.AppendInt(b, int64(rbs+c.srv.cfg.WriteBufferSize), 10)
	b = append(b, " events=r cmd="...)
	if cmd := c.lastCmd.Load(); cmd != nil {
		b = append(b, cmd.Name...)
	} else {
		b = append(b, "NULL"...)
	}
	b = append(b, " user="...)
	b = append(b, c.aclUserName()...)
	b = append(b, " redir=-1 resp="...)
	b = strconv.AppendInt(b, int64(c.proto.Load()), 10)
	return b
}

// isMonitor reports whether the connection monitors (CLIENT LIST's flag
// O), from the server's list of monitors, which any goroutine may read.
func (c *conn) isMonitor() bool {
	if p := c.srv.mon.list.Load(); p != nil {
		for _, m := range *p {
			if m.c == c {
				return true
			}
		}
	}
	return false
}

// replyText sends a text reply the way Redis sends CLIENT INFO and LIST:
// a verbatim string in RESP3, a bulk string in RESP2.
func (c *conn) replyText(b []byte) {
	c.out.Verbatim("txt", b)
}

// clientInfo implements CLIENT INFO.
func (c *conn) clientInfo(_ [][]byte) {
	b := c.appendInfo(make([]byte, 0, 320), time.Now())
	c.replyText(append(b, '\n'))
}

// clientType is a CLIENT LIST/KILL TYPE filter.
type clientType uint8

const (
	typeAny clientType = iota
	typeNormal
	typeNone   // master, replica: kevy has no such clients
	typePubSub // subscribed to something (flag P)
)

// parseClientType parses a TYPE argument, replying the error if it is
// unknown.
func (c *conn) parseClientType(arg []byte) (clientType, bool) {
	switch {
	case command.EqualFold(arg, "normal"):
		return typeNormal, true
	case command.EqualFold(arg, "master"), command.EqualFold(arg, "replica"),
		command.EqualFold(arg, "slave"):
		return typeNone, true
	case command.EqualFold(arg, "pubsub"):
		return typePubSub, true
	}
	c.out.Error("ERR Unknown client type '" + sanitizeLine(string(arg)) + "'")
	return 0, false
}

// clientList implements CLIENT LIST [TYPE type | ID id [id ...]].
func (c *conn) clientList(args [][]byte) {
	typ := typeAny
	var ids []int64
	switch {
	case len(args) == 2:
	case len(args) == 4 && command.EqualFold(args[2], "type"):
		var ok bool
		if typ, ok = c.parseClientType(args[3]); !ok {
			return
		}
	case len(args) >= 4 && command.EqualFold(args[2], "id"):
		for _, a := range args[3:] {
			id, ok := command.ParseInt(a)
			if !ok {
				c.out.Error("ERR Invalid client ID")
				return
			}
			ids = append(ids, id)
		}
	default:
		c.out.Error(command.WireSyntax)
		return
	}
	now := time.Now()
	var b []byte
	if typ != typeNone {
		for _, o := range c.srv.connsByID() {
			if ids != nil && !slices.Contains(ids, o.id) || !o.hasType(typ) {
				continue
			}
			b = append(o.appendInfo(b, now), '\n')
		}
	}
	c.replyText(b)
}

// clientKill implements CLIENT KILL ip:port and CLIENT KILL <filter>
// <value> ... . The old form replies OK or an error; the new one the
// number of connections killed. A connection that kills itself gets the
// reply, then is closed.
func (c *conn) clientKill(args [][]byte) bool {
	if len(args) == 3 {
		for _, o := range c.srv.connsByID() {
			if o.addr == string(args[2]) {
				c.out.SimpleString("OK")
				return c.killConn(o)
			}
		}
		c.out.Error("ERR No such client")
		return true
	}
	var (
		id          int64
		typ         = typeAny
		addr, laddr []byte
		skipMe      = true
		user        *aclUser
	)
	for i := 2; i < len(args); i += 2 {
		if i+1 >= len(args) {
			c.out.Error(command.WireSyntax)
			return true
		}
		opt, val := args[i], args[i+1]
		switch {
		case command.EqualFold(opt, "id"):
			v, ok := command.ParseInt(val)
			if !ok || v <= 0 {
				c.out.Error("ERR client-id should be greater than 0")
				return true
			}
			id = v
		case command.EqualFold(opt, "type"):
			var ok bool
			if typ, ok = c.parseClientType(val); !ok {
				return true
			}
		case command.EqualFold(opt, "user"):
			if user = c.srv.users().lookup(string(val)); user == nil {
				c.out.Error("ERR No such user '" + sanitizeLine(string(val)) + "'")
				return true
			}
		case command.EqualFold(opt, "addr"):
			addr = val
		case command.EqualFold(opt, "laddr"):
			laddr = val
		case command.EqualFold(opt, "skipme"):
			switch {
			case command.EqualFold(val, "yes"):
				skipMe = true
			case command.EqualFold(val, "no"):
				skipMe = false
			default:
				c.out.Error(command.WireSyntax)
				return true
			}
		default:
			c.out.Error(command.WireSyntax)
			return true
		}
	}
	killed, self := 0, false
	if typ != typeNone {
		for _, o := range c.srv.connsByID() {
			switch {
			case id != 0 && o.id != id,
				addr != nil && o.addr != string(addr),
				laddr != nil && o.laddr != string(laddr),
				skipMe && o == c,
				user != nil && o.connUser() != user,
				!o.hasType(typ),
				o.killed.Load(): // already being closed

				continue
			}
			killed++
			if o == c {
				self = true
			} else {
				c.killConn(o)
			}
		}
	}
	c.out.Int(int64(killed))
	if self {
		return c.killConn(c)
	}
	return true
}

// killConn kills o on behalf of c and reports whether c stays open:
// another connection is closed at once, c itself after its reply.
func (c *conn) killConn(o *conn) bool {
	o.kill()
	if o == c {
		return false
	}
	o.nc.Close()
	return true
}
