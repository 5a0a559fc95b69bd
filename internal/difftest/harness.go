package difftest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kevydb/kevy"
	"github.com/kevydb/kevy/internal/resp"
	"github.com/kevydb/kevy/server"
)

// ErrNoRedis is returned by StartRedis when no redis-server binary is
// found in PATH.
var ErrNoRedis = errors.New("difftest: redis-server not found in PATH")

// IOTimeout bounds every network round trip of a Conn, so that a target
// that sends no reply fails the test instead of hanging it.
const IOTimeout = 10 * time.Second

// Target is one side of a comparison: something that runs a command and
// returns the raw RESP bytes of its single reply.
type Target interface {
	// Name identifies the target in mismatch reports.
	Name() string
	// Do runs one command and returns its reply's wire bytes. The slice
	// belongs to the caller. An error means the target itself failed (I/O,
	// no reply), not that the command replied with an error.
	Do(args [][]byte) ([]byte, error)
	// Reset empties every database, selects database 0 and switches the
	// protocol to proto (2 or 3).
	Reset(proto int) error
	// Close releases the target.
	Close() error
}

// RedisServer is a redis-server process started by StartRedis.
type RedisServer struct {
	// Addr is the host:port the server listens on.
	Addr string

	cmd  *exec.Cmd
	dir  string
	log  *syncBuffer
	done chan struct{}
}

// syncBuffer collects the server's output for error reports.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p under the lock.
func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// StartRedis starts a redis-server on a free loopback port with
// persistence disabled and a temporary working directory, and waits until
// it answers PING. It returns ErrNoRedis if the binary is not installed.
func StartRedis() (*RedisServer, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNoRedis
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		s, err := startRedis(bin)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func startRedis(bin string) (*RedisServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "kevy-difftest-")
	if err != nil {
		return nil, err
	}
	s := &RedisServer{
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		dir:  dir,
		log:  &syncBuffer{},
		done: make(chan struct{}),
	}
	s.cmd = exec.Command(bin,
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--daemonize", "no",
		"--logfile", "",
		"--databases", "16",
		"--protected-mode", "yes",
		// DEBUG SET-ACTIVE-EXPIRE lets the notification tests observe
		// lazy expiry alone.
		"--enable-debug-command", "local",
	)
	s.cmd.Dir = dir
	s.cmd.Stdout = s.log
	s.cmd.Stderr = s.log
	setDeathSignal(s.cmd)
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	go func() {
		s.cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := s.ping(); err == nil {
			return s, nil
		}
		select {
		case <-s.done:
			os.RemoveAll(dir)
			return nil, fmt.Errorf("difftest: redis-server exited: %s", s.log.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("difftest: redis-server did not start: %s", s.log.String())
		}
	}
}

func (s *RedisServer) ping() error {
	c, err := Dial("redis", s.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	r, err := c.Do([][]byte{[]byte("PING")})
	if err != nil {
		return err
	}
	if string(r) != "+PONG\r\n" {
		return fmt.Errorf("difftest: PING replied %q", r)
	}
	return nil
}

// Stop kills the server and removes its working directory.
func (s *RedisServer) Stop() error {
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
		<-s.done
	}
	return os.RemoveAll(s.dir)
}

// Log returns what the server printed so far.
func (s *RedisServer) Log() string { return s.log.String() }

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

var shared struct {
	once sync.Once
	srv  *RedisServer
	err  error
}

// SharedRedis returns the redis-server shared by the whole test binary,
// starting it on first use. When redis-server is missing the test is
// skipped, or fails if the environment variable CI is "true".
func SharedRedis(tb testing.TB) *RedisServer {
	tb.Helper()
	shared.once.Do(func() { shared.srv, shared.err = StartRedis() })
	switch {
	case errors.Is(shared.err, ErrNoRedis) && os.Getenv("CI") != "true":
		tb.Skip("redis-server not installed; differential tests skipped")
	case shared.err != nil:
		tb.Fatal(shared.err)
	}
	return shared.srv
}

// StopShared stops the shared redis-server if it was started. TestMain
// calls it after the tests ran.
func StopShared() {
	if shared.srv != nil {
		shared.srv.Stop()
	}
}

// recorder is an io.Reader that keeps a copy of everything read through
// it, so a Conn can return a reply's exact bytes.
type recorder struct {
	r   io.Reader
	buf []byte
}

// Read reads from the underlying reader and records what it got.
func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.buf = append(r.buf, p[:n]...)
	return n, err
}

