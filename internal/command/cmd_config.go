package command

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/kevydb/kevy/internal/glob"
	"github.com/kevydb/kevy/internal/keyspace"
)

// CONFIG GET, SET, RESETSTAT, REWRITE and HELP over a table of settings.
// Each Setting has a name (and the older names Redis still accepts), a
// function that formats its value and one that parses and applies a new
// value with Redis's checks and error texts. Other parts of kevy add
// settings with RegisterSetting.

func init() {
	sub := func(name string, arity int, flags Flags, cats ...string) *Command {
		return &Command{Name: "config|" + name, Arity: arity, Flags: flags | FlagSelfLock,
			Run: configCmd, Categories: cats}
	}
	const adminFlags = FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	Register(&Command{Name: "config", Arity: -2, Flags: FlagSelfLock, Run: configCmd,
		Categories: []string{"slow"},
		Subcommands: []*Command{
			sub("get", -3, adminFlags, "admin", "slow", "dangerous"),
			sub("help", 2, FlagLoading|FlagStale, "slow"),
			sub("resetstat", 2, adminFlags, "admin", "slow", "dangerous"),
			sub("rewrite", 2, adminFlags, "admin", "slow", "dangerous"),
			sub("set", -4, adminFlags, "admin", "slow", "dangerous"),
		}})
	RegisterSetting(builtinSettings()...)
	RegisterSetting(memorySettings()...)
	RegisterSetting(persistSettings()...)
}

// Setting is one CONFIG parameter.
type Setting struct {
	// Name is the parameter's name, lower case.
	Name string
	// Aliases are other names Redis accepts for it (the *-ziplist-*
	// names of the listpack settings).
	Aliases []string
	// Get formats the current value.
	Get func(e *Engine) string
	// Set parses v and applies it, or returns the reason it cannot (the
	// text after "... - " in Redis's error). A nil Set makes the setting
	// read-only ("can't set immutable config"). CONFIG SET calls it with
	// every shard locked, so it may change what commands read under a
	// shard lock (Engine.Limits).
	Set func(e *Engine, v string) (errText string)
	// Apply, when set, puts the value in effect once CONFIG SET has Set
	// every parameter it names (Set then only checks and stores it), so
	// that parameters that work together (a certificate and its key)
	// are applied together. It runs with the shard locks held, once per
	// parameter that has it, so it must be idempotent. When one fails,
	// the old values are Set and applied again and CONFIG SET fails with
	// its text.
	Apply func(e *Engine) (errText string)
	// After, when set, runs once CONFIG SET applied the new values of
	// all its settings and released the shard locks: what a new value
	// sets in motion (the eviction a lower maxmemory calls for).
	After func(e *Engine)
	// Rewrite says how CONFIG REWRITE writes the value in a
	// configuration file.
	Rewrite RewriteKind
	// Sensitive marks a secret (requirepass): the server's slow log
	// shows the value CONFIG SET gives it as "(redacted)", as Redis
	// does, whichever table holds the setting (LookupSettingFor).
	Sensitive bool
	// Protected refuses CONFIG SET with Redis 7.0's "can't set protected
	// config" (dir: a client must not point the server's files
	// elsewhere); Set is then not needed.
	Protected bool
}

// RewriteKind says how CONFIG REWRITE writes a setting's value, as
// Redis's rewrite writes each kind of parameter.
type RewriteKind uint8

// The ways of writing a value.
const (
	// RewritePlain writes the value as CONFIG GET shows it (numbers,
	// enumerations).
	RewritePlain RewriteKind = iota
	// RewriteMemory writes a byte count with the largest of the units
	// gb, mb and kb that divides it (1gb, 3mb, 1536).
	RewriteMemory
	// RewriteQuoted writes a string in double quotes, with escapes.
	RewriteQuoted
	// RewriteNever leaves the setting out of CONFIG REWRITE (and
	// ConfigParams): the program writes it from its own options
	// (appendonly), or it has a single value (save).
	RewriteNever
)

