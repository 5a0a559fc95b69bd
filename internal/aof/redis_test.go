package aof

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRedisReplaysLog checks that a real redis-server 7 loads a shard's
// directory written by this package: the manifest (kevy metadata in
// comment lines) and an incremental log with annotations. Skipped when
// redis-server or redis-cli is not installed.
func TestRedisReplaysLog(t *testing.T) {
	server, err1 := exec.LookPath("redis-server")
	cli, err2 := exec.LookPath("redis-cli")
	if (err1 != nil || err2 != nil) && os.Getenv("CI") == "true" {
		t.Fatalf("redis-server and redis-cli are required when CI=true: %v %v", err1, err2)
	}
	if err1 != nil || err2 != nil || testing.Short() {
		t.Skip("redis-server or redis-cli not installed")
	}
	dir := t.TempDir()
	aofDir := filepath.Join(dir, "appendonlydir")
	if err := os.Mkdir(aofDir, 0o755); err != nil {
		t.Fatal(err)
	}
	logger, _ := testLogger()
	incr := filepath.Join(aofDir, "appendonly.aof.1.incr.aof")
	if err := os.WriteFile(incr, []byte("#TS:1700000000\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Open(incr, Options{Fsync: FsyncAlways, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range [][]byte{
		rec("SET", "a", "1"),
		rec("SET", "bin", "x\r\ny\x00z"),
		rec("RPUSH", "list", "p", "q"),
		rec("DEL", "a"),
		// A block, with a database change inside.
		join(rec("MULTI"), rec("SET", "t1", "x"), rec("SELECT", "2"), rec("SET", "t2", "y"), rec("SELECT", "0"), rec("EXEC")),
	} {
		if _, err := l.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	m := &Manifest{Shards: 4, Shard: 1, Routing: "crc16-16384", Files: []ManifestFile{{Name: "appendonly.aof.1.incr.aof", Seq: 1, Type: FileIncr}}}
	if err := m.Save(nil, filepath.Join(aofDir, "appendonly.aof.manifest")); err != nil {
		t.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	var out bytes.Buffer
	cmd := exec.Command(server, "--port", port, "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes",
		"--appenddirname", "appendonlydir", "--save", "", "--daemonize", "no")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	query := func(args ...string) string {
		b, _ := exec.Command(cli, append([]string{"-p", port, "--no-raw"}, args...)...).CombinedOutput()
		return strings.TrimSpace(string(b))
	}
	deadline := time.Now().Add(10 * time.Second)
	for query("PING") != "PONG" {
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	checks := [][2]string{
		{"EXISTS a", "(integer) 0"},
		{"GET bin", `"x\r\ny\x00z"`},
		{"LRANGE list 0 -1", "1) \"p\"\n2) \"q\""},
		{"GET t1", `"x"`},
		{"-n 2 GET t2", `"y"`},
		{"DBSIZE", "(integer) 3"},
	}
	for _, c := range checks {
		if got := query(strings.Fields(c[0])...); got != c[1] {
			t.Errorf("%s = %q, want %q\nserver log:\n%s", c[0], got, c[1], out.String())
		}
	}
}
