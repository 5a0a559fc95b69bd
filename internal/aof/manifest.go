package aof

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strconv"
	"strings"
)

// FormatVersion is the manifest format version written by Save.
const FormatVersion = 1

// Manifest limits.
const (
	maxManifestSize = 1 << 20
	maxNameLen      = 255
	maxRoutingLen   = 128
)

// manifestHeader starts the first line of a manifest.
const manifestHeader = "# kevy-aof-manifest "

// checksumPrefix starts the last line of a manifest.
const checksumPrefix = "# checksum crc32c "

// castagnoli is the CRC-32C table of the manifest checksum.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// FileType is the role of a file listed in a manifest, with Redis 7's
// letters.
type FileType byte

// The file types.
const (
	// FileBase is the base file: a snapshot (RDB) or a RESP dump.
	FileBase FileType = 'b'
	// FileHistory is a file kept only until a rewrite completes.
	FileHistory FileType = 'h'
	// FileIncr is an incremental log, replayed after the base in order.
	FileIncr FileType = 'i'
)

// ManifestFile is one file of a manifest.
type ManifestFile struct {
	Name string   // file name in the manifest's directory
	Seq  int64    // sequence number, >= 1
	Type FileType // role
}

// Manifest lists the files of one shard's append-only log, in replay order,
// with the kevy metadata needed to check that they belong to this database
// layout. See the package documentation for the text format.
type Manifest struct {
	// Version is the format version; LoadManifest sets it, Save writes
	// FormatVersion.
	Version int
	// Shards is the number of shards of the database (>= 1).
	Shards int
	// Shard is the index of this shard, in [0, Shards).
	Shard int
	// Routing names how keys are mapped to shards (e.g. "crc16-16384"),
	// one token of letters, digits and ".:/_-"; may be empty.
	Routing string
	// Files are the files in replay order: the base (at most one) first,
	// then history and incremental files.
	Files []ManifestFile
}

// Base returns the base file, if any.
func (m *Manifest) Base() (ManifestFile, bool) {
	for _, f := range m.Files {
		if f.Type == FileBase {
			return f, true
		}
	}
	return ManifestFile{}, false
}

// Incr returns the incremental files, in order.
func (m *Manifest) Incr() []ManifestFile {
	var out []ManifestFile
	for _, f := range m.Files {
		if f.Type == FileIncr {
			out = append(out, f)
		}
	}
	return out
}

// MaxSeq returns the largest sequence number of the files of type t, or 0.
func (m *Manifest) MaxSeq(t FileType) int64 {
	var n int64
	for _, f := range m.Files {
		if f.Type == t && f.Seq > n {
			n = f.Seq
		}
	}
	return n
}

// Validate checks the metadata and the file list: valid names (letters,
// digits, '.', '_', '-'; not "." or ".."), unique names, sequence numbers
// >= 1 unique per type, known types, at most one base, listed first.
func (m *Manifest) Validate() error {
	if m.Shards < 1 || m.Shard < 0 || m.Shard >= m.Shards {
		return fmt.Errorf("aof: manifest: shard %d of %d is out of range", m.Shard, m.Shards)
	}
	if len(m.Routing) > maxRoutingLen || !tokenOK(m.Routing, ".:/_-") {
		return fmt.Errorf("aof: manifest: invalid routing %q", m.Routing)
	}
	names := make(map[string]bool, len(m.Files))
	type key struct {
		t   FileType
		seq int64
	}
	seqs := make(map[key]bool, len(m.Files))
	bases := 0
	for i, f := range m.Files {
		if f.Name == "" || len(f.Name) > maxNameLen || f.Name == "." || f.Name == ".." || !tokenOK(f.Name, "._-") {
			return fmt.Errorf("aof: manifest: invalid file name %q", f.Name)
		}
		switch f.Type {
		case FileBase:
			bases++
			if i != 0 {
				return fmt.Errorf("aof: manifest: base file %s is not the first file", f.Name)
			}
		case FileHistory, FileIncr:
		default:
			return fmt.Errorf("aof: manifest: file %s has invalid type %q", f.Name, byte(f.Type))
		}
		if f.Seq < 1 {
			return fmt.Errorf("aof: manifest: file %s has invalid sequence number %d", f.Name, f.Seq)
		}
		if names[f.Name] {
			return fmt.Errorf("aof: manifest: file %s is listed twice", f.Name)
		}
		names[f.Name] = true
		k := key{f.Type, f.Seq}
		if seqs[k] {
			return fmt.Errorf("aof: manifest: two files of type %c have sequence number %d", byte(f.Type), f.Seq)
		}
		seqs[k] = true
	}
	if bases > 1 {
		return errors.New("aof: manifest: more than one base file")
	}
	return nil
}

// tokenOK reports whether s has only ASCII letters, digits and bytes of
// extra.
func tokenOK(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			continue
		}
		if strings.IndexByte(extra, c) < 0 {
			return false
		}
	}
	return true
}

