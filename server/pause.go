package server

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevydb/kevy/internal/command"
)

// pauseState is the CLIENT PAUSE state shared by all connections.
type pauseState struct {
	// active is set while a pause may be in force, so that connections
	// check nothing else when there is none.
	active atomic.Bool

	mu    sync.Mutex
	until time.Time
	all   bool          // ALL; otherwise WRITE
	ch    chan struct{} // closed when the pause is lifted or changed
}

func (p *pauseState) init() { p.ch = make(chan struct{}) }

// changedLocked wakes the waiting connections so they re-evaluate.
func (p *pauseState) changedLocked() {
	close(p.ch)
	p.ch = make(chan struct{})
}

// pause starts or extends a pause until end. As in Redis, a pause never
// ends earlier or becomes narrower because of a later CLIENT PAUSE while
// it is in force.
func (p *pauseState) pause(end time.Time, all bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active.Load() && time.Now().Before(p.until) {
		all = all || p.all
		if p.until.After(end) {
			end = p.until
		}
	}
	p.until, p.all = end, all
	p.active.Store(true)
	p.changedLocked()
}

// unpause lifts the pause.
func (p *pauseState) unpause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.active.Store(false)
	p.changedLocked()
}

// blocks reports whether cmd must wait, and if so until when at most and
// on which channel a change is announced.
func (p *pauseState) blocks(cmd *command.Command) (ch chan struct{}, until time.Time, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.active.Load() {
		return nil, time.Time{}, false
	}
	if !time.Now().Before(p.until) {
		p.active.Store(false)
		return nil, time.Time{}, false
	}
	if !p.all && !mayWrite(cmd) {
		return nil, time.Time{}, false
	}
	return p.ch, p.until, true
}

// mayWrite reports whether CLIENT PAUSE WRITE holds cmd back: commands
// that write, and those Redis flags "may-replicate" (PUBLISH, PFCOUNT,
// scripts) or that may run queued writes (EXEC).
func mayWrite(cmd *command.Command) bool {
	if cmd.Flags&command.FlagWrite != 0 {
		return true
	}
	switch cmd.Name {
	case "publish", "spublish", "pfcount", "eval", "evalsha", "fcall", "exec":
		return true
	}
	return false
}

// waitPause holds the connection while a pause applies to cmd. Pending
// replies are sent first, as a paused Redis client has received the
// replies to its earlier commands. It returns false if the connection is
// killed or the server shuts down meanwhile.
func (c *conn) waitPause(cmd *command.Command) bool {
	flushed := false
	for {
		ch, until, ok := c.srv.pause.blocks(cmd)
		if !ok {
			return true
		}
		if !flushed {
			flushed = true
			if c.w.Buffered() > 0 && c.flush() != nil {
				return false
			}
		}
		t := time.NewTimer(time.Until(until))
		select {
		case <-ch:
		case <-t.C:
		case <-c.closing:
			t.Stop()
			return false
		case <-c.srv.done:
			t.Stop()
			return false
		}
		t.Stop()
	}
}

// clientPause implements CLIENT PAUSE timeout [WRITE|ALL].
func (c *conn) clientPause(args [][]byte) {
	ms, ok := command.ParseInt(args[2])
	if !ok {
		c.out.Error("ERR timeout is not an integer or out of range")
		return
	}
	if ms < 0 {
		c.out.Error("ERR timeout is negative")
		return
	}
	all := true
	if len(args) == 4 {
		switch {
		case command.EqualFold(args[3], "write"):
			all = false
		case command.EqualFold(args[3], "all"):
		default:
			c.out.Error("ERR CLIENT PAUSE mode must be WRITE or ALL")
			return
		}
	} else if len(args) > 4 {
		c.out.Error("ERR unknown subcommand or wrong number of arguments for 'pause'. Try CLIENT HELP.")
		return
	}
	// Durations beyond what time.Duration holds (292 years) are forever.
	end := time.Now().Add(time.Duration(min(ms, math.MaxInt64/int64(time.Millisecond))) * time.Millisecond)
	c.srv.pause.pause(end, all)
	c.out.SimpleString("OK")
}