// SettingTable is a set of settings looked up by name or alias. The
// settings of kevy's own code are in one table (RegisterSetting); an
// engine has a table of its own for the settings of the database it runs
// (Engine.AddSettings), and a session may point to the table of the
// server it belongs to (Session.Settings). CONFIG sees the union.
type SettingTable struct {
	byName map[string]*Setting // names and aliases
	names  []string            // every name and alias, sorted
}

// NewSettingTable returns a table holding list.
func NewSettingTable(list ...*Setting) *SettingTable {
	t := &SettingTable{}
	t.add(list...)
	return t
}

// add adds list to t, replacing any setting registered under the same
// name.
func (t *SettingTable) add(list ...*Setting) {
	if t.byName == nil {
		t.byName = map[string]*Setting{}
	}
	for _, s := range list {
		for _, n := range append([]string{s.Name}, s.Aliases...) {
			if _, dup := t.byName[n]; !dup {
				t.names = append(t.names, n)
			}
			t.byName[n] = s
		}
	}
	slices.Sort(t.names)
}

// clone returns a copy of t that add can change without changing t.
func (t *SettingTable) clone() *SettingTable {
	c := &SettingTable{byName: make(map[string]*Setting, len(t.byName)), names: slices.Clone(t.names)}
	for n, s := range t.byName {
		c.byName[n] = s
	}
	return c
}

// Lookup returns the setting named name (lower case), or nil. A nil
// table has no settings.
func (t *SettingTable) Lookup(name string) *Setting {
	if t == nil {
		return nil
	}
	return t.byName[name]
}

var settings struct {
	sync.RWMutex
	SettingTable
}

// RegisterSetting adds settings to CONFIG's table, replacing any setting
// registered under the same name (so that the code owning a parameter can
// take over a placeholder).
func RegisterSetting(list ...*Setting) {
	settings.Lock()
	defer settings.Unlock()
	settings.add(list...)
}

// LookupSetting returns the setting of kevy's own table (RegisterSetting)
// named name (or one of its aliases), case-insensitively, or nil.
func LookupSetting(name string) *Setting {
	settings.RLock()
	defer settings.RUnlock()
	return settings.byName[strings.ToLower(name)]
}

// AddSettings adds settings to the engine's own table: the parameters of
// the database it runs (its directory, its fsync policy), which CONFIG
// shows next to kevy's own. A setting replaces one of the same name.
func (e *Engine) AddSettings(list ...*Setting) {
	e.settingsMu.Lock()
	defer e.settingsMu.Unlock()
	t := &SettingTable{}
	if old := e.settings.Load(); old != nil {
		t = old.clone()
	}
	t.add(list...)
	e.settings.Store(t)
}

// LookupSettingFor returns the setting named name (case-insensitively)
// that CONFIG sees from session s (see settingView), or nil.
func (e *Engine) LookupSettingFor(s *Session, name string) *Setting {
	return e.settingView(s).Lookup(strings.ToLower(name))
}

// settingView returns the settings CONFIG sees from session s: those of
// s's server (if any), of the engine and kevy's own, in that order of
// precedence for a name found in several.
func (e *Engine) settingView(s *Session) *SettingTable {
	settings.RLock()
	v := settings.clone()
	settings.RUnlock()
	var local *SettingTable
	if s != nil {
		local = s.Settings
	}
	for _, t := range []*SettingTable{e.settings.Load(), local} {
		if t == nil {
			continue
		}
		for _, n := range t.names {
			if _, dup := v.byName[n]; !dup {
				v.names = append(v.names, n)
			}
			v.byName[n] = t.byName[n]
		}
	}
	slices.Sort(v.names)
	return v
}

