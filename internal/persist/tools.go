package persist

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/kevydb/kevy/internal/aof"
	"github.com/kevydb/kevy/internal/clock"
	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/keyspace"
	"github.com/kevydb/kevy/internal/rdb"
)

// ToolOptions configures Export, Import and Check.
type ToolOptions struct {
	Databases  int          // logical databases (16 when 0)
	Logger     *slog.Logger // nil: slog.Default()
	Repair     bool         // Check: report what Repair would do
	AppendOnly bool         // Import: create logs (the default for Open)
}

func (t *ToolOptions) fill() {
	if t.Databases == 0 {
		t.Databases = 16
	}
	if t.Logger == nil {
		t.Logger = slog.Default()
	}
}

// Export loads the database directory dir (without modifying it: a torn
// log tail is skipped, not truncated) and writes its content to file as
// one RDB file, every logical database in it, that redis-server 7 loads.
// Keys already expired are left out.
func Export(dir, file string, t ToolOptions) error {
	t.fill()
	lockF, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlockDir(lockF)
	lay, err := readLayout(dir)
	if err != nil {
		return err
	}
	if lay == nil {
		return fmt.Errorf("kevy: export: %s holds no kevy database (no %s)", dir, layoutName)
	}
	now := time.Now().UnixMilli()
	ks := keyspace.New(keyspace.Config{Shards: lay.Shards, Databases: t.Databases, Clock: clock.FromFunc(func() int64 { return now })})
	ks.SetExpirySuspended(true)
	eng := command.NewEngine(ks, clock.FromFunc(func() int64 { return 0 }))
	s := &Store{o: Options{Dir: dir, Logger: t.Logger, ProgressEvery: 3 * time.Second}, eng: eng, ks: ks, fs: aof.OSFS{}, log: t.Logger,
		readOnly: true, lay: *lay, gdir: filepath.Join(dir, lay.genDir())}
	if err := s.loadGeneration(eng, lay, now, false); err != nil {
		return err
	}
	ks.SetExpirySuspended(false)
	start := time.Now()
	var keys int64
	err = aof.WriteFileAtomic(nil, file, func(w io.Writer) error {
		rw, err := newRDBWriter(w, &eng.Limits, now)
		if err != nil {
			return err
		}
		for db := range t.Databases {
			n, exp := 0, 0
			for i := range ks.NumShards() {
				n += ks.Shard(i).Len(db)
				exp += ks.Shard(i).ExpiresLen(db)
			}
			if n == 0 {
				continue
			}
			if err := rw.SelectDB(db); err != nil {
				return err
			}
			if err := rw.ResizeDB(uint64(n), uint64(exp)); err != nil {
				return err
			}
			for i := range ks.NumShards() {
				sh := ks.Shard(i)
				sh.Each(db, now, func(e *keyspace.Entry) bool {
					err = writeEntry(rw, e)
					keys++
					return err == nil
				})
				if err != nil {
					return err
				}
			}
		}
		return rw.Close()
	})
	if err != nil {
		return fmt.Errorf("kevy: export to %s: %w", file, err)
	}
	t.Logger.Info("kevy: exported", "dir", dir, "file", file, "keys", keys, "duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// Import creates the database directory dir from the RDB file file (as
// written by redis-server or Export), with shards shards. dir must not
// hold a database.
func Import(file, dir string, shards int, t ToolOptions) error {
	t.fill()
	if lay, err := readLayout(dir); err != nil {
		return err
	} else if lay != nil {
		return fmt.Errorf("kevy: import: %s already holds a database; import into a new directory", dir)
	}
	if gens, err := generations(dir); err == nil && len(gens) > 0 {
		return fmt.Errorf("kevy: import: %s holds kevy data files; import into a new directory", dir)
	}
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("kevy: import: %w", err)
	}
	wall := clock.FromFunc(func() int64 { return time.Now().UnixMilli() })
	ks := keyspace.New(keyspace.Config{Shards: shards, Databases: t.Databases, Clock: wall})
	eng := command.NewEngine(ks, wall)
	st, err := Open(eng, Options{Dir: dir, AppendOnly: t.AppendOnly, Logger: t.Logger, RewritePercentage: -1, importPath: file})
	if err != nil {
		return err
	}
	return st.Close()
}

// Check verifies the database directory dir and writes a report to w,
// including what Open with the given shard count would do. It modifies
// nothing. It returns an error wrapping ErrCorrupt when Open would fail
// because of damaged or missing files.
func Check(dir string, shards int, t ToolOptions, w io.Writer) error {
	t.fill()
	c := &checker{w: w, t: t, shards: shards}
	return c.run(dir)
}

type checker struct {
	w      io.Writer
	t      ToolOptions
	shards int
	fatal  []error
}

func (c *checker) printf(format string, args ...any) { fmt.Fprintf(c.w, format+"\n", args...) }

func (c *checker) fail(err error) {
	c.fatal = append(c.fatal, err)
	c.printf("  ERROR: %v", err)
}

func (c *checker) run(dir string) error {
	c.printf("kevy check %s", dir)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("kevy: check: %s is not a directory", dir)
	}
	lay, err := readLayout(dir)
	if err != nil {
		c.fail(err)
		return c.result()
	}
	gens, err := generations(dir)
	if err != nil {
		return err
	}
	var complete []int64
	for _, g := range gens {
		marker := filepath.Join(dir, genPrefix+strconv.FormatInt(g, 10), incompleteName)
		if _, err := os.Stat(marker); err == nil && (lay == nil || lay.Gen != g) {
			c.printf("%s%d: creation interrupted before it was committed; Open would remove it", genPrefix, g)
			continue
		}
		complete = append(complete, g)
	}
	gens = complete
	if lay == nil {
		if len(gens) > 0 {
			c.fail(corruptf(nil, "generation directories exist but %s is missing", layoutName))
			return c.result()
		}
		dump := filepath.Join(dir, dumpName)
		if _, err := os.Stat(dump); err == nil {
			c.printf("no kevy database; %s found:", dumpName)
			keys, err := c.checkRDB(dump, nil, -1)
			if err != nil {
				c.fail(err)
			} else {
				c.printf("  %d keys, valid", keys)
				c.printf("Open would import %s into %d shards", dump, c.shards)
			}
			return c.result()
		}
		c.printf("empty: Open would create a new database with %d shards", c.shards)
		return nil
	}
	c.printf("layout: generation %d, %d shards, routing %s", lay.Gen, lay.Shards, lay.Routing)
	if lay.Routing != Routing {
		c.fail(corruptf(nil, "unknown key routing %q", lay.Routing))
		return c.result()
	}
	for _, g := range gens {
		switch {
		case g > lay.Gen:
			c.fail(corruptf(nil, "%s%d is newer than the generation the layout names (%d)", genPrefix, g, lay.Gen))
		case g < lay.Gen:
			c.printf("%s%d: superseded generation; Open would move it to a backup", genPrefix, g)
		}
	}
	gdir := filepath.Join(dir, lay.genDir())
	if st, err := os.Stat(gdir); err != nil || !st.IsDir() {
		c.fail(corruptf(nil, "the layout names %s, which is missing", gdir))
		return c.result()
	}
	route := keyspace.New(keyspace.Config{Shards: lay.Shards, Databases: 1, Clock: clock.FromFunc(func() int64 { return 0 })})
	var totalKeys, totalRecords int64
	for i := range lay.Shards {
		k, r := c.checkShard(gdir, lay, i, route)
		totalKeys += k
		totalRecords += r
	}
	c.printf("total: %d keys in snapshots, %d log records", totalKeys, totalRecords)
	if len(c.fatal) == 0 && lay.Shards != c.shards {
		c.printf("Open with %d shards would re-shard the database from %d to %d shards (the old files are kept as a backup)", c.shards, lay.Shards, c.shards)
	}
	return c.result()
}

