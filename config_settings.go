package kevy

import (
	"path/filepath"
	"strconv"

	"github.com/kevydb/kevy/internal/command"
)

// setupSettings adds the database's own CONFIG parameters to its engine:
// dir (the data directory, absolute; "" in memory), appendfsync and
// databases. CONFIG SET dir is refused as Redis 7.0 refuses a protected
// config; databases is immutable, as in Redis; appendfsync changes the
// policy of the open append-only files.
func (c *core) setupSettings(dir string) {
	abs := dir
	if dir != "" {
		if a, err := filepath.Abs(dir); err == nil {
			abs = a
		}
	}
	c.fsync.Store(uint32(c.opts.AppendFsync))
	c.eng.AddSettings(
		&command.Setting{Name: "dir", Rewrite: command.RewriteQuoted, Protected: true,
			Get: func(*command.Engine) string { return abs },
			Set: func(*command.Engine, string) string { return "can't set protected config" }},
		&command.Setting{Name: "databases", Rewrite: command.RewriteNever,
			Get: func(*command.Engine) string { return strconv.Itoa(c.opts.Databases) }},
		&command.Setting{Name: "appendfsync",
			Get: func(*command.Engine) string { return FsyncPolicy(c.fsync.Load()).String() },
			Set: func(_ *command.Engine, v string) string {
				p, err := ParseFsyncPolicy(v)
				if err != nil {
					return "argument(s) must be one of the following: everysec, always, no"
				}
				c.setFsync(p)
				return ""
			}},
	)
}

// setFsync changes the append-only file's fsync policy: the commands
// acknowledged from now on are as durable as p promises.
func (c *core) setFsync(p FsyncPolicy) {
	c.fsync.Store(uint32(p))
	if c.persist != nil {
		c.persist.SetFsync(p.aof())
	}
}
