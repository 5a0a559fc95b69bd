package persist

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kevydb/kevy/internal/aof"
)

// File names in the data directory.
const (
	layoutName   = "kevy.layout"
	lockName     = "LOCK"
	dumpName     = "dump.rdb"
	genPrefix    = "aof-"
	backupPrefix = "backup-"
	layoutHeader = "# kevy-layout "
	layoutSumPfx = "# checksum crc32c "
	layoutFormat = 1
	// incompleteName marks a generation directory that is being written
	// and not committed yet (removed after the layout names it).
	incompleteName = "INCOMPLETE"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// layout is the content of kevy.layout: which generation directory holds
// the database and how many shards it has. Replacing this file
// (atomically) is how a new generation (after a re-shard or an import)
// is committed.
type layout struct {
	Gen     int64
	Shards  int
	Routing string
}

// genDir returns the generation directory's name.
func (l *layout) genDir() string { return genPrefix + strconv.FormatInt(l.Gen, 10) }

func (l *layout) text() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s%d\n", layoutHeader, layoutFormat)
	fmt.Fprintf(&b, "shards %d\nrouting %s\ndir %s\n", l.Shards, l.Routing, l.genDir())
	sum := crc32.Checksum(b.Bytes(), castagnoli)
	fmt.Fprintf(&b, "%s%08x\n", layoutSumPfx, sum)
	return b.Bytes()
}

// parseLayout parses a layout file; errors wrap ErrCorrupt.
func parseLayout(path string, data []byte) (*layout, error) {
	bad := func(format string, args ...any) (*layout, error) {
		return nil, corruptf(nil, "layout file %s: %s", path, fmt.Sprintf(format, args...))
	}
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return bad("empty or torn (no final newline)")
	}
	last := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
	body, sumLine := data[:last], string(data[last:len(data)-1])
	hex, ok := strings.CutPrefix(sumLine, layoutSumPfx)
	want, err := strconv.ParseUint(hex, 16, 32)
	if !ok || err != nil {
		return bad("missing checksum line")
	}
	if got := crc32.Checksum(body, castagnoli); uint32(want) != got {
		return bad("checksum mismatch (%08x in the file, %08x computed)", want, got)
	}
	l := &layout{}
	lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], layoutHeader) {
		return bad("not a kevy layout file")
	}
	if v, err := strconv.Atoi(strings.TrimPrefix(lines[0], layoutHeader)); err != nil || v < 1 {
		return bad("bad format version line %q", lines[0])
	} else if v > layoutFormat {
		return bad("format version %d is newer than this kevy supports (%d)", v, layoutFormat)
	}
	var dir string
	for _, line := range lines[1:] {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "shards":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 16384 {
				return bad("bad shard count %q", v)
			}
			l.Shards = n
		case "routing":
			l.Routing = v
		case "dir":
			dir = v
		case "#":
		default:
			return bad("unknown line %q", line)
		}
	}
	g, err := strconv.ParseInt(strings.TrimPrefix(dir, genPrefix), 10, 64)
	if !strings.HasPrefix(dir, genPrefix) || err != nil || g < 1 {
		return bad("bad generation directory %q", dir)
	}
	l.Gen = g
	if l.Shards == 0 {
		return bad("no shard count")
	}
	return l, nil
}

// readLayout reads dir's layout file; it returns (nil, nil) when there is
// none.
func readLayout(dir string) (*layout, error) {
	path := filepath.Join(dir, layoutName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("kevy: read %s: %w", path, err)
	}
	return parseLayout(path, data)
}

// writeLayout replaces dir's layout file atomically (the commit point of a
// new generation).
func writeLayout(fsys aof.FS, dir string, l *layout) error {
	text := l.text()
	return aof.WriteFileAtomic(fsys, filepath.Join(dir, layoutName), func(w io.Writer) error {
		_, err := w.Write(text)
		return err
	})
}

// Names of a shard's files inside a generation directory.
func manifestName(shard int) string { return "kevy." + strconv.Itoa(shard) + ".manifest" }

func baseName(shard int, seq int64) string {
	return "kevy." + strconv.Itoa(shard) + "." + strconv.FormatInt(seq, 10) + ".base.rdb"
}

func incrName(shard int, seq int64) string {
	return "kevy." + strconv.Itoa(shard) + "." + strconv.FormatInt(seq, 10) + ".incr.aof"
}

// generations lists the generation directories in dir, by number.
func generations(dir string) ([]int64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var gens []int64
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), genPrefix) {
			continue
		}
		if g, err := strconv.ParseInt(strings.TrimPrefix(e.Name(), genPrefix), 10, 64); err == nil && g > 0 {
			gens = append(gens, g)
		}
	}
	sort.Slice(gens, func(i, j int) bool { return gens[i] < gens[j] })
	return gens, nil
}

// backupName returns a fresh name for a backup of generation gen.
func backupName(dir string, gen int64, shards int) string {
	ts := time.Now().UTC().Format("20060102T150405Z")
	name := fmt.Sprintf("%s%s-%s%d-%dshards", backupPrefix, ts, genPrefix, gen, shards)
	for i := 2; ; i++ {
		if _, err := os.Lstat(filepath.Join(dir, name)); errors.Is(err, fs.ErrNotExist) {
			return name
		}
		name = fmt.Sprintf("%s%s-%s%d-%dshards-%d", backupPrefix, ts, genPrefix, gen, shards, i)
	}
}

// LayoutShards returns the shard count recorded in dir's layout file, and
// false when dir holds no (readable) layout.
func LayoutShards(dir string) (int, bool) {
	l, err := readLayout(dir)
	if err != nil || l == nil {
		return 0, false
	}
	return l.Shards, true
}