// ResetStats zeroes the statistics INFO reports (CONFIG RESETSTAT): the
// shards' hit, miss, expiry, eviction and command counters, the count
// of commands that touch no key, the error counts and the servers'
// connection counts (AddServerStats).
func (e *Engine) ResetStats() {
	for i := range e.KS.NumShards() {
		sh := e.KS.Shard(i)
		sh.Lock()
		sh.Hits, sh.Misses, sh.ExpiredKeys, sh.EvictedKeys, sh.Commands = 0, 0, 0, 0, 0
		sh.Unlock()
	}
	for i := range e.mem.keyless {
		e.mem.keyless[i].n.Store(0)
	}
	e.resetErrors()
	for _, s := range e.serverStatsList() {
		if s.reset != nil {
			s.reset()
		}
	}
}

var configHelp = []string{
	"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GET <pattern>",
	"    Return parameters matching the glob-like <pattern> and their values.",
	"SET <directive> <value>",
	"    Set the configuration <directive> to <value>.",
	"RESETSTAT",
	"    Reset statistics reported by the INFO command.",
	"REWRITE",
	"    Rewrite the configuration file.",
	"HELP",
	"    Prints this help.",
}

// configCmd is the CONFIG container; the table checked the arity of the
// known subcommands, which the server resolves before calling it.
func configCmd(c *Ctx, args [][]byte) {
	sub := args[1]
	switch {
	case EqualFold(sub, "get") && len(args) >= 3:
		configGet(c, args[2:])
	case EqualFold(sub, "set") && len(args) >= 4:
		configSet(c, args[2:])
	case EqualFold(sub, "resetstat") && len(args) == 2:
		c.E.ResetStats()
		c.OK()
	case EqualFold(sub, "rewrite") && len(args) == 2:
		configRewrite(c)
	case EqualFold(sub, "help") && len(args) == 2:
		c.W.ArrayLen(len(configHelp))
		for _, l := range configHelp {
			c.W.SimpleString(l)
		}
	case EqualFold(sub, "get"), EqualFold(sub, "set"), EqualFold(sub, "resetstat"),
		EqualFold(sub, "rewrite"), EqualFold(sub, "help"):
		c.W.Error(WrongArity("config|" + strings.ToLower(string(sub))))
	default:
		c.W.Error("ERR unknown subcommand '" + truncArg(sub) + "'. Try CONFIG HELP.")
	}
}

type configPair struct {
	name string // as asked for
	s    *Setting
}

// configGet replies the settings matching the patterns, as a map (RESP2:
// a flat array). A pattern without glob characters is looked up by name
// and replied under the name as given; a glob pattern matches the names
// and aliases case-insensitively. Each name appears once (compared
// case-insensitively; an alias is another name). Redis replies in its
// hash table's order, kevy in the order found.
func configGet(c *Ctx, patterns [][]byte) {
	var out []configPair
	seen := map[string]bool{}
	view := c.E.settingView(c.S)
	for _, p := range patterns {
		pat := string(p)
		if !strings.ContainsAny(pat, "[*?") {
			lower := strings.ToLower(pat)
			if s := view.byName[lower]; s != nil && !seen[lower] {
				seen[lower] = true
				out = append(out, configPair{pat, s})
			}
			continue
		}
		for _, n := range view.names {
			if !seen[n] && glob.Match(pat, n, true) {
				seen[n] = true
				out = append(out, configPair{n, view.byName[n]})
			}
		}
	}
	c.E.KS.LockAll()
	vals := make([]string, len(out))
	for i, p := range out {
		vals[i] = p.s.Get(c.E)
	}
	c.E.KS.UnlockAll()
	c.W.MapLen(len(out))
	for i, p := range out {
		c.W.BulkString(p.name)
		c.W.BulkString(vals[i])
	}
}