// Conn is a Target speaking RESP over a network connection, to
// redis-server or to kevy's server.
type Conn struct {
	name string
	nc   net.Conn
	rec  recorder
	rd   *resp.Reader
	wbuf []byte
}

// Dial connects to a RESP server at addr; name labels it in reports.
func Dial(name, addr string) (*Conn, error) {
	nc, err := net.DialTimeout("tcp", addr, IOTimeout)
	if err != nil {
		return nil, err
	}
	c := &Conn{name: name, nc: nc}
	c.rec.r = nc
	c.rd = resp.NewReader(&c.rec, 0)
	return c, nil
}

// Name returns the name given to Dial.
func (c *Conn) Name() string { return c.name }

// Do sends one command and returns the exact bytes of its reply.
func (c *Conn) Do(args [][]byte) ([]byte, error) {
	c.wbuf = resp.AppendCommand(c.wbuf[:0], args...)
	c.nc.SetDeadline(time.Now().Add(IOTimeout))
	if _, err := c.nc.Write(c.wbuf); err != nil {
		return nil, err
	}
	start := len(c.rec.buf) - c.rd.Buffered()
	if _, err := c.rd.ReadValue(); err != nil {
		return nil, fmt.Errorf("%s: reading reply to %s: %w", c.name, FormatArgs(args), err)
	}
	if c.rd.Buffered() != 0 {
		// More than one reply arrived for one command: the recorded
		// bytes cannot be split reliably, and the server is wrong anyway.
		return nil, fmt.Errorf("%s: unexpected extra bytes after reply to %s", c.name, FormatArgs(args))
	}
	out := append([]byte(nil), c.rec.buf[start:]...)
	c.rec.buf = c.rec.buf[:0]
	return out, nil
}

// DoStrings is Do with string arguments.
func (c *Conn) DoStrings(args ...string) ([]byte, error) { return c.Do(toBytes(args)) }

// Reset switches the protocol with HELLO, selects database 0 and runs
// FLUSHALL.
func (c *Conn) Reset(proto int) error {
	for _, cmd := range [][]string{{"HELLO", strconv.Itoa(proto)}, {"SELECT", "0"}, {"FLUSHALL"}} {
		r, err := c.DoStrings(cmd...)
		if err != nil {
			return err
		}
		if len(r) > 0 && r[0] == '-' {
			return fmt.Errorf("%s: %s replied %q", c.name, strings.Join(cmd, " "), r)
		}
	}
	return nil
}

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

// Kevy is an in-process Target: commands run through a kevy.Session on
// an in-memory kevy.DB and replies are encoded by a resp.Writer, exactly
// as the server would send them. Reset opens a fresh DB.
type Kevy struct {
	opts kevy.Options
	db   *kevy.DB
	sess *kevy.Session
	out  bytes.Buffer
	w    *resp.Writer
}

// NewKevy returns an in-process target whose DBs are opened with opts
// (nil means defaults). Call Reset before the first command.
func NewKevy(opts *kevy.Options) *Kevy {
	k := &Kevy{}
	if opts != nil {
		k.opts = *opts
	}
	k.w = resp.NewWriter(&k.out, 0)
	return k
}

// Name describes the target and its shard count.
func (k *Kevy) Name() string { return "kevy(shards=" + strconv.Itoa(k.opts.Shards) + ")" }