// AppendText validates m and appends its text form, checksum line
// included, to dst.
func (m *Manifest) AppendText(dst []byte) ([]byte, error) {
	if err := m.Validate(); err != nil {
		return dst, err
	}
	start := len(dst)
	dst = append(dst, manifestHeader...)
	dst = strconv.AppendInt(dst, FormatVersion, 10)
	dst = append(dst, "\n# shards "...)
	dst = strconv.AppendInt(dst, int64(m.Shards), 10)
	dst = append(dst, "\n# shard "...)
	dst = strconv.AppendInt(dst, int64(m.Shard), 10)
	dst = append(dst, '\n')
	if m.Routing != "" {
		dst = append(dst, "# routing "...)
		dst = append(dst, m.Routing...)
		dst = append(dst, '\n')
	}
	for _, f := range m.Files {
		dst = append(dst, "file "...)
		dst = append(dst, f.Name...)
		dst = append(dst, " seq "...)
		dst = strconv.AppendInt(dst, f.Seq, 10)
		dst = append(dst, " type "...)
		dst = append(dst, byte(f.Type), '\n')
	}
	sum := crc32.Checksum(dst[start:], castagnoli)
	dst = append(dst, checksumPrefix...)
	dst = fmt.Appendf(dst, "%08x\n", sum)
	return dst, nil
}

// Save validates m and writes it to path atomically with WriteFileAtomic.
// fsys nil means OSFS.
func (m *Manifest) Save(fsys FS, path string) error {
	text, err := m.AppendText(nil)
	if err != nil {
		return err
	}
	return WriteFileAtomic(fsys, path, func(w io.Writer) error {
		_, err := w.Write(text)
		return err
	})
}

// LoadManifest reads and parses the manifest at path from the OS file
// system.
func LoadManifest(path string) (*Manifest, error) {
	return LoadManifestFS(nil, path)
}

// LoadManifestFS reads and parses the manifest at path from fsys (nil
// means OSFS). Errors about the content name the file and wrap ErrCorrupt.
func LoadManifestFS(fsys FS, path string) (*Manifest, error) {
	f, err := orOS(fsys).OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("aof: load manifest: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxManifestSize+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("aof: load manifest %s: %w", path, err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("aof: manifest %s: %w", path, err)
	}
	return m, nil
}

// ParseManifest parses the text form of a manifest. A missing or wrong
// checksum line (e.g. a torn file) and any malformed line are errors
// wrapping ErrCorrupt.
func ParseManifest(data []byte) (*Manifest, error) {
	bad := func(format string, args ...any) (*Manifest, error) {
		return nil, fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
	}
	if len(data) > maxManifestSize {
		return bad("larger than %d bytes", maxManifestSize)
	}
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return bad("does not end with a newline (torn?)")
	}
	last := bytes.LastIndexByte(data[:len(data)-1], '\n') + 1
	body, sumLine := data[:last], data[last:len(data)-1]
	hex, ok := bytes.CutPrefix(sumLine, []byte(checksumPrefix))
	if !ok || len(hex) != 8 {
		return bad("missing checksum line (torn?)")
	}
	want, err := strconv.ParseUint(string(hex), 16, 32)
	if err != nil {
		return bad("invalid checksum line")
	}
	if got := crc32.Checksum(body, castagnoli); uint32(want) != got {
		return bad("checksum mismatch: %08x in the file, %08x computed", want, got)
	}
	m := &Manifest{}
	seen := map[string]bool{}
	lineNo := 0
	for len(body) > 0 {
		i := bytes.IndexByte(body, '\n')
		line := body[:i]
		body = body[i+1:]
		lineNo++
		if lineNo == 1 {
			v, ok := bytes.CutPrefix(line, []byte(manifestHeader))
			n, err := strconv.Atoi(string(v))
			if !ok || err != nil || n < 1 {
				return bad("not a kevy manifest (bad first line)")
			}
			if n > FormatVersion {
				return bad("format version %d is newer than the supported %d", n, FormatVersion)
			}
			m.Version = n
			continue
		}
		fields := bytes.Fields(line)
		if len(line) == 0 || len(fields) == 0 {
			return bad("line %d is empty", lineNo)
		}
		if string(fields[0]) == "#" {
			// Metadata; other comment lines are ignored.
			if len(fields) != 3 {
				continue
			}
			key, val := string(fields[1]), string(fields[2])
			var err error
			switch key {
			case "shards":
				m.Shards, err = strconv.Atoi(val)
			case "shard":
				m.Shard, err = strconv.Atoi(val)
			case "routing":
				m.Routing = val
			default:
				continue
			}
			if err != nil || seen[key] {
				return bad("line %d: invalid or repeated %s", lineNo, key)
			}
			seen[key] = true
			continue
		}
		f, err := parseFileLine(fields)
		if err != nil {
			return bad("line %d: %v", lineNo, err)
		}
		m.Files = append(m.Files, f)
	}
	if m.Version == 0 {
		return bad("not a kevy manifest (no header)")
	}
	if !seen["shards"] || !seen["shard"] {
		return bad("missing shard metadata")
	}
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return m, nil
}

// parseFileLine parses "file NAME seq N type T" (the pairs in any order).
func parseFileLine(fields [][]byte) (ManifestFile, error) {
	var f ManifestFile
	if len(fields) != 6 {
		return f, errors.New("expected \"file NAME seq N type T\"")
	}
	var hasFile, hasSeq, hasType bool
	for i := 0; i < len(fields); i += 2 {
		k, v := string(fields[i]), string(fields[i+1])
		switch {
		case k == "file" && !hasFile:
			f.Name, hasFile = v, true
		case k == "seq" && !hasSeq:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return f, fmt.Errorf("invalid seq %q", v)
			}
			f.Seq, hasSeq = n, true
		case k == "type" && !hasType:
			if len(v) != 1 {
				return f, fmt.Errorf("invalid type %q", v)
			}
			f.Type, hasType = FileType(v[0]), true
		default:
			return f, fmt.Errorf("unexpected %q", k)
		}
	}
	if !hasFile || !hasSeq || !hasType {
		return f, errors.New("expected \"file NAME seq N type T\"")
	}
	return f, nil
}
