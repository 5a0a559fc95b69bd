package difftest

import (
	"errors"
	"slices"
	"testing"

	"github.com/kevydb/kevy"
)

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{in: `SET k v`, want: []string{"SET", "k", "v"}},
		{in: "  GET\tk  ", want: []string{"GET", "k"}},
		{in: `SET k "a b"`, want: []string{"SET", "k", "a b"}},
		{in: `SET "" ''`, want: []string{"SET", "", ""}},
		{in: `ECHO "\x00\r\n\t\"\\"`, want: []string{"ECHO", "\x00\r\n\t\"\\"}},
		{in: `ECHO "\xff\xFE"`, want: []string{"ECHO", "\xff\xfe"}},
		{in: `ECHO 'it\'s "raw" \n'`, want: []string{"ECHO", `it's "raw" \n`}},
		{in: `KEYS h\*llo`, want: []string{"KEYS", `h\*llo`}},
		{in: ``, want: nil},
		{in: `ECHO "open`, wantErr: true},
		{in: `ECHO 'open`, wantErr: true},
		{in: `ECHO "a"b`, wantErr: true},
		{in: `ECHO "\x4"`, wantErr: true},
		{in: `ECHO "\xzz"`, wantErr: true},
	}
	for _, tc := range tests {
		got, err := SplitArgs(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("SplitArgs(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if !tc.wantErr && !slices.Equal(got, tc.want) {
			t.Errorf("SplitArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseScript(t *testing.T) {
	cmds, err := ParseScript(`
# comment
SET k v
[unordered] KEYS *
[approx 500] PTTL k
[type]   TIME
[scan] SCAN 0 MATCH a*
[scan] HSCAN h 0
!sleep 25
[pairs] HGETALL h
`)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		args []string
		mode Mode
		tol  int64
		line int
	}{
		{[]string{"SET", "k", "v"}, Exact, 0, 3},
		{[]string{"KEYS", "*"}, Unordered, 0, 4},
		{[]string{"PTTL", "k"}, Approx, 500, 5},
		{[]string{"TIME"}, TypeOnly, 0, 6},
		{[]string{"SCAN", "0", "MATCH", "a*"}, Scan, 0, 7},
		{[]string{"HSCAN", "h", "0"}, Scan, 0, 8},
		{[]string{"!sleep", "25"}, Sleep, 25, 9},
		{[]string{"HGETALL", "h"}, Pairs, 0, 10},
	}
	if len(cmds) != len(want) {
		t.Fatalf("got %d commands, want %d: %+v", len(cmds), len(want), cmds)
	}
	for i, w := range want {
		c := cmds[i]
		if !slices.Equal(c.Args, w.args) || c.Mode != w.mode || c.Tol != w.tol || c.Line != w.line {
			t.Errorf("command %d = %+v, want %+v", i, c, w)
		}
	}
	if cmds[6].Name() != "" || cmds[0].Name() != "set" {
		t.Errorf("Name: %q %q", cmds[6].Name(), cmds[0].Name())
	}

	for _, bad := range []string{
		"[nosuchmode] GET k",
		"[approx] PTTL k",
		"[approx 1 2] PTTL k",
		"[approx -1] PTTL k",
		"[type",
		"[type]",
		"[scan] SCAN",
		"[scan] HSCAN h",
		"!sleep",
		"!sleep x",
		`GET "k`,
	} {
		if _, err := ParseScript(bad); err == nil {
			t.Errorf("ParseScript(%q) accepted", bad)
		}
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		name string
		mode Mode
		tol  int64
		a, b string
		ok   bool
	}{
		{"exact equal", Exact, 0, "+OK\r\n", "+OK\r\n", true},
		{"exact differ", Exact, 0, ":1\r\n", ":2\r\n", false},
		{"unordered permuted", Unordered, 0, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\nb\r\n$1\r\na\r\n", true},
		{"unordered set kind", Unordered, 0, "~2\r\n$1\r\na\r\n$1\r\nb\r\n", "~2\r\n$1\r\nb\r\n$1\r\na\r\n", true},
		{"unordered multiset counts", Unordered, 0, "*2\r\n$1\r\na\r\n$1\r\na\r\n", "*2\r\n$1\r\na\r\n$1\r\nb\r\n", false},
		{"unordered kinds differ", Unordered, 0, "*1\r\n$1\r\na\r\n", "~1\r\n$1\r\na\r\n", false},
		{"unordered lengths differ", Unordered, 0, "*1\r\n$1\r\na\r\n", "*2\r\n$1\r\na\r\n$1\r\nb\r\n", false},
		{"unordered scalar differ", Unordered, 0, ":1\r\n", ":2\r\n", false},
		{"pairs permuted", Pairs, 0, "*4\r\n$1\r\nf\r\n$1\r\n1\r\n$1\r\ng\r\n$1\r\n2\r\n", "*4\r\n$1\r\ng\r\n$1\r\n2\r\n$1\r\nf\r\n$1\r\n1\r\n", true},
		{"pairs map", Pairs, 0, "%2\r\n$1\r\nf\r\n:1\r\n$1\r\ng\r\n:2\r\n", "%2\r\n$1\r\ng\r\n:2\r\n$1\r\nf\r\n:1\r\n", true},
		{"pairs broken", Pairs, 0, "*4\r\n$1\r\nf\r\n$1\r\n1\r\n$1\r\ng\r\n$1\r\n2\r\n", "*4\r\n$1\r\nf\r\n$1\r\n2\r\n$1\r\ng\r\n$1\r\n1\r\n", false},
		{"type same shape", TypeOnly, 0, "*2\r\n$10\r\n1700000000\r\n$1\r\n5\r\n", "*2\r\n$10\r\n1700000001\r\n$3\r\n999\r\n", true},
		{"type null vs bulk", TypeOnly, 0, "$-1\r\n", "$1\r\na\r\n", false},
		{"type length", TypeOnly, 0, "*1\r\n:1\r\n", "*2\r\n:1\r\n:1\r\n", false},
		{"type error text", TypeOnly, 0, "-ERR a\r\n", "-ERR b\r\n", false},
		{"approx within", Approx, 5, ":100\r\n", ":96\r\n", true},
		{"approx outside", Approx, 5, ":100\r\n", ":94\r\n", false},
		{"approx negative exact", Approx, 5, ":-1\r\n", ":-2\r\n", false},
		{"approx non-int", Approx, 5, "$1\r\na\r\n", "$1\r\nb\r\n", false},
		{"garbage", Unordered, 0, "?\r\n", "*0\r\n", false},
	}
	for _, tc := range tests {
		why := Compare(tc.mode, tc.tol, []byte(tc.a), []byte(tc.b))
		if (why == "") != tc.ok {
			t.Errorf("%s: Compare = %q, want ok=%v", tc.name, why, tc.ok)
		}
	}
}

func TestFormatArgs(t *testing.T) {
	got := FormatArgs(toBytes([]string{"SET", "k", "a b", "", "\x00"}))
	if want := `SET k "a b" "" "\x00"`; got != want {
		t.Errorf("FormatArgs = %s, want %s", got, want)
	}
	// A formatted command parses back to the same arguments.
	args := []string{"ECHO", "q\"uote", "back\\slash", "tab\t", "\r\n", "plain"}
	back, err := SplitArgs(FormatArgs(toBytes(args)))
	if err != nil || !slices.Equal(back, args) {
		t.Errorf("round trip: %q, %v", back, err)
	}
}

// fakeTarget replies from a table, to test the runners without servers.
type fakeTarget struct {
	name    string
	replies map[string]string
	resets  []int
	calls   int
}

func (f *fakeTarget) Name() string { return f.name }
func (f *fakeTarget) Do(args [][]byte) ([]byte, error) {
	f.calls++
	r, ok := f.replies[FormatArgs(args)]
	if !ok {
		return nil, errors.New("no reply")
	}
	return []byte(r), nil
}
func (f *fakeTarget) Reset(proto int) error { f.resets = append(f.resets, proto); return nil }
func (f *fakeTarget) Close() error          { return nil }

func TestRunScriptReportsEveryMismatch(t *testing.T) {
	a := &fakeTarget{name: "a", replies: map[string]string{"GET k": "$1\r\nv\r\n", "TTL k": ":10\r\n", "DBSIZE": ":1\r\n"}}
	b := &fakeTarget{name: "b", replies: map[string]string{"GET k": "$1\r\nw\r\n", "TTL k": ":11\r\n", "DBSIZE": ":2\r\n"}}
	cmds, err := ParseScript("GET k\n[approx 1] TTL k\nDBSIZE")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := RunScript(a, b, "s", cmds, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Cmd.Line != 1 || ms[1].Cmd.Line != 3 || ms[0].Script != "s" {
		t.Fatalf("mismatches = %v", ms)
	}
	if !slices.Equal(a.resets, []int{3}) || !slices.Equal(b.resets, []int{3}) {
		t.Errorf("resets %v %v", a.resets, b.resets)
	}
	if s := ms[0].String(); s != "s line 1: GET k\n\ta: \"$1\\r\\nv\\r\\n\"\n\tb: \"$1\\r\\nw\\r\\n\"\n\t(replies differ)" {
		t.Errorf("String() = %q", s)
	}
	// A target failure stops the script with an error naming the line.
	cmds, _ = ParseScript("GET k\nNOPE")
	if _, err := RunScript(a, b, "s", cmds, 2); err == nil {
		t.Error("target error not reported")
	}
}

func TestScanAllIterates(t *testing.T) {
	f := &fakeTarget{name: "f", replies: map[string]string{
		"SCAN 0 COUNT 1": "*2\r\n$1\r\n7\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n",
		"SCAN 7 COUNT 1": "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nc\r\n$1\r\na\r\n",
		"HSCAN h 0":      "*2\r\n$1\r\n0\r\n*4\r\n$1\r\nf\r\n$1\r\n1\r\n$1\r\ng\r\n$1\r\n2\r\n",
		"SCAN x":         "-ERR invalid cursor\r\n",
	}}
	got, err := scanAll(f, []string{"SCAN", "0", "COUNT", "1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "*3\r\n$7\r\n$1\r\na\r\n\r\n$7\r\n$1\r\nb\r\n\r\n$7\r\n$1\r\nc\r\n\r\n"; string(got) != want {
		t.Errorf("scanAll = %q, want %q", got, want)
	}
	got, err = scanAll(f, []string{"HSCAN", "h", "0"})
	if err != nil || string(got) != "*2\r\n$15\r\n$1\r\nf\r\n\x00$1\r\n1\r\n\r\n$15\r\n$1\r\ng\r\n\x00$1\r\n2\r\n\r\n" {
		t.Errorf("HSCAN pairs = %q, %v", got, err)
	}
	got, err = scanAll(f, []string{"SCAN", "x"})
	if err != nil || string(got) != "-ERR invalid cursor\r\n" {
		t.Errorf("error reply = %q, %v", got, err)
	}
}

func TestKevyTarget(t *testing.T) {
	k := NewKevy(&kevy.Options{Shards: 4})
	defer k.Close()
	if _, err := k.Do(toBytes([]string{"PING"})); err == nil {
		t.Error("Do before Reset succeeded")
	}
	for _, tc := range []struct {
		proto int
		want  string
	}{{2, "$-1\r\n"}, {3, "_\r\n"}} {
		if err := k.Reset(tc.proto); err != nil {
			t.Fatal(err)
		}
		r, err := k.Do(toBytes([]string{"GET", "missing"}))
		if err != nil || string(r) != tc.want {
			t.Errorf("resp%d GET missing = %q, %v", tc.proto, r, err)
		}
		if r, _ := k.Do(toBytes([]string{"SET", "k", "v"})); string(r) != "+OK\r\n" {
			t.Errorf("SET = %q", r)
		}
	}
	// Reset empties the data.
	if err := k.Reset(2); err != nil {
		t.Fatal(err)
	}
	if r, _ := k.Do(toBytes([]string{"EXISTS", "k"})); string(r) != ":0\r\n" {
		t.Errorf("after Reset EXISTS = %q", r)
	}
}
