package difftest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/resp"
)

// Pub/sub comparisons: keyspace notifications and messages are received
// by a second connection (a Listener) on each side. After each scripted
// command the runner publishes a marker on MarkerChannel through the
// command's own target; everything a listener receives before the marker
// was caused by the command (or happened while it ran, like an active
// expiry during a !sleep), in order, and the two lists must be equal.

// MarkerChannel is the channel listeners subscribe to for the markers
// that delimit each command's messages.
const MarkerChannel = "difftest:mark"

// PushMsg is one pub/sub message as a listener received it.
type PushMsg struct {
	Kind    string // "message", "pmessage" or "smessage"
	Pattern string // for pmessage
	Channel string
	Payload string
}

// String renders the message as "kind [pattern] channel payload".
func (m PushMsg) String() string {
	if m.Kind == "pmessage" {
		return fmt.Sprintf("pmessage %q %q %q", m.Pattern, m.Channel, m.Payload)
	}
	return fmt.Sprintf("%s %q %q", m.Kind, m.Channel, m.Payload)
}

// Listener is a subscriber whose messages a comparison collects.
type Listener interface {
	// Name identifies the listener in reports.
	Name() string
	// Until returns the messages received before the marker with payload
	// tag on MarkerChannel, which it consumes.
	Until(tag string) ([]PushMsg, error)
	// Close releases the listener.
	Close() error
}

// SubConn is a Listener on a RESP connection in subscribed mode, to
// redis-server or to kevy's server.
type SubConn struct {
	c *Conn
}

// DialListener connects to addr, switches to proto (2 or 3), subscribes
// to MarkerChannel and to the given patterns (PSUBSCRIBE) and channels
// (SUBSCRIBE), and waits for the confirmations.
func DialListener(name, addr string, proto int, patterns, channels []string) (*SubConn, error) {
	c, err := Dial(name, addr)
	if err != nil {
		return nil, err
	}
	s := &SubConn{c: c}
	if proto == 3 {
		if r, err := c.DoStrings("HELLO", "3"); err != nil || len(r) == 0 || r[0] == '-' {
			c.Close()
			return nil, fmt.Errorf("%s: HELLO 3: %q %v", name, r, err)
		}
	}
	subs := [][]string{append([]string{"SUBSCRIBE", MarkerChannel}, channels...)}
	if len(patterns) > 0 {
		subs = append(subs, append([]string{"PSUBSCRIBE"}, patterns...))
	}
	for _, cmd := range subs {
		if err := s.send(cmd); err != nil {
			c.Close()
			return nil, err
		}
		for range len(cmd) - 1 {
			v, err := s.read()
			if err != nil {
				c.Close()
				return nil, err
			}
			if len(v.Elems) != 3 || !strings.HasSuffix(string(v.Elems[0].Str), "subscribe") {
				c.Close()
				return nil, fmt.Errorf("%s: unexpected reply to %s: %v", name, cmd[0], v)
			}
		}
	}
	return s, nil
}

func (s *SubConn) send(args []string) error {
	s.c.wbuf = resp.AppendCommandString(s.c.wbuf[:0], args...)
	s.c.nc.SetDeadline(time.Now().Add(IOTimeout))
	_, err := s.c.nc.Write(s.c.wbuf)
	return err
}

func (s *SubConn) read() (resp.Value, error) {
	s.c.nc.SetDeadline(time.Now().Add(IOTimeout))
	v, err := s.c.rd.ReadValue()
	s.c.rec.buf = s.c.rec.buf[:0]
	if err != nil {
		return v, fmt.Errorf("%s: reading a message: %w", s.c.name, err)
	}
	return v, nil
}

// Name returns the name given to DialListener.
func (s *SubConn) Name() string { return s.c.name }

// Until reads messages up to the marker tag.
func (s *SubConn) Until(tag string) ([]PushMsg, error) {
	var out []PushMsg
	for {
		v, err := s.read()
		if err != nil {
			return out, err
		}
		m, err := parseMessage(v)
		if err != nil {
			return out, fmt.Errorf("%s: %w", s.c.name, err)
		}
		if m.Kind == "message" && m.Channel == MarkerChannel && m.Payload == tag {
			return out, nil
		}
		out = append(out, m)
	}
}

// Close closes the connection.
func (s *SubConn) Close() error { return s.c.Close() }

// parseMessage decodes a message push (RESP3) or array (RESP2).
func parseMessage(v resp.Value) (PushMsg, error) {
	if (v.Kind != resp.KindPush && v.Kind != resp.KindArray) || len(v.Elems) < 3 {
		return PushMsg{}, fmt.Errorf("not a message: %v", v)
	}
	e := v.Elems
	m := PushMsg{Kind: string(e[0].Str)}
	switch {
	case m.Kind == "pmessage" && len(e) == 4:
		m.Pattern, m.Channel, m.Payload = string(e[1].Str), string(e[2].Str), string(e[3].Str)
	case (m.Kind == "message" || m.Kind == "smessage") && len(e) == 3:
		m.Channel, m.Payload = string(e[1].Str), string(e[2].Str)
	default:
		return PushMsg{}, fmt.Errorf("not a message: %v", v)
	}
	return m, nil
}

// KevyListener is a Listener on an in-process kevy.DB subscription.
type KevyListener struct {
	sub *kevy.Subscription
}

// ListenKevy subscribes to MarkerChannel and to the given patterns and
// channels of db.
func ListenKevy(db *kevy.DB, patterns, channels []string) (*KevyListener, error) {
	sub, err := db.Subscribe(context.Background(), append([]string{MarkerChannel}, channels...)...)
	if err != nil {
		return nil, err
	}
	if len(patterns) > 0 {
		if err := sub.PSubscribe(patterns...); err != nil {
			sub.Close()
			return nil, err
		}
	}
	return &KevyListener{sub: sub}, nil
}

