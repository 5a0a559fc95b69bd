package server

import (
	"slices"
	"strings"
	"sync"

	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/glob"
	"github.com/kevydb/kevy/internal/resp"
)

// cmdTable is the command table as COMMAND shows it: the engine's
// commands and the server's connection commands.
type cmdTable struct {
	all  []*command.Command // top-level commands sorted by name
	tips map[*command.Command][]string
	docs map[string]docInfo
}

// docInfo is what COMMAND DOCS knows about a command.
type docInfo struct {
	since, group string
}

// commandTable builds the table once, after every init has registered
// its commands.
var commandTable = sync.OnceValue(func() *cmdTable {
	t := &cmdTable{tips: map[*command.Command][]string{}, docs: map[string]docInfo{}}
	for _, cmd := range command.All() {
		if lookupConnCmd([]byte(cmd.Name)) == nil {
			t.all = append(t.all, cmd)
		}
	}
	var addTips func(cc *connCmd)
	addTips = func(cc *connCmd) {
		if len(cc.tips) > 0 {
			t.tips[cc.info] = cc.tips
		}
		for _, s := range cc.subs {
			addTips(s)
		}
	}
	for _, cc := range connCmds {
		t.all = append(t.all, cc.info)
		addTips(cc)
	}
	slices.SortFunc(t.all, func(a, b *command.Command) int { return strings.Compare(a.Name, b.Name) })
	for line := range strings.SplitSeq(strings.TrimSpace(redisDocs), "\n") {
		if f := strings.Fields(line); len(f) == 3 {
			t.docs[f[0]] = docInfo{since: f[1], group: f[2]}
		}
	}
	return t
})

// lookupAny finds a command or a "container|subcommand" by name,
// case-insensitively, preferring the server's connection commands.
func lookupAny(name []byte) *command.Command {
	top, sub, hasSub := strings.Cut(string(name), "|")
	var cmd *command.Command
	if cc := lookupConnCmd([]byte(top)); cc != nil {
		cmd = cc.info
	} else if cmd = command.Lookup([]byte(top)); cmd == nil {
		return nil
	}
	if !hasSub {
		return cmd
	}
	return findSubcommand(cmd, []byte(sub))
}

// command implements COMMAND: without arguments the whole table, else
// a subcommand.
func (c *conn) command(args [][]byte) bool {
	if len(args) == 1 {
		all := commandTable().all
		c.out.ArrayLen(len(all))
		for _, cmd := range all {
			writeCommandInfo(c.out, cmd)
		}
		return true
	}
	return c.runSub(commandCmd, args)
}

// commandCount implements COMMAND COUNT.
func (c *conn) commandCount(_ [][]byte) { c.out.Int(int64(len(commandTable().all))) }

// commandInfo implements COMMAND INFO [name ...]: a null for each unknown
// name.
func (c *conn) commandInfo(args [][]byte) {
	if len(args) == 2 {
		c.command(args[:1])
		return
	}
	c.out.ArrayLen(len(args) - 2)
	for _, name := range args[2:] {
		if cmd := lookupAny(name); cmd != nil {
			writeCommandInfo(c.out, cmd)
		} else {
			c.out.Null()
		}
	}
}

// commandList implements COMMAND LIST [FILTERBY MODULE name | ACLCAT
// category | PATTERN pattern]. Subcommands are listed as
// "container|subcommand", as in Redis.
func (c *conn) commandList(args [][]byte) {
	keep := func(*command.Command) bool { return true }
	switch {
	case len(args) == 2:
	case len(args) == 5 && command.EqualFold(args[2], "filterby"):
		val := string(args[4])
		switch {
		case command.EqualFold(args[3], "module"):
			keep = func(*command.Command) bool { return false }
		case command.EqualFold(args[3], "aclcat"):
			keep = func(cmd *command.Command) bool {
				for _, cat := range aclCategories(cmd) {
					if strings.EqualFold(cat, val) {
						return true
					}
				}
				return false
			}
		case command.EqualFold(args[3], "pattern"):
			keep = func(cmd *command.Command) bool { return glob.Match(val, cmd.Name, true) }
		default:
			c.out.Error(command.WireSyntax)
			return
		}
	default:
		c.out.Error(command.WireSyntax)
		return
	}
	var names []string
	for _, cmd := range commandTable().all {
		if keep(cmd) {
			names = append(names, cmd.Name)
		}
		for _, s := range cmd.Subcommands {
			if keep(s) {
				names = append(names, s.Name)
			}
		}
	}
	c.out.ArrayLen(len(names))
	for _, n := range names {
		c.out.BulkString(n)
	}
}