// DB returns the current database, for tests that inspect it directly.
func (k *Kevy) DB() *kevy.DB { return k.db }

// Do runs one command in process and returns the reply's wire bytes.
func (k *Kevy) Do(args [][]byte) ([]byte, error) {
	if k.sess == nil {
		return nil, errors.New("difftest: Kevy.Do before Reset")
	}
	k.sess.Exec(args, k.w)
	if err := k.w.Flush(); err != nil {
		return nil, err
	}
	out := bytes.Clone(k.out.Bytes())
	k.out.Reset()
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no reply to %s", k.Name(), FormatArgs(args))
	}
	return out, nil
}

// Reset closes the current DB and opens an empty one speaking proto.
func (k *Kevy) Reset(proto int) error {
	if k.db != nil {
		k.db.Close()
	}
	opts := k.opts
	db, err := kevy.Open("", &opts)
	if err != nil {
		return err
	}
	k.db = db
	k.sess = db.NewSession()
	k.w.SetProto(proto)
	return nil
}

// Close closes the current DB.
func (k *Kevy) Close() error {
	if k.db != nil {
		return k.db.Close()
	}
	return nil
}

// KevyServer is kevy's RESP server on an in-memory DB, listening on a
// free loopback port, for comparisons over TCP.
type KevyServer struct {
	// Addr is the host:port the server listens on.
	Addr string

	db   *kevy.DB
	srv  *server.Server
	done chan error
}

// StartKevyServer opens an in-memory DB with opts (nil means defaults)
// and serves it on a free loopback port.
func StartKevyServer(opts *kevy.Options) (*KevyServer, error) {
	db, err := kevy.Open("", opts)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		return nil, err
	}
	ks := &KevyServer{Addr: l.Addr().String(), db: db, srv: server.New(db, nil), done: make(chan error, 1)}
	go func() { ks.done <- ks.srv.Serve(l) }()
	return ks, nil
}

// Stop closes the server and its DB.
func (ks *KevyServer) Stop() error {
	ks.srv.Close()
	err := <-ks.done
	ks.db.Close()
	if errors.Is(err, server.ErrServerClosed) {
		err = nil
	}
	return err
}

// Mode says how two replies are compared.
type Mode uint8

// Comparison modes; see the package documentation for their directives.
const (
	Exact     Mode = iota // byte-identical
	Unordered             // aggregates as multisets of elements
	Pairs                 // maps or flat arrays as sets of pairs
	TypeOnly              // same shape, values ignored
	Approx                // integers within Cmd.Tol of each other
	Scan                  // iterate a SCAN-family command, compare element sets
	Sleep                 // pseudo-command: pause Cmd.Tol milliseconds
)

var modeNames = map[string]Mode{
	"exact": Exact, "unordered": Unordered, "pairs": Pairs,
	"type": TypeOnly, "approx": Approx, "scan": Scan,
}

// Cmd is one scripted command.
type Cmd struct {
	Args []string
	Mode Mode
	Tol  int64 // Approx: allowed difference; Sleep: milliseconds
	Line int   // line number in the script, for reports
}

// Name returns the command name in lower case ("" for a pseudo-command).
func (c Cmd) Name() string {
	if c.Mode == Sleep || len(c.Args) == 0 {
		return ""
	}
	return strings.ToLower(c.Args[0])
}

// String formats the command as a script line.
func (c Cmd) String() string { return FormatArgs(toBytes(c.Args)) }

// Script is a named list of commands run in order on both targets after a
// Reset.
type Script struct {
	Name string
	// Src holds the commands, one per line (see the package doc).
	Src string
	// Proto restricts the script to one protocol (2 or 3); 0 runs it
	// under both.
	Proto int
}

