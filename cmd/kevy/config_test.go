package main

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseMemory(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"12345", 12345, true}, {"100k", 100000, true}, {"100K", 100000, true},
		{"1kb", 1024, true}, {"32mb", 32 << 20, true}, {"32MB", 32 << 20, true}, {"2m", 2000000, true},
		{"1gb", 1 << 30, true}, {"3g", 3000000000, true}, {"10b", 10, true},
		{" 32mb ", 32 << 20, true}, {"9223372036854775807", 1<<63 - 1, true},
		{"", 0, false}, {"mb", 0, false}, {"-1", 0, false}, {"1tb", 0, false}, {"1.5mb", 0, false},
		{"9223372036854775808", 0, false}, {"99999999999999999999", 0, false}, {"8589934592gb", 0, false}, {"17179869184gb", 0, false}, {"8589934591gb", 8589934591 << 30, true},
	} {
		got, err := parseMemory(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseMemory(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestSplitConfigLine(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{"", nil, true},
		{"   # comment", nil, true},
		{"port 6380", []string{"port", "6380"}, true},
		{"bind 127.0.0.1 ::1  # local", []string{"bind", "127.0.0.1", "::1"}, true},
		{`requirepass "a b\"c\x41"`, []string{"requirepass", `a b"cA`}, true},
		{`requirepass 'it\'s'`, []string{"requirepass", "it's"}, true},
		{`requirepass ""`, []string{"requirepass", ""}, true},
		{`requirepass "open`, nil, false},
		{`requirepass "a"b`, nil, false},
	} {
		got, err := splitConfigLine(c.in)
		if (err == nil) != c.ok || (c.ok && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("splitConfigLine(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestApplyConfigFile(t *testing.T) {
	newSet := func() *flag.FlagSet {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Int("port", 6379, "")
		fs.String("bind", "127.0.0.1", "")
		fs.String("dir", "d", "")
		fs.Bool("appendonly", true, "")
		fs.Duration("timeout", 0, "")
		fs.String("maxmemory", "0", "")
		fs.String("requirepass", "", "")
		fs.String("protected-mode", "yes", "")
		return fs
	}
	for _, c := range []struct {
		name, file string
		args       []string
		want       map[string]string
		err        string
	}{
		{name: "values", file: "# kevy\nport 6380\nbind 127.0.0.1 ::1\nappendonly no\ntimeout 30\nMAXMEMORY 32mb\nrequirepass \"s p\"\nprotected-mode no\n",
			want: map[string]string{"port": "6380", "bind": "127.0.0.1 ::1", "appendonly": "false", "timeout": "30s",
				"maxmemory": "32mb", "requirepass": "s p", "protected-mode": "no"}},
		{name: "flags win", file: "port 6380\ndir /x\n", args: []string{"--port", "7000"},
			want: map[string]string{"port": "7000", "dir": "/x"}},
		{name: "unknown", file: "port 1\n\nnosuch\n", err: "kevy.conf:3: unknown directive \"nosuch\""},
		{name: "bad value", file: "port x\n", err: "kevy.conf:1: port:"},
		{name: "bad yes/no", file: "appendonly maybe\n", err: "kevy.conf:1: appendonly: want yes or no"},
		{name: "arg count", file: "port 1 2\n", err: "kevy.conf:1: wrong number of arguments"},
		{name: "quotes", file: "dir \"x\n", err: "kevy.conf:1: unbalanced quotes"},
		{name: "bad timeout", file: "timeout 1m\n", err: "kevy.conf:1: timeout"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "kevy.conf")
			os.WriteFile(path, []byte(c.file), 0o600)
			fs := newSet()
			if err := fs.Parse(c.args); err != nil {
				t.Fatal(err)
			}
			_, err := applyConfigFile(fs, path)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range c.want {
				if got := fs.Lookup(k).Value.String(); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestServeFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"--maxmemory", "lots"}, "--maxmemory"},
		{[]string{"--maxmemory-policy", "random"}, "--maxmemory-policy"},
		{[]string{"--protected-mode", "maybe"}, "--protected-mode"},
		{[]string{"--tls-cert-file", "c.pem"}, "--tls-cert-file needs --tls-key-file"},
		{[]string{"--tls-key-file", "k.pem"}, "--tls-key-file needs --tls-cert-file"},
		{[]string{"--tls-cert-file", "/nonexistent/c", "--tls-key-file", "/nonexistent/k"}, "TLS"},
		{[]string{"--config", "/nonexistent/kevy.conf"}, "--config"},
	} {
		var stdout, stderr syncBuffer
		err := run(context.Background(), append([]string{"serve", "--dir", ""}, c.args...), &stdout, &stderr, func() {})
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%v: err = %v, want %q", c.args, err, c.err)
		}
	}
}

func TestServeConfigFileAuth(t *testing.T) {
	port := freePort(t)
	path := filepath.Join(t.TempDir(), "kevy.conf")
	conf := "# test\nport " + strconv.Itoa(port) + "\nbind 127.0.0.1\ndir \"\"\nmaxmemory 32mb\nmaxmemory-policy allkeys-lru\nrequirepass fromfile\nprotected-mode no\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, _, stop := startServe(t, "--config", path, "--requirepass", "secret")
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if !strings.Contains(stdout.String(), "in memory") {
		t.Errorf("banner %q", stdout.String())
	}
	roundTrip(t, "tcp", addr, "GET k\r\n", "-NOAUTH Authentication required.\r\n")
	roundTrip(t, "tcp", addr, "AUTH fromfile\r\n", "-WRONGPASS")
	roundTrip(t, "tcp", addr, "AUTH secret\r\nSET k v\r\nGET k\r\nCONFIG GET maxmemory-policy\r\n",
		"+OK\r\n+OK\r\n$1\r\nv\r\n*2\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lru\r\n")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}
