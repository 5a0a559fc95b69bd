package kevy

import (
	"math"
	"path/filepath"
	"strconv"

	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/persist"
)

// setupSettings adds the database's own CONFIG parameters to its engine:
// dir (the data directory, absolute; "" in memory), appendfsync,
// databases, hz (the frequency of the active expiry cycle), and
// auto-aof-rewrite-percentage and auto-aof-rewrite-min-size (the
// thresholds of the automatic log rewrite). CONFIG SET dir is refused as
// Redis 7.0 refuses a protected config; databases is immutable, as in
// Redis; appendfsync changes the policy of the open append-only files.
func (c *core) setupSettings(dir string) {
	abs := dir
	if dir != "" {
		if a, err := filepath.Abs(dir); err == nil {
			abs = a
		}
	}
	c.fsync.Store(uint32(c.opts.AppendFsync))
	pct, minSize := int64(c.opts.AutoRewritePercentage), c.opts.AutoRewriteMinSize
	switch {
	case pct == 0:
		pct = persist.DefaultRewritePercentage
	case pct < 0:
		pct = 0 // Redis's "off"
	}
	if minSize == 0 {
		minSize = persist.DefaultRewriteMinSize
	}
	c.rewritePct.Store(pct)
	c.rewriteMin.Store(minSize)
	c.eng.Hz.Store(activeExpireHz)
	c.eng.AddSettings(
		// Redis clamps hz to 1..500, and CONFIG GET shows the clamped value.
		command.IntSetting("hz", nil, 0, math.MaxInt32,
			func(*command.Engine) int64 { return int64(c.eng.Hz.Load()) },
			func(_ *command.Engine, v int64) {
				c.eng.Hz.Store(int32(min(max(v, 1), 500)))
				select {
				case c.hzChanged <- struct{}{}:
				default:
				}
			}),
		command.IntSetting("auto-aof-rewrite-percentage", nil, 0, math.MaxInt32,
			func(*command.Engine) int64 { return c.rewritePct.Load() },
			func(_ *command.Engine, v int64) {
				c.rewritePct.Store(v)
				c.applyAutoRewrite()
			}),
		command.MemorySetting("auto-aof-rewrite-min-size", nil, math.MaxInt64,
			func(*command.Engine) uint64 { return uint64(c.rewriteMin.Load()) },
			func(_ *command.Engine, v uint64) {
				c.rewriteMin.Store(int64(v))
				c.applyAutoRewrite()
			}),
		&command.Setting{Name: "dir", Rewrite: command.RewriteQuoted, Protected: true,
			Get: func(*command.Engine) string { return abs }},
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

// applyAutoRewrite hands the automatic rewrite thresholds to the store
// (a percentage of 0 disables it, as in Redis and SetAutoRewrite).
func (c *core) applyAutoRewrite() {
	if c.persist != nil {
		c.persist.SetAutoRewrite(int(c.rewritePct.Load()), c.rewriteMin.Load())
	}
}

// setFsync changes the append-only file's fsync policy: the commands
// acknowledged from now on are as durable as p promises.
func (c *core) setFsync(p FsyncPolicy) {
	c.fsync.Store(uint32(p))
	if c.persist != nil {
		c.persist.SetFsync(p.aof())
	}
}