// ParseScript parses a script's source.
func ParseScript(src string) ([]Cmd, error) {
	var out []Cmd
	for i, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		c := Cmd{Line: i + 1}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, fmt.Errorf("line %d: unterminated directive", i+1)
			}
			f := strings.Fields(line[1:end])
			if len(f) == 0 {
				return nil, fmt.Errorf("line %d: empty directive", i+1)
			}
			m, ok := modeNames[f[0]]
			if !ok {
				return nil, fmt.Errorf("line %d: unknown directive %q", i+1, f[0])
			}
			c.Mode = m
			switch {
			case m == Approx && len(f) != 2:
				return nil, fmt.Errorf("line %d: usage: [approx N]", i+1)
			case m == Approx:
				n, err := strconv.ParseInt(f[1], 10, 64)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("line %d: bad tolerance %q", i+1, f[1])
				}
				c.Tol = n
			case len(f) != 1:
				return nil, fmt.Errorf("line %d: bad directive %q", i+1, line[:end+1])
			}
			line = strings.TrimSpace(line[end+1:])
		}
		args, err := SplitArgs(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		if len(args) == 0 {
			return nil, fmt.Errorf("line %d: directive without command", i+1)
		}
		if args[0] == "!sleep" {
			if len(args) != 2 {
				return nil, fmt.Errorf("line %d: usage: !sleep MS", i+1)
			}
			n, err := strconv.ParseInt(args[1], 10, 64)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("line %d: bad sleep %q", i+1, args[1])
			}
			c.Mode, c.Tol = Sleep, n
		}
		if c.Mode == Scan && len(args) < scanCursorIndex(args[0])+1 {
			return nil, fmt.Errorf("line %d: [scan] needs a cursor argument", i+1)
		}
		c.Args = args
		out = append(out, c)
	}
	return out, nil
}

// SplitArgs splits a command line the way redis-cli does: whitespace
// separates arguments; "double quotes" allow \n \r \t \b \a \" \\ and
// \xHH escapes; 'single quotes' are literal except for \'.
func SplitArgs(line string) ([]string, error) {
	var out []string
	i := 0
	for {
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		if i == len(line) {
			return out, nil
		}
		var cur []byte
		switch line[i] {
		case '"':
			i++
			for {
				if i >= len(line) {
					return nil, errors.New("unbalanced double quote")
				}
				ch := line[i]
				if ch == '"' {
					i++
					break
				}
				if ch == '\\' && i+1 < len(line) {
					i++
					switch e := line[i]; e {
					case 'n':
						cur = append(cur, '\n')
					case 'r':
						cur = append(cur, '\r')
					case 't':
						cur = append(cur, '\t')
					case 'b':
						cur = append(cur, '\b')
					case 'a':
						cur = append(cur, '\a')
					case 'x':
						if i+2 >= len(line) {
							return nil, errors.New(`short \x escape`)
						}
						v, err := strconv.ParseUint(line[i+1:i+3], 16, 8)
						if err != nil {
							return nil, fmt.Errorf(`bad \x escape %q`, line[i+1:i+3])
						}
						cur = append(cur, byte(v))
						i += 2
					default:
						cur = append(cur, e)
					}
					i++
					continue
				}
				cur = append(cur, ch)
				i++
			}
		case '\'':
			i++
			for {
				if i >= len(line) {
					return nil, errors.New("unbalanced single quote")
				}
				ch := line[i]
				if ch == '\'' {
					i++
					break
				}
				if ch == '\\' && i+1 < len(line) && line[i+1] == '\'' {
					ch = '\''
					i++
				}
				cur = append(cur, ch)
				i++
			}
		default:
			for i < len(line) && !isBlank(line[i]) {
				cur = append(cur, line[i])
				i++
			}
			out = append(out, string(cur))
			continue
		}
		if i < len(line) && !isBlank(line[i]) {
			return nil, errors.New("closing quote must be followed by a space")
		}
		out = append(out, string(cur))
	}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// FormatArgs renders a command as a script line, quoting arguments that
// need it.
func FormatArgs(args [][]byte) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if len(a) > 0 && !bytes.ContainsAny(a, " \t\"'\\") && strconv.CanBackquote(string(a)) {
			b.Write(a)
			continue
		}
		b.WriteString(strconv.Quote(string(a)))
	}
	return b.String()
}