// configSet applies name/value pairs all or nothing, as Redis 7.0 does:
// unknown names and duplicates are refused before anything changes, and
// when a value is refused the values already applied are restored.
func configSet(c *Ctx, args [][]byte) {
	if len(args)%2 != 0 {
		c.W.Error(WireSyntax)
		return
	}
	n := len(args) / 2
	list := make([]*Setting, n)
	unknown, dup := "", ""
	view := c.E.settingView(c.S)
	for i := range n {
		name := string(args[2*i])
		s := view.byName[strings.ToLower(name)]
		if s != nil {
			// Redis 7.0 tells duplicates by name: a setting and its alias
			// may both be set, the last one winning.
			for j := range i {
				if strings.EqualFold(string(args[2*j]), name) && dup == "" && unknown == "" {
					dup = name
				}
			}
		}
		switch {
		case s == nil:
			if unknown == "" {
				unknown = name
			}
			continue
		case unknown != "":
			continue
		case s.Protected:
			c.W.Error(configSetErr(name, "can't set protected config"))
			return
		case s.Set == nil:
			c.W.Error(configSetErr(name, "can't set immutable config"))
			return
		}
		list[i] = s
	}
	switch {
	case unknown != "":
		c.W.Error("ERR Unknown option or number of arguments for CONFIG SET - '" + sanitize(unknown) + "'")
		return
	case dup != "":
		c.W.Error(configSetErr(dup, "duplicate parameter"))
		return
	}
	c.E.KS.LockAll()
	old := make([]string, n)
	for i, s := range list {
		old[i] = s.Get(c.E)
	}
	restore := func(upTo int) {
		for j := upTo; j >= 0; j-- {
			list[j].Set(c.E, old[j])
		}
	}
	for i, s := range list {
		if errText := s.Set(c.E, string(args[2*i+1])); errText != "" {
			restore(i - 1)
			c.E.KS.UnlockAll()
			c.W.Error(configSetErr(string(args[2*i]), errText))
			return
		}
	}
	for i, s := range list {
		if s.Apply == nil {
			continue
		}
		if errText := s.Apply(c.E); errText != "" {
			restore(n - 1)
			for _, s := range list[:i+1] {
				if s.Apply != nil {
					s.Apply(c.E) // best effort, as Redis's restore
				}
			}
			c.E.KS.UnlockAll()
			c.W.Error(configSetErr(string(args[2*i]), errText))
			return
		}
	}
	c.E.KS.UnlockAll()
	for i, s := range list {
		if s.After != nil && slices.Index(list, s) == i { // once per setting
			s.After(c.E)
		}
	}
	c.OK()
}

// ConfigParam is a setting as CONFIG REWRITE hands it to the function
// that writes the configuration file.
type ConfigParam struct {
	// Name is the setting's name; Aliases are the other names a file may
	// use for it (their lines are rewritten under Name, as Redis does).
	Name    string
	Aliases []string
	// Value is the current value, as CONFIG GET shows it.
	Value string
	// Line is the directive as Redis's CONFIG REWRITE writes it: the name,
	// a space and the value, quoted or with a unit as its kind requires
	// ("maxmemory 1gb", "notify-keyspace-events \"AKE\"").
	Line string
}

// SetConfigRewriter installs f as the implementation of CONFIG REWRITE:
// it is called, with no lock held, with every setting's current value,
// and writes them to the configuration file the program was started
// with. The engine knows nothing of files: without a rewriter (nil, the
// default) CONFIG REWRITE replies Redis's "ERR The server is running
// without a config file". An error f returns is replied as "ERR
// Rewriting config file: " followed by its text.
func (e *Engine) SetConfigRewriter(f func(params []ConfigParam) error) {
	if f == nil {
		e.rewrite.Store(nil)
		return
	}
	e.rewrite.Store(&f)
}

// ConfigParams returns every setting CONFIG sees from session s (nil:
// kevy's and the engine's; a session of a server adds the server's), one
// entry per setting, aliases listed with it, sorted by name, with its
// current value.
func (e *Engine) ConfigParams(s *Session) []ConfigParam {
	view := e.settingView(s)
	var list []*Setting
	for _, n := range view.names {
		if s := view.byName[n]; s.Name == n && s.Rewrite != RewriteNever {
			list = append(list, s)
		}
	}
	out := make([]ConfigParam, len(list))
	e.KS.LockAll()
	for i, s := range list {
		out[i] = ConfigParam{Name: s.Name, Aliases: s.Aliases, Value: s.Get(e)}
	}
	e.KS.UnlockAll()
	for i, s := range list {
		out[i].Line = s.Name + " " + rewriteValue(s.Rewrite, out[i].Value)
	}
	return out
}