// Name identifies the in-process listener.
func (k *KevyListener) Name() string { return "kevy-listener" }

// Until receives messages up to the marker tag.
func (k *KevyListener) Until(tag string) ([]PushMsg, error) {
	var out []PushMsg
	for {
		ctx, cancel := context.WithTimeout(context.Background(), IOTimeout)
		m, err := k.sub.Receive(ctx)
		cancel()
		if err != nil {
			return out, fmt.Errorf("kevy-listener: %w", err)
		}
		pm := PushMsg{Kind: m.Kind, Pattern: m.Pattern, Channel: m.Channel, Payload: string(m.Payload)}
		if pm.Kind == "message" && pm.Channel == MarkerChannel && pm.Payload == tag {
			return out, nil
		}
		out = append(out, pm)
	}
}

// Close ends the subscription.
func (k *KevyListener) Close() error { return k.sub.Close() }

// ErrListener wraps the failures of a listener (no marker, I/O).
var ErrListener = errors.New("difftest: listener failed")

// ExecNotify runs one scripted command on both targets, then publishes
// the marker tag through each, and compares both the replies (under the
// command's mode) and the messages the listeners received meanwhile, in
// order, or as multisets for a !sleep and an [unordered] command. The
// returned mismatch describes the first difference.
func ExecNotify(a, b Target, la, lb Listener, c Cmd, tag string) (*Mismatch, error) {
	reply, err := Exec(a, b, c)
	if err != nil {
		return nil, err
	}
	marker := [][]byte{[]byte("PUBLISH"), []byte(MarkerChannel), []byte(tag)}
	if _, err := a.Do(marker); err != nil {
		return nil, err
	}
	if _, err := b.Do(marker); err != nil {
		return nil, err
	}
	ma, err := la.Until(tag)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrListener, err)
	}
	mb, err := lb.Until(tag)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrListener, err)
	}
	if reply != nil {
		return reply, nil
	}
	if c.Mode == Sleep || c.Mode == Unordered {
		// Keys expired by the active cycles, or messages to several
		// patterns: in Redis's hash-table order.
		sortMsgs(ma)
		sortMsgs(mb)
	}
	ra, rb := renderMsgs(ma), renderMsgs(mb)
	if ra != rb {
		return &Mismatch{Cmd: c, NameA: la.Name(), NameB: lb.Name(), A: []byte(ra), B: []byte(rb),
			Why: "messages differ"}, nil
	}
	return nil, nil
}

// sortMsgs orders messages by their rendering.
func sortMsgs(ms []PushMsg) {
	slices.SortFunc(ms, func(a, b PushMsg) int { return strings.Compare(a.String(), b.String()) })
}

func renderMsgs(ms []PushMsg) string {
	var b strings.Builder
	for i, m := range ms {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(m.String())
	}
	return b.String()
}

// RunNotifyScript runs cmds with ExecNotify, tagging the markers with the
// command's line number, and returns every mismatch. The targets and
// listeners must be set up (and reset) by the caller.
func RunNotifyScript(a, b Target, la, lb Listener, name string, cmds []Cmd) ([]*Mismatch, error) {
	var out []*Mismatch
	for _, c := range cmds {
		m, err := ExecNotify(a, b, la, lb, c, name+":"+strconv.Itoa(c.Line))
		if err != nil {
			return out, fmt.Errorf("%s line %d: %s: %w", name, c.Line, c, err)
		}
		if m != nil {
			m.Script = name
			out = append(out, m)
		}
	}
	return out, nil
}

// syncToken is the PING message DoSync sends after a command.
const syncToken = "difftest:sync"

// DoSync sends one command followed by "PING difftest:sync" and returns
// the exact bytes of everything received before the PING's reply: the
// command's replies, however many (SUBSCRIBE a b replies twice), and the
// messages pushed meanwhile. The PING's reply is a bulk string, or
// ["pong", token] in RESP2's subscribed mode.
func (c *Conn) DoSync(args [][]byte) ([]byte, error) {
	c.wbuf = resp.AppendCommand(c.wbuf[:0], args...)
	c.wbuf = resp.AppendCommandString(c.wbuf, "PING", syncToken)
	c.nc.SetDeadline(time.Now().Add(IOTimeout))
	if _, err := c.nc.Write(c.wbuf); err != nil {
		return nil, err
	}
	start := len(c.rec.buf) - c.rd.Buffered()
	for {
		end := len(c.rec.buf) - c.rd.Buffered()
		v, err := c.rd.ReadValue()
		if err != nil {
			return nil, fmt.Errorf("%s: reading replies to %s: %w", c.name, FormatArgs(args), err)
		}
		if isSyncReply(v) {
			out := append([]byte(nil), c.rec.buf[start:end]...)
			c.rec.buf = append(c.rec.buf[:0], c.rec.buf[len(c.rec.buf)-c.rd.Buffered():]...)
			return out, nil
		}
	}
}

func isSyncReply(v resp.Value) bool {
	switch v.Kind {
	case resp.KindBulk:
		return string(v.Str) == syncToken
	case resp.KindArray, resp.KindPush:
		return len(v.Elems) == 2 && string(v.Elems[0].Str) == "pong" && string(v.Elems[1].Str) == syncToken
	}
	return false
}

// SyncConn is a Target whose commands may have several replies, or none
// (SUBSCRIBE and friends): Do is Conn.DoSync.
type SyncConn struct{ *Conn }

// Do runs the command with DoSync. Unlike Conn.Do it returns an empty
// slice, not an error, for a command that got no reply.
func (s SyncConn) Do(args [][]byte) ([]byte, error) { return s.Conn.DoSync(args) }