// commandDocs implements COMMAND DOCS [name ...]: a map from each known
// name to its documentation (since, group, and subcommands for
// containers). Unknown names are left out, as in Redis.
func (c *conn) commandDocs(args [][]byte) {
	var cmds []*command.Command
	if len(args) == 2 {
		cmds = commandTable().all
	} else {
		for _, name := range args[2:] {
			if cmd := lookupAny(name); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.out.MapLen(len(cmds))
	for _, cmd := range cmds {
		c.out.BulkString(cmd.Name)
		writeCommandDocs(c.out, cmd)
	}
}

func writeCommandDocs(w *resp.Writer, cmd *command.Command) {
	d, ok := commandTable().docs[cmd.Name]
	if !ok {
		d.group = groupOf(cmd)
	}
	n := 1
	if d.since != "" {
		n++
	}
	if len(cmd.Subcommands) > 0 {
		n++
	}
	w.MapLen(n)
	if d.since != "" {
		w.BulkString("since")
		w.BulkString(d.since)
	}
	w.BulkString("group")
	w.BulkString(d.group)
	if len(cmd.Subcommands) > 0 {
		w.BulkString("subcommands")
		w.MapLen(len(cmd.Subcommands))
		for _, s := range cmd.Subcommands {
			w.BulkString(s.Name)
			writeCommandDocs(w, s)
		}
	}
}

// groupOf guesses the documentation group of a command Redis does not
// have, from its ACL categories.
func groupOf(cmd *command.Command) string {
	for _, cat := range cmd.Categories {
		switch cat {
		case "string", "list", "set", "hash", "pubsub", "connection", "bitmap",
			"hyperloglog", "geo", "stream", "scripting":
			return cat
		case "sortedset":
			return "sorted-set"
		case "transaction":
			return "transactions"
		case "keyspace":
			return "generic"
		}
	}
	return "server"
}

// getKeys resolves the command of COMMAND GETKEYS[ANDFLAGS] and its key
// positions, or replies the error.
func (c *conn) getKeys(args [][]byte) (*command.Command, []int, bool) {
	full := args[2:]
	cmd := lookupAny(full[0])
	if cmd != nil && len(cmd.Subcommands) > 0 && len(full) >= 2 {
		if s := findSubcommand(cmd, full[1]); s != nil {
			cmd = s
		}
	}
	switch {
	case cmd == nil:
		c.out.Error("ERR Invalid command specified")
		return nil, nil, false
	case !arityOK(cmd.Arity, len(full)):
		c.out.Error("ERR Invalid number of arguments specified for command")
		return nil, nil, false
	case cmd.FirstKey <= 0 && cmd.Keys == nil:
		c.out.Error("ERR The command has no key arguments")
		return nil, nil, false
	}
	idx, ok := cmd.KeyIndexes(full, nil)
	if !ok {
		c.out.Error("ERR Invalid arguments specified for command")
		return nil, nil, false
	}
	return cmd, idx, true
}

// commandGetKeys implements COMMAND GETKEYS command [arg ...].
func (c *conn) commandGetKeys(args [][]byte) {
	_, idx, ok := c.getKeys(args)
	if !ok {
		return
	}
	c.out.ArrayLen(len(idx))
	for _, i := range idx {
		c.out.Bulk(args[2+i])
	}
}

// commandGetKeysAndFlags implements COMMAND GETKEYSANDFLAGS command [arg
// ...]. The flags are derived from the command's flags (kevy's table has
// no per-key specs): RO access for reads, RW update for writes.
func (c *conn) commandGetKeysAndFlags(args [][]byte) {
	cmd, idx, ok := c.getKeys(args)
	if !ok {
		return
	}
	flags := keySpecFlags(cmd)
	c.out.ArrayLen(len(idx))
	for _, i := range idx {
		c.out.ArrayLen(2)
		c.out.Bulk(args[2+i])
		c.out.SetLen(len(flags))
		for _, f := range flags {
			c.out.SimpleString(f)
		}
	}
}

var commandHelpText = []string{
	"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"(no subcommand)",
	"    Return details about all Redis commands.",
	"COUNT",
	"    Return the total number of commands in this Redis server.",
	"LIST",
	"    Return a list of all commands in this Redis server.",
	"INFO [<command-name> ...]",
	"    Return details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"DOCS [<command-name> ...]",
	"    Return documentation details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"GETKEYS <full-command>",
	"    Return the keys from a full Redis command.",
	"GETKEYSANDFLAGS <full-command>",
	"    Return the keys and the access flags from a full Redis command.",
	"HELP",
	"    Prints this help.",
}

func (c *conn) commandHelp(_ [][]byte) {
	c.out.ArrayLen(len(commandHelpText))
	for _, l := range commandHelpText {
		c.out.SimpleString(l)
	}
}

// flagNames maps command flags to Redis's names, in the order Redis lists
// them.
var flagNames = []struct {
	f    command.Flags
	name string
}{
	{command.FlagWrite, "write"},
	{command.FlagReadOnly, "readonly"},
	{command.FlagDenyOOM, "denyoom"},
	{command.FlagAdmin, "admin"},
	{command.FlagPubSub, "pubsub"},
	{command.FlagNoScript, "noscript"},
	{command.FlagBlocking, "blocking"},
	{command.FlagLoading, "loading"},
	{command.FlagStale, "stale"},
	{command.FlagFast, "fast"},
	{0, "no_auth"}, // connection commands, see commandFlags
	{command.FlagNoMulti, "no_multi"},
	{0, "movablekeys"}, // commands with a Keys function
	{command.FlagAllowBusy, "allow_busy"},
}

// commandFlags returns cmd's flags as COMMAND shows them.
func commandFlags(cmd *command.Command) []string {
	var out []string
	for _, fn := range flagNames {
		switch fn.name {
		case "no_auth":
			if cc := lookupConnCmd([]byte(cmd.Name)); cc != nil && cc.info == cmd && cc.noAuth {
				out = append(out, fn.name)
			}
		case "movablekeys":
			if cmd.Keys != nil {
				out = append(out, fn.name)
			}
		default:
			if cmd.Flags&fn.f != 0 {
				out = append(out, fn.name)
			}
		}
	}
	return out
}

// aclCategoryOrder is the order in which Redis lists ACL categories.
var aclCategoryOrder = []string{
	"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow",
	"blocking", "dangerous", "connection", "transaction", "scripting",
}

// aclCategories returns cmd's ACL categories (without '@') in Redis's
// order: the declared ones plus those Redis implies from the flags.
func aclCategories(cmd *command.Command) []string {
	has := map[string]bool{}
	for _, cat := range cmd.Categories {
		has[cat] = true
	}
	f := cmd.Flags
	if f&command.FlagWrite != 0 {
		has["write"] = true
	}
	if f&command.FlagReadOnly != 0 && !has["scripting"] {
		has["read"] = true
	}
	if f&command.FlagAdmin != 0 {
		has["admin"], has["dangerous"] = true, true
	}
	if f&command.FlagPubSub != 0 {
		has["pubsub"] = true
	}
	if f&command.FlagBlocking != 0 {
		has["blocking"] = true
	}
	if f&command.FlagFast != 0 {
		has["fast"] = true
	} else if !has["fast"] {
		has["slow"] = true
	}
	out := make([]string, 0, len(has))
	for _, cat := range aclCategoryOrder {
		if has[cat] {
			out = append(out, cat)
			delete(has, cat)
		}
	}
	// Categories Redis does not know, in a stable order.
	rest := make([]string, 0, len(has))
	for cat := range has {
		rest = append(rest, cat)
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// keySpecFlags are the access flags of cmd's keys.
func keySpecFlags(cmd *command.Command) []string {
	switch {
	case cmd.Flags&command.FlagPubSub != 0:
		return []string{"not_key"} // shard channels (SPUBLISH, SSUBSCRIBE)
	case cmd.Flags&command.FlagWrite != 0:
		return []string{"RW", "update"}
	case cmd.Flags&command.FlagReadOnly != 0:
		return []string{"RO", "access"}
	}
	return []string{"RO"}
}

// writeCommandInfo writes one command's COMMAND entry in Redis 7.0's
// shape: name, arity, flags, first key, last key, step, ACL categories,
// tips, key specifications and subcommands.
func writeCommandInfo(w *resp.Writer, cmd *command.Command) {
	w.ArrayLen(10)
	w.BulkString(cmd.Name)
	w.Int(int64(cmd.Arity))
	flags := commandFlags(cmd)
	w.SetLen(len(flags))
	for _, f := range flags {
		w.SimpleString(f)
	}
	first, last, step := 0, 0, 0
	if cmd.FirstKey > 0 {
		first, last, step = cmd.FirstKey, cmd.LastKey, max(cmd.Step, 1)
	}
	w.Int(int64(first))
	w.Int(int64(last))
	w.Int(int64(step))
	cats := aclCategories(cmd)
	w.SetLen(len(cats))
	for _, cat := range cats {
		w.SimpleString("@" + cat)
	}
	tips := commandTable().tips[cmd]
	w.SetLen(len(tips))
	for _, t := range tips {
		w.BulkString(t)
	}
	writeKeySpecs(w, cmd)
	w.SetLen(len(cmd.Subcommands))
	for _, s := range cmd.Subcommands {
		writeCommandInfo(w, s)
	}
}

// writeKeySpecs writes the key specifications of cmd: one "index/range"
// spec from its first/last/step, or an "unknown" one for commands whose
// key positions depend on their arguments.
func writeKeySpecs(w *resp.Writer, cmd *command.Command) {
	if cmd.FirstKey <= 0 && cmd.Keys == nil {
		w.ArrayLen(0)
		return
	}
	w.ArrayLen(1)
	w.MapLen(3)
	w.BulkString("flags")
	flags := keySpecFlags(cmd)
	w.SetLen(len(flags))
	for _, f := range flags {
		w.SimpleString(f)
	}
	w.BulkString("begin_search")
	w.MapLen(2)
	w.BulkString("type")
	if cmd.Keys != nil {
		w.BulkString("unknown")
		w.BulkString("spec")
		w.MapLen(0)
		w.BulkString("find_keys")
		w.MapLen(2)
		w.BulkString("type")
		w.BulkString("unknown")
		w.BulkString("spec")
		w.MapLen(0)
		return
	}
	w.BulkString("index")
	w.BulkString("spec")
	w.MapLen(1)
	w.BulkString("index")
	w.Int(int64(cmd.FirstKey))
	w.BulkString("find_keys")
	w.MapLen(2)
	w.BulkString("type")
	w.BulkString("range")
	w.BulkString("spec")
	w.MapLen(3)
	w.BulkString("lastkey")
	last := cmd.LastKey
	if last > 0 {
		last -= cmd.FirstKey
	}
	w.Int(int64(last))
	w.BulkString("keystep")
	w.Int(int64(max(cmd.Step, 1)))
	w.BulkString("limit")
	w.Int(0)
}