func toBytes(args []string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

// Mismatch is one command whose replies differ.
type Mismatch struct {
	Script string
	Cmd    Cmd
	NameA  string
	NameB  string
	A, B   []byte
	Why    string
}

// String formats the mismatch with both replies quoted.
func (m *Mismatch) String() string {
	return fmt.Sprintf("%s line %d: %s\n\t%s: %q\n\t%s: %q\n\t(%s)",
		m.Script, m.Cmd.Line, m.Cmd, m.NameA, m.A, m.NameB, m.B, m.Why)
}

// Exec runs one scripted command on both targets and compares the
// replies. It returns a Mismatch (nil if they agree) or an error if a
// target failed.
func Exec(a, b Target, c Cmd) (*Mismatch, error) {
	var ra, rb []byte
	var err error
	switch c.Mode {
	case Sleep:
		time.Sleep(time.Duration(c.Tol) * time.Millisecond)
		return nil, nil
	case Scan:
		if ra, err = scanAll(a, c.Args); err != nil {
			return nil, err
		}
		if rb, err = scanAll(b, c.Args); err != nil {
			return nil, err
		}
	default:
		args := toBytes(c.Args)
		if ra, err = a.Do(args); err != nil {
			return nil, err
		}
		if rb, err = b.Do(args); err != nil {
			return nil, err
		}
	}
	if why := Compare(c.Mode, c.Tol, ra, rb); why != "" {
		return &Mismatch{Cmd: c, NameA: a.Name(), NameB: b.Name(), A: ra, B: rb, Why: why}, nil
	}
	return nil, nil
}

// RunScript resets both targets to proto and runs cmds on them in order.
// It returns every mismatch (the run goes on after one, so a report shows
// all of a script's differences) and stops at the first target error.
func RunScript(a, b Target, name string, cmds []Cmd, proto int) ([]*Mismatch, error) {
	if err := a.Reset(proto); err != nil {
		return nil, err
	}
	if err := b.Reset(proto); err != nil {
		return nil, err
	}
	var out []*Mismatch
	for _, c := range cmds {
		m, err := Exec(a, b, c)
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

// scanCursorIndex is the position of the cursor in a SCAN-family command.
func scanCursorIndex(name string) int {
	if strings.EqualFold(name, "scan") {
		return 1
	}
	return 2 // SSCAN/HSCAN/ZSCAN key cursor
}

// scanPairs reports whether a SCAN-family command returns field/value or
// member/score pairs, which must be kept together.
func scanPairs(name string) bool {
	return strings.EqualFold(name, "hscan") || strings.EqualFold(name, "zscan")
}

// maxScanCalls bounds a [scan] iteration, so a cursor that never returns
// to 0 fails instead of looping forever.
const maxScanCalls = 100000

// scanAll iterates a SCAN-family command until the cursor is 0 and
// returns the sorted, de-duplicated elements as a RESP array (pairs joined
// as one "field\x00value" element). An error reply, or a malformed one,
// is returned as is.
func scanAll(t Target, args []string) ([]byte, error) {
	ci := scanCursorIndex(args[0])
	cur := toBytes(args)
	seen := map[string]bool{}
	for calls := 0; ; calls++ {
		if calls == maxScanCalls {
			return nil, fmt.Errorf("%s: %s did not finish after %d calls", t.Name(), args[0], calls)
		}
		raw, err := t.Do(cur)
		if err != nil {
			return nil, err
		}
		v, err := parse(raw)
		if err != nil || v.Kind != resp.KindArray || len(v.Elems) != 2 || v.Elems[0].Kind != resp.KindBulk ||
			!isAggregate(v.Elems[1].Kind) {
			return raw, nil // an error or an unexpected shape: compared as is
		}
		elems := v.Elems[1].Elems
		step := 1
		if scanPairs(args[0]) {
			step = 2
			if len(elems)%2 != 0 {
				return raw, nil
			}
		}
		for i := 0; i+step <= len(elems); i += step {
			k := string(resp.AppendValue(nil, &elems[i]))
			if step == 2 {
				k += "\x00" + string(resp.AppendValue(nil, &elems[i+1]))
			}
			seen[k] = true
		}
		next := v.Elems[0].Str
		if string(next) == "0" {
			break
		}
		cur[ci] = append([]byte(nil), next...)
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := resp.AppendArrayLen(nil, len(keys))
	for _, k := range keys {
		out = resp.AppendBulkString(out, k)
	}
	return out, nil
}

func parse(raw []byte) (resp.Value, error) {
	return resp.NewReader(bytes.NewReader(raw), 0).ReadValue()
}

func isAggregate(k resp.Kind) bool {
	return k == resp.KindArray || k == resp.KindSet || k == resp.KindMap || k == resp.KindPush
}

// Compare compares two raw replies under mode and returns "" when they
// agree, or why they do not.
func Compare(mode Mode, tol int64, a, b []byte) string {
	if bytes.Equal(a, b) {
		return ""
	}
	switch mode {
	case Exact, Scan, Sleep:
		return "replies differ"
	}
	va, errA := parse(a)
	vb, errB := parse(b)
	if errA != nil || errB != nil {
		return fmt.Sprintf("unparsable reply: %v / %v", errA, errB)
	}
	switch mode {
	case Unordered:
		return compareUnordered(&va, &vb, 1)
	case Pairs:
		return compareUnordered(&va, &vb, 2)
	case TypeOnly:
		return compareShape(&va, &vb)
	case Approx:
		if va.Kind == resp.KindInteger && vb.Kind == resp.KindInteger && va.Int >= 0 && vb.Int >= 0 {
			if d := va.Int - vb.Int; d <= tol && -d <= tol {
				return ""
			}
			return fmt.Sprintf("integers differ by more than %d", tol)
		}
		return "replies differ"
	}
	return "unknown mode"
}

// compareUnordered compares aggregates as multisets of groups of n
// elements (n = 2 keeps map pairs together).
func compareUnordered(a, b *resp.Value, n int) string {
	if a.Kind != b.Kind || a.Null != b.Null {
		return "reply types differ"
	}
	if !isAggregate(a.Kind) {
		return "replies differ"
	}
	if len(a.Elems) != len(b.Elems) {
		return "element counts differ"
	}
	ga, gb := groups(a.Elems, n), groups(b.Elems, n)
	if ga == nil || gb == nil {
		return "odd number of elements for pairs"
	}
	if !slices.Equal(ga, gb) {
		return "elements differ (as multisets)"
	}
	return ""
}

func groups(elems []resp.Value, n int) []string {
	if len(elems)%n != 0 {
		return nil
	}
	out := make([]string, 0, len(elems)/n)
	for i := 0; i < len(elems); i += n {
		var g []byte
		for j := i; j < i+n; j++ {
			g = resp.AppendValue(g, &elems[j])
		}
		out = append(out, string(g))
	}
	slices.Sort(out)
	return out
}

// compareShape compares kinds, nullness and aggregate lengths,
// recursively, ignoring scalar values.
func compareShape(a, b *resp.Value) string {
	if a.Kind != b.Kind || a.Null != b.Null {
		return fmt.Sprintf("reply types differ: %s vs %s", a.Kind, b.Kind)
	}
	if a.Kind == resp.KindError || a.Kind == resp.KindBulkError {
		if !bytes.Equal(a.Str, b.Str) {
			return "error texts differ"
		}
		return ""
	}
	if len(a.Elems) != len(b.Elems) {
		return "aggregate lengths differ"
	}
	for i := range a.Elems {
		if why := compareShape(&a.Elems[i], &b.Elems[i]); why != "" {
			return why
		}
	}
	return ""
}
