package command

import (
	"sort"
	"strings"
	"sync/atomic"
)

// Flags describe a command, as Redis's command table does.
type Flags uint32

// Command flags. The names follow Redis's COMMAND INFO flags.
const (
	FlagWrite     Flags = 1 << iota // may modify the dataset
	FlagReadOnly                    // only reads
	FlagDenyOOM                     // may grow memory: refused over maxmemory
	FlagFast                        // O(1) or O(log n)
	FlagAdmin                       // administrative
	FlagPubSub                      // pub/sub related
	FlagNoScript                    // not allowed in scripts
	FlagBlocking                    // may block the client
	FlagLoading                     // allowed while loading
	FlagStale                       // allowed on a stale replica
	FlagNoMulti                     // not allowed inside MULTI
	FlagAllowBusy                   // allowed while a script runs
	// FlagAllShards: the executor locks every shard (commands that read or
	// write the whole keyspace atomically: FLUSHDB, SWAPDB, KEYS, RANDOMKEY).
	FlagAllShards
	// FlagSelfLock: the handler does its own locking (SCAN, DBSIZE: commands
	// that walk shards one at a time, and connection commands).
	FlagSelfLock
)

// Handler runs a command. args[0] is the command name as sent. The shard
// locks covering the command's keys are held (unless FlagSelfLock).
type Handler func(c *Ctx, args [][]byte)

// KeysFunc returns the indexes of the key arguments of a command whose key
// positions depend on its arguments (numkeys). ok is false when the
// arguments are malformed; the handler then runs without locks and must
// reject them before touching data.
type KeysFunc func(args [][]byte) (idx []int, ok bool)

// Command is one entry of the command table.
type Command struct {
	Name string // lower case
	// Arity is Redis's: N means exactly N arguments including the name,
	// -N means at least N.
	Arity    int
	Flags    Flags
	FirstKey int // index of the first key argument, 0 if none
	LastKey  int // index of the last key; negative counts from the end
	Step     int // distance between keys
	Keys     KeysFunc
	Run      Handler
	// ACL categories without the '@' (string, keyspace, read, write...).
	Categories []string
	// Subcommands, for container commands (OBJECT, CONFIG ...), as
	// "object|encoding" names with their arity, for COMMAND.
	Subcommands []*Command
}

var table = map[string]*Command{}

// Register adds commands to the table. It is called from init functions,
// one per command family file; a duplicate name is a programming error.
func Register(cmds ...*Command) {
	for _, c := range cmds {
		if _, dup := table[c.Name]; dup {
			panic("command: duplicate registration of " + c.Name)
		}
		if c.Name != strings.ToLower(c.Name) {
			panic("command: name must be lower case: " + c.Name)
		}
		table[c.Name] = c
	}
	fastIndex.Store(nil) // rebuilt on the next lookup
}

// Lookup finds a command by name, case-insensitively, without allocating.
// Every command runs through it (the server's dispatch, Do, EXEC's
// queue): a small hash index over the table answers with a case-folding
// comparison, where the map needed a lower-case copy and a string hash.
func Lookup(name []byte) *Command {
	idx := fastIndex.Load()
	if idx == nil {
		idx = buildFastIndex()
	}
	for _, c := range idx[nameHash(name)&(fastBuckets-1)] {
		if EqualFold(name, c.Name) {
			return c
		}
	}
	return nil
}

// fastBuckets is the number of buckets of the lookup index (a power of
// two, about twice the number of commands).
const fastBuckets = 512

// fastIndex is the lookup index: each bucket lists the commands whose
// names hash to it. It is built from the table on first use and dropped by
// Register.
var fastIndex atomic.Pointer[[fastBuckets][]*Command]

// buildFastIndex builds the lookup index from the table.
func buildFastIndex() *[fastBuckets][]*Command {
	idx := new([fastBuckets][]*Command)
	for _, c := range table {
		h := nameHash([]byte(c.Name)) & (fastBuckets - 1)
		idx[h] = append(idx[h], c)
	}
	fastIndex.Store(idx)
	return idx
}

// nameHash hashes a command name, ASCII case folded: its length and its
// first, second and last bytes.
func nameHash(name []byte) uint32 {
	n := len(name)
	if n == 0 {
		return 0
	}
	h := uint32(n) * 0x9e3779b1
	h ^= uint32(name[0]|0x20) * 0x85ebca6b
	h ^= uint32(name[n-1]|0x20) * 0xc2b2ae35
	if n > 2 {
		h ^= uint32(name[1]|0x20) * 0x27d4eb2f
	}
	return h ^ h>>15
}

// All returns every registered command sorted by name.
func All() []*Command {
	out := make([]*Command, 0, len(table))
	for _, c := range table {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// KeyIndexes appends the indexes of args that are keys to dst.
func (cmd *Command) KeyIndexes(args [][]byte, dst []int) ([]int, bool) {
	if cmd.Keys != nil {
		idx, ok := cmd.Keys(args)
		return append(dst, idx...), ok
	}
	if cmd.FirstKey <= 0 || cmd.FirstKey >= len(args) {
		return dst, true
	}
	last := cmd.LastKey
	if last < 0 {
		last += len(args)
	}
	last = min(last, len(args)-1)
	step := max(cmd.Step, 1)
	for i := cmd.FirstKey; i <= last; i += step {
		dst = append(dst, i)
	}
	return dst, true
}

// checkArity reports whether n arguments (including the name) fit.
func (cmd *Command) checkArity(n int) bool {
	if cmd.Arity >= 0 {
		return n == cmd.Arity
	}
	return n >= -cmd.Arity
}
