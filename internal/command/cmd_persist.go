package command

import (
	"errors"
	"time"
)

// Persistence commands: SAVE, BGSAVE, LASTSAVE, BGREWRITEAOF. They act
// through Engine.Persist, the data directory's store.

// Persister is what the persistence commands need from the store.
type Persister interface {
	// Save writes a snapshot of every shard (and compacts the logs).
	Save() error
	// BGSave starts Save in the background; it returns an error
	// matching ErrBGBusy while one runs.
	BGSave() error
	// LastSave returns when the last successful save completed.
	LastSave() time.Time
}

// ErrBGBusy is what Persister.BGSave returns (wrapped) while a background
// save runs.
var ErrBGBusy = errors.New("kevy: background save in progress")

const wireNoDir = "ERR the database has no data directory (it runs in memory only)"

func init() {
	const admin = FlagAdmin | FlagNoScript | FlagSelfLock
	Register(
		&Command{Name: "save", Arity: 1, Flags: admin | FlagNoMulti, Run: saveCmd,
			Categories: []string{"admin", "slow", "dangerous"}},
		&Command{Name: "bgsave", Arity: -1, Flags: admin, Run: bgsaveCmd,
			Categories: []string{"admin", "slow", "dangerous"}},
		&Command{Name: "bgrewriteaof", Arity: 1, Flags: admin, Run: bgrewriteaofCmd,
			Categories: []string{"admin", "slow", "dangerous"}},
		&Command{Name: "lastsave", Arity: 1, Flags: FlagLoading | FlagStale | FlagFast | FlagSelfLock, Run: lastsaveCmd,
			Categories: []string{"admin", "fast", "dangerous"}},
	)
}

func saveCmd(c *Ctx, _ [][]byte) {
	p := c.E.Persist
	if p == nil {
		c.W.Error(wireNoDir)
		return
	}
	if err := p.Save(); err != nil {
		c.W.Error("ERR " + sanitize(err.Error()))
		return
	}
	c.OK()
}

func bgsaveCmd(c *Ctx, args [][]byte) {
	if len(args) > 2 || (len(args) == 2 && !EqualFold(args[1], "schedule")) {
		c.W.Error(WireSyntax)
		return
	}
	bgStart(c, "Background saving started", "ERR Background save already in progress")
}

func bgrewriteaofCmd(c *Ctx, _ [][]byte) {
	bgStart(c, "Background append only file rewriting started",
		"ERR Background append only file rewriting already in progress")
}

func bgStart(c *Ctx, started, busy string) {
	p := c.E.Persist
	if p == nil {
		c.W.Error(wireNoDir)
		return
	}
	switch err := p.BGSave(); {
	case errors.Is(err, ErrBGBusy):
		c.W.Error(busy)
	case err != nil:
		c.W.Error("ERR " + sanitize(err.Error()))
	default:
		c.W.SimpleString(started)
	}
}

func lastsaveCmd(c *Ctx, _ [][]byte) {
	p := c.E.Persist
	if p == nil {
		c.W.Int(0)
		return
	}
	c.W.Int(p.LastSave().Unix())
}