// configRewrite implements CONFIG REWRITE.
func configRewrite(c *Ctx) {
	f := c.E.rewrite.Load()
	if f == nil {
		c.W.Error("ERR The server is running without a config file")
		return
	}
	if err := (*f)(c.E.ConfigParams(c.S)); err != nil {
		c.W.Error("ERR Rewriting config file: " + sanitize(err.Error()))
		return
	}
	c.OK()
}

// rewriteValue formats v as CONFIG REWRITE writes a value of kind k.
func rewriteValue(k RewriteKind, v string) string {
	switch k {
	case RewriteMemory:
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n == 0 {
			return v
		}
		for _, u := range []struct {
			unit string
			mul  uint64
		}{{"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}} {
			if n%u.mul == 0 {
				return strconv.FormatUint(n/u.mul, 10) + u.unit
			}
		}
		return v
	case RewriteQuoted:
		return string(AppendRepr(nil, []byte(v)))
	}
	return v
}

// AppendRepr appends s to dst in double quotes, the way Redis quotes a
// string for humans and for its configuration file (sdscatrepr): \\,
// \", \n, \r, \t, \a and \b escaped, other bytes outside printable
// ASCII as \xHH with lower-case hex digits.
func AppendRepr(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, ch := range s {
		switch ch {
		case '\\', '"':
			dst = append(dst, '\\', ch)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if ch < ' ' || ch > '~' {
				dst = append(dst, '\\', 'x', hex[ch>>4], hex[ch&15])
			} else {
				dst = append(dst, ch)
			}
		}
	}
	return append(dst, '"')
}

// configSetErr is Redis's CONFIG SET failure text.
func configSetErr(name, why string) string {
	return "ERR CONFIG SET failed (possibly related to argument '" + sanitize(name) + "') - " + why
}

// ----------------------------------------------------------- value kinds

// IntSetting is a setting holding a plain integer in [lo, hi], parsed
// like Redis's numeric configs (string2ll), stored by get/set.
func IntSetting(name string, aliases []string, lo, hi int64, get func(e *Engine) int64, set func(e *Engine, v int64)) *Setting {
	return &Setting{Name: name, Aliases: aliases,
		Get: func(e *Engine) string { return strconv.FormatInt(get(e), 10) },
		Set: func(e *Engine, v string) string {
			n, ok := ParseInt([]byte(v))
			if !ok {
				return "argument couldn't be parsed into an integer"
			}
			if n < lo || n > hi {
				return "argument must be between " + strconv.FormatInt(lo, 10) + " and " + strconv.FormatInt(hi, 10) + " inclusive"
			}
			set(e, n)
			return ""
		}}
}

// MemorySetting is a setting holding a byte count in [0, hi], given as
// digits with an optional unit (b, k, kb, m, mb, g, gb; case-insensitive),
// as Redis's memory configs are.
func MemorySetting(name string, aliases []string, hi uint64, get func(e *Engine) uint64, set func(e *Engine, v uint64)) *Setting {
	return &Setting{Name: name, Aliases: aliases, Rewrite: RewriteMemory,
		Get: func(e *Engine) string { return strconv.FormatUint(get(e), 10) },
		Set: func(e *Engine, v string) string {
			n, ok := ParseMemory(v)
			if !ok {
				return "argument must be a memory value"
			}
			if n > hi {
				return "argument must be between 0 and " + strconv.FormatUint(hi, 10) + " inclusive"
			}
			set(e, n)
			return ""
		}}
}

// ParseMemory parses a memory amount the way Redis's memtoull does:
// decimal digits (possibly none, meaning 0) followed by an optional unit:
// b, k (1000), kb (1024), m, mb, g or gb, case-insensitively. The digits
// saturate at the largest uint64, as strtoull does, and the product with
// the unit wraps around as Redis's does (CONFIG SET maxmemory
// 99999999999999999999gb gives 18446744072635809792 there too).
func ParseMemory(s string) (uint64, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul uint64
	switch strings.ToLower(s[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i >= 128 {
		return 0, false
	}
	var v uint64
	for _, ch := range []byte(s[:i]) {
		d := uint64(ch - '0')
		if v > (math.MaxUint64-d)/10 {
			v = math.MaxUint64 // strtoull saturates on overflow
			break
		}
		v = v*10 + d
	}
	return v * mul, true
}

// ------------------------------------------------------ built-in settings

// Redis's maxmemory-policy values, in the order its error lists them.
var maxmemoryPolicies = []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
	"allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}

func builtinSettings() []*Setting {
	limit := func(get func(e *Engine) *int) (func(e *Engine) int64, func(e *Engine, v int64)) {
		return func(e *Engine) int64 { return int64(*get(e)) },
			func(e *Engine, v int64) { *get(e) = int(v) }
	}
	memLimit := func(get func(e *Engine) *int) (func(e *Engine) uint64, func(e *Engine, v uint64)) {
		return func(e *Engine) uint64 { return uint64(*get(e)) },
			func(e *Engine, v uint64) { *get(e) = int(v) }
	}
	hashEntriesGet, hashEntriesSet := limit(func(e *Engine) *int { return &e.Limits.HashMaxListpackEntries })
	hashValueGet, hashValueSet := memLimit(func(e *Engine) *int { return &e.Limits.HashMaxListpackValue })
	intsetGet, intsetSet := limit(func(e *Engine) *int { return &e.Limits.SetMaxIntsetEntries })
	zsetEntriesGet, zsetEntriesSet := limit(func(e *Engine) *int { return &e.Limits.ZSetMaxListpackEntries })
	zsetValueGet, zsetValueSet := memLimit(func(e *Engine) *int { return &e.Limits.ZSetMaxListpackValue })
	listGet, listSet := limit(func(e *Engine) *int { return &e.Limits.ListMaxListpackSize })
	return []*Setting{
		{Name: "notify-keyspace-events", Rewrite: RewriteQuoted,
			Get: func(e *Engine) string { return e.NotifyFlags().String() },
			Set: func(e *Engine, v string) string {
				f, ok := ParseNotifyFlags(v)
				if !ok {
					return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
				}
				e.SetNotifyFlags(f)
				return ""
			}},
		IntSetting("hash-max-listpack-entries", []string{"hash-max-ziplist-entries"}, 0, math.MaxInt64, hashEntriesGet, hashEntriesSet),
		MemorySetting("hash-max-listpack-value", []string{"hash-max-ziplist-value"}, math.MaxInt64, hashValueGet, hashValueSet),
		IntSetting("set-max-intset-entries", nil, 0, math.MaxInt64, intsetGet, intsetSet),
		IntSetting("zset-max-listpack-entries", []string{"zset-max-ziplist-entries"}, 0, math.MaxInt64, zsetEntriesGet, zsetEntriesSet),
		MemorySetting("zset-max-listpack-value", []string{"zset-max-ziplist-value"}, math.MaxInt64, zsetValueGet, zsetValueSet),
		IntSetting("list-max-listpack-size", []string{"list-max-ziplist-size"}, math.MinInt32, math.MaxInt32, listGet, listSet),
	}
}

// memorySettings are the maxmemory family: the limit, the eviction
// policy and its tuning, applied to the keyspace at once (CONFIG SET
// holds every shard lock). Lowering maxmemory under the memory in use
// evicts at once, as Redis does after CONFIG SET maxmemory; the writes
// that follow evict too, or fail with OOM under noeviction.
func memorySettings() []*Setting {
	maxmem := MemorySetting("maxmemory", nil, math.MaxUint64,
		func(e *Engine) uint64 { return e.KS.MaxMemoryConfig() },
		func(e *Engine, v uint64) { e.KS.SetMaxMemory(v) })
	maxmem.After = func(e *Engine) { e.DenyOOM() }
	intSetting := func(name string, lo, hi int64, get func(ks *keyspace.Keyspace) int, set func(ks *keyspace.Keyspace, v int)) *Setting {
		return IntSetting(name, nil, lo, hi,
			func(e *Engine) int64 { return int64(get(e.KS)) },
			func(e *Engine, v int64) { set(e.KS, int(v)) })
	}
	return []*Setting{
		maxmem,
		{Name: "maxmemory-policy",
			Get: func(e *Engine) string { return e.KS.Policy().String() },
			Set: func(e *Engine, v string) string {
				p, errText := ParseMaxmemoryPolicy(v)
				if errText == "" {
					e.KS.SetPolicy(p)
				}
				return errText
			}},
		intSetting("maxmemory-samples", 1, math.MaxInt32, (*keyspace.Keyspace).Samples, (*keyspace.Keyspace).SetSamples),
		intSetting("maxmemory-eviction-tenacity", 0, 100, (*keyspace.Keyspace).EvictionTenacity, (*keyspace.Keyspace).SetEvictionTenacity),
		intSetting("lfu-log-factor", 0, math.MaxInt32, (*keyspace.Keyspace).LFULogFactor, (*keyspace.Keyspace).SetLFULogFactor),
		intSetting("lfu-decay-time", 0, math.MaxInt32, (*keyspace.Keyspace).LFUDecayTime, (*keyspace.Keyspace).SetLFUDecayTime),
	}
}

// SetMaxMemory changes the memory limit (0 = none) and the eviction
// policy together, atomically for the commands (every shard lock is
// held), then evicts down to the new limit as CONFIG SET maxmemory does.
func (e *Engine) SetMaxMemory(n uint64, p keyspace.Policy) {
	e.KS.LockAll()
	e.KS.SetMaxMemory(n)
	e.KS.SetPolicy(p)
	e.KS.UnlockAll()
	e.DenyOOM()
}

// ParseMaxmemoryPolicy parses a maxmemory-policy value like CONFIG SET
// does, returning the error text for an unknown one.
func ParseMaxmemoryPolicy(v string) (keyspace.Policy, string) {
	p, ok := keyspace.ParsePolicy(v)
	if !ok {
		return 0, "argument(s) must be one of the following: " + strings.Join(maxmemoryPolicies, ", ")
	}
	return p, ""
}

// persistSettings are appendonly and save, which clients such as
// redis-benchmark read. appendonly reports whether writes go to the
// append-only file (Engine.Prop); it is chosen when the database opens,
// so CONFIG SET accepts only the current value. kevy has no automatic
// save points (it saves on SAVE, BGSAVE and shutdown): save is always
// "", and CONFIG SET refuses save points, with Redis's error for
// malformed ones.
func persistSettings() []*Setting {
	return []*Setting{
		{Name: "appendonly", Rewrite: RewriteNever,
			Get: func(e *Engine) string {
				if e.Prop != nil {
					return "yes"
				}
				return "no"
			},
			Set: func(e *Engine, v string) string {
				var on bool
				switch {
				case strings.EqualFold(v, "yes"):
					on = true
				case strings.EqualFold(v, "no"):
				default:
					return "argument must be 'yes' or 'no'"
				}
				if on != (e.Prop != nil) {
					return "kevy can't switch the append-only file at runtime (set it when the database opens)"
				}
				return ""
			}},
		{Name: "save", Rewrite: RewriteNever,
			Get: func(*Engine) string { return "" },
			Set: func(_ *Engine, v string) string {
				if v == "" {
					return ""
				}
				f := strings.Fields(v)
				if len(f) == 0 || len(f)%2 != 0 {
					return "Invalid save parameters"
				}
				for i, a := range f {
					n, err := strconv.ParseInt(a, 10, 64)
					if err != nil || (i%2 == 0 && n < 1) || n < 0 {
						return "Invalid save parameters"
					}
				}
				return "kevy has no automatic save points (only \"\" is accepted; it saves on SAVE, BGSAVE and shutdown)"
			}},
	}
}