func (c *checker) result() error {
	if len(c.fatal) == 0 {
		c.printf("OK: Open would succeed")
		return nil
	}
	c.printf("FAILED: Open would fail (%d problem(s))", len(c.fatal))
	return errors.Join(c.fatal...)
}

// checkShard verifies one shard's manifest and files; it returns the keys
// in its base and the records of its logs.
func (c *checker) checkShard(gdir string, lay *layout, i int, route *keyspace.Keyspace) (keys, records int64) {
	mpath := filepath.Join(gdir, manifestName(i))
	c.printf("shard %d: %s", i, mpath)
	man, err := aof.LoadManifest(mpath)
	if err != nil {
		if notExist(err) {
			c.fail(corruptf(nil, "the manifest of shard %d is missing", i))
		} else {
			c.fail(corruptf(err, "shard %d", i))
		}
		return 0, 0
	}
	if man.Shards != lay.Shards || man.Shard != i {
		c.fail(corruptf(nil, "%s describes shard %d of %d", mpath, man.Shard, man.Shards))
		return 0, 0
	}
	if b, ok := man.Base(); ok {
		path := filepath.Join(gdir, b.Name)
		n, err := c.checkRDB(path, route, i)
		if err != nil {
			c.fail(err)
		} else {
			c.printf("  base %s: %d keys, %d bytes, valid", b.Name, n, fileSize(path))
		}
		keys = n
	}
	incr := man.Incr()
	tail := len(incr) - 1 // the last non-empty log (see loadShard)
	for tail > 0 && fileSize(filepath.Join(gdir, incr[tail].Name)) == 0 {
		tail--
	}
	for k, f := range incr {
		last := k >= tail
		path := filepath.Join(gdir, f.Name)
		var bad error
		res, err := aof.Replay(path, func(args [][]byte) error {
			if bad == nil {
				bad = checkRecord(args, route, i)
			}
			return nil
		}, aof.ReplayOptions{DryRun: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		switch {
		case err != nil && notExist(err):
			c.fail(corruptf(nil, "%s lists the log %s, which is missing", mpath, f.Name))
			continue
		case err != nil && errors.Is(err, aof.ErrCorrupt):
			c.fail(corruptf(err, "shard %d", i))
			var ce *aof.CorruptError
			if errors.As(err, &ce) {
				c.printf("  with RepairAOF, Open would truncate %s at offset %d, dropping %d bytes", f.Name, ce.Offset, ce.Size-ce.Offset)
			}
			continue
		case err != nil:
			c.fail(err)
			continue
		}
		records += res.Records
		c.printf("  log %s: %d records, %d bytes", f.Name, res.Records, res.Bytes)
		if res.TruncatedBytes > 0 {
			switch {
			case last && res.IncompleteBlock:
				c.printf("  Open would truncate an incomplete MULTI/EXEC block at the end (%d bytes, %d complete records; normal after a crash): the transaction would not be applied", res.TruncatedBytes, res.DroppedRecords)
			case last:
				c.printf("  Open would truncate a torn final record of %d bytes (normal after a crash)", res.TruncatedBytes)
			default:
				c.fail(corruptf(nil, "%s ends with %d bytes of an incomplete record but is not the last log", path, res.TruncatedBytes))
			}
		}
		if bad != nil {
			c.fail(corruptf(bad, "%s", path))
		}
	}
	return keys, records
}

// checkRecord verifies that a log record names a known command whose keys
// belong to shard.
func checkRecord(args [][]byte, route *keyspace.Keyspace, shard int) error {
	cmd := command.Lookup(args[0])
	if cmd == nil {
		return fmt.Errorf("unknown command %q", truncKey(string(args[0])))
	}
	idx, ok := cmd.KeyIndexes(args, nil)
	if !ok {
		return nil
	}
	for _, k := range idx {
		if j := route.ShardIndex(command.Key(args[k])); j != shard {
			return fmt.Errorf("a %s record about key %q (shard %d) in the log of shard %d", cmd.Name, truncKey(string(args[k])), j, shard)
		}
	}
	return nil
}

// routeCheck is an rdb.Visitor that counts keys and checks their shard.
type routeCheck struct {
	rdb.BaseVisitor
	route *keyspace.Keyspace
	shard int
	keys  int64
	aux   string
	path  string
}

func (r *routeCheck) Aux(k, v []byte) error {
	if string(k) == "kevy-shard" {
		r.aux = string(v)
	}
	return nil
}

func (r *routeCheck) Key(e *rdb.Entry) error {
	r.keys++
	if r.route != nil {
		key := string(e.Key)
		if j := r.route.ShardIndex(key); j != r.shard {
			return corruptf(nil, "%s: key %q belongs to shard %d, not %d", r.path, truncKey(key), j, r.shard)
		}
	}
	return nil
}

// checkRDB parses an RDB file completely (checksum included) without
// loading it.
func (c *checker) checkRDB(path string, route *keyspace.Keyspace, shard int) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		if notExist(err) {
			return 0, corruptf(nil, "snapshot %s is missing", path)
		}
		return 0, err
	}
	defer f.Close()
	v := &routeCheck{route: route, shard: shard, path: path}
	rd := rdb.NewReader(bufio.NewReaderSize(f, 1<<16))
	rd.MaxVersion = 11
	if err := rd.Parse(v); err != nil {
		if errors.Is(err, ErrCorrupt) {
			return v.keys, err
		}
		if errors.Is(err, rdb.ErrCorrupt) {
			return v.keys, corruptf(err, "snapshot %s", path)
		}
		return v.keys, fmt.Errorf("kevy: snapshot %s: %w", path, err)
	}
	if route != nil && v.aux != "" && v.aux != shardAux(shard, route.NumShards()) {
		return v.keys, corruptf(nil, "snapshot %s belongs to shard %s", path, v.aux)
	}
	return v.keys, nil
}
