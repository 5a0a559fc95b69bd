package server

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kevydb/kevy/internal/command"
	"github.com/kevydb/kevy/internal/glob"
	"github.com/kevydb/kevy/internal/pubsub"
)

// Access control lists, as in Redis 7.0: users with passwords, an on/off
// switch, the commands (by name, subcommand, first argument or category),
// key patterns (read, write or both) and pub/sub channel patterns they may
// use, plus selectors, alternative permission sets any one of which may
// allow a command.
//
// Each user's permissions are an immutable aclPerms value behind an atomic
// pointer: ACL SETUSER builds a new one and swaps it in, so the check made
// before every command reads a consistent snapshot without a lock. For a
// user allowed everything (the default user unless restricted) the check
// is one flag.

// Error texts of the ACL command, as Redis 7.0 sends them.
const (
	wireNoACLFile  = "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."
	wireBadGenpass = "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096"
	wireNoPermKey  = "NOPERM this user has no permissions to access one of the keys used as arguments"
	wireNoPermChan = "NOPERM this user has no permissions to access one of the channels used as arguments"
)

// Errors of ACL SETUSER rules; the text follows "Error in ACL SETUSER
// modifier '<rule>': ".
var (
	errACLSyntax      = errors.New("Syntax error")
	errACLUnknown     = errors.New("Unknown command or category name in ACL")
	errACLKeysAll     = errors.New("Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns")
	errACLChannelsAll = errors.New("Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels")
	errACLNoSuchPass  = errors.New("The password you are trying to remove from the user does not exist")
	errACLBadHash     = errors.New("The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters")
	errACLSubFirstArg = errors.New("Allowing first-arg of a subcommand is not supported")
)

// Key pattern permissions (%R~, %W~, ~ = both).
const (
	aclRead  uint8 = 1
	aclWrite uint8 = 2
	aclRW          = aclRead | aclWrite
)

// aclDenial is why a command is refused, ordered as Redis ranks them when
// several selectors refuse it (the highest is reported).
type aclDenial uint8

const (
	aclOK aclDenial = iota
	aclDeniedCmd
	aclDeniedKey
	aclDeniedAuth
	aclDeniedChannel
)

// Channel arguments of the pub/sub commands.
const (
	chanNone     uint8 = iota
	chanFirst          // PUBLISH, SPUBLISH: argument 1
	chanAll            // SUBSCRIBE, SSUBSCRIBE: every argument
	chanPatterns       // PSUBSCRIBE: every argument, matched literally
)

// ACL LOG limits, Redis's acllog-max-len and the window within which
// identical denials are counted in one entry.
const (
	aclLogMaxLen  = 128
	aclLogGroupMs = 60000
)

// ------------------------------------------------------------ command index

// aclCmdInfo is what the ACL knows about one command or subcommand.
type aclCmdInfo struct {
	cmd      *command.Command
	parent   int32   // -1 for a top-level command
	subs     []int32 // subcommands of a container
	cats     uint32  // bit i: aclCategoryOrder[i]
	keys     bool    // has key arguments the ACL checks
	keyPerms []uint8 // permissions the first keys need; the last entry applies to the rest
	channels uint8   // chanNone, chanFirst...
}

// aclKeyPermOverrides gives, for the commands whose keys need other
// permissions than their read or write flag implies, what Redis 7.0's key
// specifications require: the first key's permission, then the others'
// (R read, W write, - none). SET needs R too with its GET option.
var aclKeyPermOverrides = map[string]string{
	// Keys read for metadata only need no permission.
	"exists": "-", "hexists": "-", "hlen": "-", "hstrlen": "-", "llen": "-", "memory|usage": "-",
	"object|encoding": "-", "object|freq": "-", "object|idletime": "-", "object|refcount": "-",
	"scard": "-", "sismember": "-", "strlen": "-", "touch": "-", "type": "-", "xlen": "-", "zcard": "-",
	// Read and written.
	"bitfield": "RW", "blmpop": "RW", "blpop": "RW", "brpop": "RW", "bzmpop": "RW", "bzpopmax": "RW",
	"bzpopmin": "RW", "decr": "RW", "decrby": "RW", "getdel": "RW", "getex": "RW", "getset": "RW",
	"hincrby": "RW", "hincrbyfloat": "RW", "incr": "RW", "incrby": "RW", "incrbyfloat": "RW",
	"lmpop": "RW", "lpop": "RW", "move": "RW", "rpop": "RW", "setbit": "RW", "spop": "RW",
	"zincrby": "RW", "zmpop": "RW", "zpopmax": "RW", "zpopmin": "RW",
	// A source and a destination.
	"copy": "R,W", "georadius": "R,W", "georadiusbymember": "R,W", "sort": "R,W",
	"blmove": "RW,W", "brpoplpush": "RW,W", "lmove": "RW,W", "rename": "RW,W", "renamenx": "RW,W",
	"rpoplpush": "RW,W", "smove": "RW,W",
	"bitop": "W,R", "geosearchstore": "W,R", "sdiffstore": "W,R", "sinterstore": "W,R",
	"sunionstore": "W,R", "zdiffstore": "W,R", "zinterstore": "W,R", "zrangestore": "W,R",
	"zunionstore": "W,R", "pfmerge": "RW,R", "pfdebug": "R",
}

// parseKeyPerms parses an aclKeyPermOverrides value.
func parseKeyPerms(spec string) []uint8 {
	var out []uint8
	for p := range strings.SplitSeq(spec, ",") {
		var perm uint8
		if strings.Contains(p, "R") {
			perm |= aclRead
		}
		if strings.Contains(p, "W") {
			perm |= aclWrite
		}
		out = append(out, perm)
	}
	return out
}

// aclIndex numbers the commands and subcommands of the command table, in
// COMMAND's order, for the permission bitmaps.
type aclIndex struct {
	cmds  []aclCmdInfo
	top   []int32 // top-level commands
	byCmd map[*command.Command]int32
	words int // uint64 words per bitmap
}

var (
	aclIndexOnce  sync.Once
	aclIndexValue *aclIndex
	// buildACLIndex is set by init: referring to it directly would make
	// an initialization cycle (commandTable's handlers reach the ACL).
	buildACLIndex func() *aclIndex
)

// aclCommands returns the index, built on first use (after every init
// registered its commands).
func aclCommands() *aclIndex {
	aclIndexOnce.Do(func() { aclIndexValue = buildACLIndex() })
	return aclIndexValue
}

func init() { buildACLIndex = newACLIndex }

// newACLIndex numbers the commands of the command table.
func newACLIndex() *aclIndex {
	ix := &aclIndex{byCmd: map[*command.Command]int32{}}
	add := func(cmd *command.Command, parent int32) int32 {
		id := int32(len(ix.cmds))
		info := aclCmdInfo{cmd: cmd, parent: parent}
		for _, cat := range aclCategories(cmd) {
			if i := slices.Index(aclCategoryOrder, cat); i >= 0 {
				info.cats |= 1 << i
			}
		}
		notKey, perm := false, uint8(0)
		for _, f := range keySpecFlags(cmd) {
			switch f {
			case "not_key":
				notKey = true
			case "access":
				perm |= aclRead
			case "update", "insert", "delete":
				perm |= aclWrite
			}
		}
		info.keyPerms = []uint8{perm}
		if spec, ok := aclKeyPermOverrides[cmd.Name]; ok {
			info.keyPerms = parseKeyPerms(spec)
		}
		info.keys = !notKey && (cmd.FirstKey > 0 || cmd.Keys != nil)
		switch cmd.Name {
		case "publish", "spublish":
			info.channels = chanFirst
		case "subscribe", "ssubscribe":
			info.channels = chanAll
		case "psubscribe":
			info.channels = chanPatterns
		}
		ix.cmds = append(ix.cmds, info)
		ix.byCmd[cmd] = id
		return id
	}
	for _, cmd := range commandTable().all {
		id := add(cmd, -1)
		ix.top = append(ix.top, id)
		for _, s := range cmd.Subcommands {
			sid := add(s, id)
			ix.cmds[id].subs = append(ix.cmds[id].subs, sid)
		}
	}
	ix.words = (len(ix.cmds) + 63) / 64
	return ix
}

// lookup finds a command or "container|subcommand" by name.
func (ix *aclIndex) lookup(name string) (int32, bool) {
	cmd := lookupAny([]byte(name))
	if cmd == nil {
		return 0, false
	}
	id, ok := ix.byCmd[cmd]
	return id, ok
}

// aclCategory returns the index of a category name in aclCategoryOrder,
// case-insensitively.
func aclCategory(name string) (int, bool) {
	for i, cat := range aclCategoryOrder {
		if strings.EqualFold(cat, name) {
			return i, true
		}
	}
	return 0, false
}

// ---------------------------------------------------------------- selectors

// aclKeyPattern is a key pattern and the access it grants.
type aclKeyPattern struct {
	pat  string
	b    []byte // pat as bytes (computed by finish)
	perm uint8
}

// aclSelector is one set of permissions: commands, keys, channels. A user
// has a root selector and any number of others.
type aclSelector struct {
	cmds      []uint64 // bit per command id
	allCmds   bool     // every bit is set (computed by finish)
	future    bool     // the last +@all/-@all was +@all: described from +@all
	firstArgs map[int32][]string
	allKeys   bool
	keys      []aclKeyPattern
	allChans  bool
	chans     []string
	chanBytes [][]byte // chans as bytes (computed by finish)
}

func newSelector(ix *aclIndex) *aclSelector {
	return &aclSelector{cmds: make([]uint64, ix.words)}
}

func (s *aclSelector) clone() *aclSelector {
	n := *s
	n.cmds = slices.Clone(s.cmds)
	n.keys = slices.Clone(s.keys)
	n.chans = slices.Clone(s.chans)
	if s.firstArgs != nil {
		n.firstArgs = make(map[int32][]string, len(s.firstArgs))
		for id, a := range s.firstArgs {
			n.firstArgs[id] = slices.Clone(a)
		}
	}
	return &n
}

func (s *aclSelector) has(id int32) bool { return s.cmds[id>>6]&(1<<(id&63)) != 0 }

func (s *aclSelector) setBit(id int32, on bool) {
	if on {
		s.cmds[id>>6] |= 1 << (id & 63)
	} else {
		s.cmds[id>>6] &^= 1 << (id & 63)
	}
}

// change allows or denies a command, with its subcommands, and forgets
// the first arguments allowed for it.
func (s *aclSelector) change(ix *aclIndex, id int32, on bool) {
	s.setBit(id, on)
	delete(s.firstArgs, id)
	for _, sub := range ix.cmds[id].subs {
		s.setBit(sub, on)
	}
}

// setAll implements +@all (on) and -@all.
func (s *aclSelector) setAll(on bool) {
	var w uint64
	if on {
		w = ^uint64(0)
	}
	for i := range s.cmds {
		s.cmds[i] = w
	}
	s.future = on
	s.firstArgs = nil
}

// setCategory allows or denies every command of category cat.
func (s *aclSelector) setCategory(ix *aclIndex, cat int, on bool) {
	for id := range ix.cmds {
		if ix.cmds[id].cats&(1<<cat) != 0 {
			s.change(ix, int32(id), on)
		}
	}
}

// finish computes the derived fields once the rules are applied.
func (s *aclSelector) finish(ix *aclIndex) {
	for i := range s.keys {
		s.keys[i].b = []byte(s.keys[i].pat)
	}
	s.chanBytes = make([][]byte, 0, len(s.chans))
	for _, ch := range s.chans {
		s.chanBytes = append(s.chanBytes, []byte(ch))
	}
	s.allCmds = true
	for id := range ix.cmds {
		if !s.has(int32(id)) {
			s.allCmds = false
			return
		}
	}
}

// apply applies one rule that a selector understands.
func (s *aclSelector) apply(ix *aclIndex, op string) error {
	if op == "" {
		return errACLSyntax
	}
	switch {
	case strings.EqualFold(op, "allkeys"), op == "~*":
		s.allKeys, s.keys = true, nil
	case strings.EqualFold(op, "resetkeys"):
		s.allKeys, s.keys = false, nil
	case strings.EqualFold(op, "allchannels"), op == "&*":
		s.allChans, s.chans = true, nil
	case strings.EqualFold(op, "resetchannels"):
		s.allChans, s.chans = false, nil
	case strings.EqualFold(op, "allcommands"), strings.EqualFold(op, "+@all"):
		s.setAll(true)
	case strings.EqualFold(op, "nocommands"), strings.EqualFold(op, "-@all"):
		s.setAll(false)
	case op[0] == '~' || op[0] == '%':
		return s.addKeyPattern(op)
	case op[0] == '&':
		if s.allChans {
			return errACLChannelsAll
		}
		pat := op[1:]
		if hasSpace(pat) {
			return errACLSyntax
		}
		if !slices.Contains(s.chans, pat) {
			s.chans = append(s.chans, pat)
		}
	case op[0] == '+' || op[0] == '-':
		return s.applyCommand(ix, op)
	default:
		return errACLSyntax
	}
	return nil
}

// hasSpace reports whether s has white space or a NUL byte, which Redis
// refuses in patterns and user names.
func hasSpace(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return r == 0 || r == ' ' || '\t' <= r && r <= '\r'
	})
}

// addKeyPattern applies ~pattern or %R~ / %W~ / %RW~pattern.
func (s *aclSelector) addKeyPattern(op string) error {
	if s.allKeys {
		return errACLKeysAll
	}
	perm, i := aclRW, 1
	if op[0] == '%' {
		perm = 0
	flags:
		for ; i < len(op); i++ {
			switch ch := op[i] &^ 0x20; {
			case op[i] == '~':
				i++
				break flags
			case ch == 'R' && perm&aclRead == 0:
				perm |= aclRead
			case ch == 'W' && perm&aclWrite == 0:
				perm |= aclWrite
			default:
				return errACLSyntax
			}
		}
		if perm == 0 {
			return errACLSyntax
		}
	}
	pat := op[min(i, len(op)):]
	if hasSpace(pat) {
		return errACLSyntax
	}
	for k := range s.keys {
		if s.keys[k].pat == pat {
			s.keys[k].perm |= perm
			return nil
		}
	}
	s.keys = append(s.keys, aclKeyPattern{pat: pat, perm: perm})
	return nil
}

// applyCommand applies +cmd, -cmd, +cmd|sub, -cmd|sub, +cmd|firstarg,
// +@category and -@category.
func (s *aclSelector) applyCommand(ix *aclIndex, op string) error {
	allow := op[0] == '+'
	name := op[1:]
	if strings.HasPrefix(name, "@") {
		cat, ok := aclCategory(name[1:])
		if !ok {
			return errACLUnknown
		}
		s.setCategory(ix, cat, allow)
		return nil
	}
	k := strings.LastIndexByte(name, '|')
	if !allow || k < 0 {
		id, ok := ix.lookup(name)
		if !ok {
			return errACLUnknown
		}
		s.change(ix, id, allow)
		return nil
	}
	id, ok := ix.lookup(name[:k])
	switch {
	case !ok:
		return errACLUnknown
	case ix.cmds[id].parent >= 0:
		return errACLSubFirstArg
	case k == len(name)-1:
		return errACLSyntax
	case len(ix.cmds[id].subs) > 0:
		sub, ok := ix.lookup(name)
		if !ok {
			return errACLUnknown
		}
		s.change(ix, sub, true)
		return nil
	}
	// A first argument of a command without subcommands (+select|0).
	arg := name[k+1:]
	if s.firstArgs == nil {
		s.firstArgs = map[int32][]string{}
	}
	if !slices.ContainsFunc(s.firstArgs[id], func(a string) bool { return strings.EqualFold(a, arg) }) {
		s.firstArgs[id] = append(s.firstArgs[id], arg)
	}
	return nil
}

// check reports whether the selector allows the command id with args,
// and if not why and at which argument.
func (s *aclSelector) check(ix *aclIndex, id int32, args [][]byte) (aclDenial, int) {
	info := &ix.cmds[id]
	if !s.allCmds && !s.has(id) && !s.firstArgOK(id, args) {
		return aclDeniedCmd, 0
	}
	if !s.allKeys && info.keys {
		var buf [8]int
		if idx, ok := info.cmd.KeyIndexes(args, buf[:0]); ok {
			for n, i := range idx {
				perm := info.keyPerms[min(n, len(info.keyPerms)-1)]
				if info.cmd.Name == "set" && setHasGet(args) {
					perm = aclRW
				}
				if !s.keyOK(args[i], perm) {
					return aclDeniedKey, i
				}
			}
		}
	}
	if !s.allChans && info.channels != chanNone {
		last := len(args) - 1
		if info.channels == chanFirst {
			last = min(last, 1)
		}
		for i := 1; i <= last; i++ {
			if !s.channelOK(args[i], info.channels == chanPatterns) {
				return aclDeniedChannel, i
			}
		}
	}
	return aclOK, 0
}

// setHasGet reports whether a SET command has the GET option, which makes
// it read its key.
func setHasGet(args [][]byte) bool {
	for _, a := range args[3:] {
		if command.EqualFold(a, "get") {
			return true
		}
	}
	return false
}

func (s *aclSelector) firstArgOK(id int32, args [][]byte) bool {
	if len(args) < 2 {
		return false
	}
	for _, a := range s.firstArgs[id] {
		if len(a) == len(args[1]) && strings.EqualFold(a, string(args[1])) {
			return true
		}
	}
	return false
}

// keyOK reports whether a pattern granting perm matches key.
func (s *aclSelector) keyOK(key []byte, perm uint8) bool {
	for _, p := range s.keys {
		if p.perm&perm == perm && glob.MatchBytes(p.b, key, false) {
			return true
		}
	}
	return false
}

// channelOK reports whether a channel (matched against the patterns) or a
// pattern (compared literally) is allowed.
func (s *aclSelector) channelOK(ch []byte, isPattern bool) bool {
	if s.allChans {
		return true
	}
	for i, p := range s.chans {
		if isPattern && p == string(ch) || !isPattern && glob.MatchBytes(s.chanBytes[i], ch, false) {
			return true
		}
	}
	return false
}

// describeKeys is the selector's key patterns in rule form.
func (s *aclSelector) describeKeys() string {
	if s.allKeys {
		return "~*"
	}
	parts := make([]string, len(s.keys))
	for i, p := range s.keys {
		switch p.perm {
		case aclRead:
			parts[i] = "%R~" + p.pat
		case aclWrite:
			parts[i] = "%W~" + p.pat
		default:
			parts[i] = "~" + p.pat
		}
	}
	return strings.Join(parts, " ")
}

// describeChannels is the selector's channel patterns in rule form.
func (s *aclSelector) describeChannels() string {
	if s.allChans {
		return "&*"
	}
	parts := make([]string, len(s.chans))
	for i, p := range s.chans {
		parts[i] = "&" + p
	}
	return strings.Join(parts, " ")
}

// describeCommands renders the command permissions the way Redis 7.0
// does: +@all or -@all, the categories that cover most of what differs,
// then the single commands (and first arguments) still different.
func (s *aclSelector) describeCommands(ix *aclIndex) string {
	var b strings.Builder
	fake := newSelector(ix)
	temp := s.clone()
	additive := !s.future
	if additive {
		b.WriteString("-@all ")
	} else {
		b.WriteString("+@all ")
		fake.setAll(true)
	}
	// Each round applies the category that has more commands in common
	// with what is left to describe than not, and the fewest differences
	// (then the most in common); the commands it covers are then taken
	// out of the count.
	var applied uint32
	for {
		best, minDiff, maxSame := -1, 0, 0
		for cat := range aclCategoryOrder {
			if applied&(1<<cat) != 0 {
				continue
			}
			on, off := 0, 0
			for id := range ix.cmds {
				if ix.cmds[id].cats&(1<<cat) != 0 {
					if temp.has(int32(id)) {
						on++
					} else {
						off++
					}
				}
			}
			same, diff := on, off
			if !additive {
				same, diff = off, on
			}
			if same > diff && (best < 0 || diff < minDiff || diff == minDiff && same > maxSame) {
				best, minDiff, maxSame = cat, diff, same
			}
		}
		if best < 0 {
			break
		}
		if additive {
			b.WriteString("+@")
		} else {
			b.WriteString("-@")
		}
		b.WriteString(aclCategoryOrder[best])
		b.WriteByte(' ')
		fake.setCategory(ix, best, additive)
		temp.setCategory(ix, best, !additive)
		applied |= 1 << best
	}
	var single func(id int32)
	single = func(id int32) {
		name := ix.cmds[id].cmd.Name
		user := s.has(id)
		if user != fake.has(id) {
			if user {
				b.WriteByte('+')
			} else {
				b.WriteByte('-')
			}
			b.WriteString(name)
			b.WriteByte(' ')
			fake.change(ix, id, user)
		}
		for _, sub := range ix.cmds[id].subs {
			single(sub)
		}
		if !user {
			for _, a := range s.firstArgs[id] {
				b.WriteString("+" + name + "|" + a + " ")
			}
		}
	}
	for _, id := range ix.top {
		single(id)
	}
	return strings.TrimSuffix(b.String(), " ")
}

// describe is the selector in ACL LIST's rule form.
func (s *aclSelector) describe(ix *aclIndex) string {
	var b strings.Builder
	if k := s.describeKeys(); k != "" {
		b.WriteString(k)
		b.WriteByte(' ')
	}
	if !s.allChans {
		b.WriteString("resetchannels ")
	}
	if ch := s.describeChannels(); ch != "" {
		b.WriteString(ch)
		b.WriteByte(' ')
	}
	b.WriteString(s.describeCommands(ix))
	return b.String()
}

// -------------------------------------------------------------------- users

// Values of aclPerms.sanitize.
const (
	sanitizeUnset uint8 = iota
	sanitizePayload
	skipSanitizePayload
)

// aclPerms is a user's state: never modified once published.
type aclPerms struct {
	all       bool // may run anything: the per-command check is skipped
	on        bool
	nopass    bool
	sanitize  uint8
	passwords []string // SHA-256 hex, in the order added
	root      *aclSelector
	sels      []*aclSelector
}

func (p *aclPerms) clone() *aclPerms {
	n := *p
	n.passwords = slices.Clone(p.passwords)
	n.root = p.root.clone()
	n.sels = make([]*aclSelector, len(p.sels))
	for i, s := range p.sels {
		n.sels[i] = s.clone()
	}
	return &n
}

// newUserPerms is a new user's state: off, no password, nothing allowed.
func newUserPerms(ix *aclIndex) *aclPerms {
	return &aclPerms{root: newSelector(ix)}
}

// finish computes the derived fields once the rules are applied.
func (p *aclPerms) finish(ix *aclIndex) {
	p.root.finish(ix)
	for _, s := range p.sels {
		s.finish(ix)
	}
	p.all = p.root.allCmds && p.root.allKeys && p.root.allChans
}

// hashPassword is the SHA-256 of a password in lowercase hex, the form
// Redis stores and shows.
func hashPassword(pass []byte) string {
	h := sha256.Sum256(pass)
	return hex.EncodeToString(h[:])
}

// validHash reports whether h is 64 lowercase hex digits.
func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// apply applies one ACL SETUSER rule.
func (p *aclPerms) apply(ix *aclIndex, op string) error {
	switch {
	case strings.EqualFold(op, "on"):
		p.on = true
	case strings.EqualFold(op, "off"):
		p.on = false
	case strings.EqualFold(op, "skip-sanitize-payload"):
		p.sanitize = skipSanitizePayload
	case strings.EqualFold(op, "sanitize-payload"):
		p.sanitize = sanitizePayload
	case strings.EqualFold(op, "nopass"):
		p.nopass, p.passwords = true, nil
	case strings.EqualFold(op, "resetpass"):
		p.nopass, p.passwords = false, nil
	case strings.EqualFold(op, "clearselectors"):
		p.sels = nil
	case strings.EqualFold(op, "reset"):
		p.nopass, p.passwords, p.on, p.sanitize, p.sels = false, nil, false, sanitizePayload, nil
		p.root.allKeys, p.root.keys, p.root.allChans, p.root.chans = false, nil, false, nil
		p.root.setAll(false)
	case op == "":
		// An empty rule does nothing, as in Redis.
	case op[0] == '>' || op[0] == '#':
		h := op[1:]
		if op[0] == '>' {
			h = hashPassword([]byte(h))
		} else if !validHash(h) {
			return errACLBadHash
		}
		if !slices.Contains(p.passwords, h) {
			p.passwords = append(p.passwords, h)
		}
		p.nopass = false
	case op[0] == '<' || op[0] == '!':
		h := op[1:]
		if op[0] == '<' {
			h = hashPassword([]byte(h))
		} else if !validHash(h) {
			return errACLBadHash
		}
		i := slices.Index(p.passwords, h)
		if i < 0 {
			return errACLNoSuchPass
		}
		p.passwords = slices.Delete(p.passwords, i, i+1)
	case op[0] == '(' && len(op) > 1 && op[len(op)-1] == ')':
		s := newSelector(ix)
		for _, f := range strings.Fields(op[1 : len(op)-1]) {
			if err := s.apply(ix, f); err != nil {
				return err
			}
		}
		p.sels = append(p.sels, s)
	default:
		return p.root.apply(ix, op)
	}
	return nil
}

// checkPass reports whether pass authenticates the user: it is on, and
// has nopass or pass matches one of its passwords (compared in constant
// time).
func (p *aclPerms) checkPass(pass []byte) bool {
	if !p.on {
		return false
	}
	if p.nopass {
		return true
	}
	h := hashPassword(pass)
	ok := 0
	for _, want := range p.passwords {
		ok |= subtle.ConstantTimeCompare([]byte(h), []byte(want))
	}
	return ok == 1
}

// check runs the command through the root selector and then the others:
// the first that allows it wins; otherwise the most specific denial
// (command, then key, then channel) is reported, as in Redis.
// checkCommand is check for the (sub)command sub: a command the ACL
// table does not list is allowed.
func (p *aclPerms) checkCommand(sub *command.Command, args [][]byte) (aclDenial, int) {
	ix := aclCommands()
	id, ok := ix.byCmd[sub]
	if !ok {
		return aclOK, 0
	}
	return p.check(ix, id, args)
}

func (p *aclPerms) check(ix *aclIndex, id int32, args [][]byte) (aclDenial, int) {
	why, pos := p.root.check(ix, id, args)
	if why == aclOK {
		return aclOK, 0
	}
	for _, s := range p.sels {
		w, i := s.check(ix, id, args)
		if w == aclOK {
			return aclOK, 0
		}
		if w > why || w == why && i > pos {
			why, pos = w, i
		}
	}
	return why, pos
}

// flags are the user's flags in Redis's order.
func (p *aclPerms) flags() []string {
	f := make([]string, 0, 3)
	if p.on {
		f = append(f, "on")
	} else {
		f = append(f, "off")
	}
	if p.nopass {
		f = append(f, "nopass")
	}
	switch p.sanitize {
	case skipSanitizePayload:
		f = append(f, "skip-sanitize-payload")
	case sanitizePayload:
		f = append(f, "sanitize-payload")
	}
	return f
}

// describe is the user in ACL LIST's rule form.
func (p *aclPerms) describe(ix *aclIndex) string {
	var b strings.Builder
	for _, f := range p.flags() {
		b.WriteString(f)
		b.WriteByte(' ')
	}
	for _, h := range p.passwords {
		b.WriteString("#" + h + " ")
	}
	b.WriteString(p.root.describe(ix))
	for _, s := range p.sels {
		b.WriteString(" (" + s.describe(ix) + ")")
	}
	return b.String()
}

// aclUser is a user; its permissions are replaced as a whole by ACL
// SETUSER.
type aclUser struct {
	name  string
	perms atomic.Pointer[aclPerms]
}

// aclLogEntry is one ACL LOG entry.
type aclLogEntry struct {
	count                             int64
	reason, context, object, username string
	ctime                             int64 // Unix ms of the last occurrence
	clientInfo                        string
}

// aclTable holds a server's users and its ACL log. It is set up on first
// use (the default user takes Config.RequirePass).
type aclTable struct {
	once  sync.Once
	mu    sync.Mutex // guards users and log
	users map[string]*aclUser
	def   *aclUser
	log   []*aclLogEntry // newest first
}

// users returns the server's user table.
func (s *Server) users() *aclTable {
	t := &s.acl
	t.once.Do(func() {
		ix := aclCommands()
		p := newUserPerms(ix)
		p.on = true
		p.root.setAll(true)
		p.root.allKeys, p.root.allChans = true, true
		if s.cfg.RequirePass != "" {
			p.passwords = []string{hashPassword([]byte(s.cfg.RequirePass))}
		} else {
			p.nopass = true
		}
		p.finish(ix)
		t.def = &aclUser{name: defaultUser}
		t.def.perms.Store(p)
		t.users = map[string]*aclUser{defaultUser: t.def}
	})
	return t
}

// lookup returns the user named name, or nil.
func (t *aclTable) lookup(name string) *aclUser {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.users[name]
}

// addLog records a denial in the ACL log, merging it with a recent
// identical one as Redis does.
func (t *aclTable) addLog(c *conn, reason, context, object, username string) {
	now := time.Now()
	info := string(c.appendInfo(nil, now))
	ms := now.UnixMilli()
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, e := range t.log[:min(len(t.log), 10)] {
		if e.reason == reason && e.context == context && e.object == object &&
			e.username == username && ms-e.ctime <= aclLogGroupMs {
			e.count++
			e.ctime, e.clientInfo = ms, info
			copy(t.log[1:i+1], t.log[:i])
			t.log[0] = e
			return
		}
	}
	e := &aclLogEntry{count: 1, reason: reason, context: context, object: object,
		username: username, ctime: ms, clientInfo: info}
	t.log = slices.Insert(t.log, 0, e)
	if len(t.log) > aclLogMaxLen {
		t.log = t.log[:aclLogMaxLen]
	}
}

// aclLogContext is the ACL LOG context of a denial on c: "multi" inside
// MULTI, "toplevel" otherwise.
func (c *conn) aclLogContext() string {
	if c.sess.InMulti() {
		return "multi"
	}
	return "toplevel"
}

// ------------------------------------------------------ per-command check

// connUser returns the connection's user.
func (c *conn) connUser() *aclUser {
	if u := c.user.Load(); u != nil {
		return u
	}
	return c.srv.users().def
}

// aclDenied reports whether the connection's user may not run the
// command, after replying Redis's NOPERM error. For a user allowed
// everything it costs one flag test.
func (c *conn) aclDenied(cc *connCmd, cmd, sub *command.Command, args [][]byte) bool {
	if u := c.user.Load(); u != nil && u.perms.Load().all {
		return false
	}
	return c.aclCheck(cc, cmd, sub, args)
}

// aclCheck is aclDenied's slow path.
func (c *conn) aclCheck(cc *connCmd, cmd, sub *command.Command, args [][]byte) bool {
	u := c.user.Load()
	if u == nil {
		u = c.srv.users().def
		c.user.Store(u)
	}
	p := u.perms.Load()
	switch {
	case p.all, cc != nil && cc.noAuth:
		return false
	case sub == cmd && len(cmd.Subcommands) > 0 && len(args) >= 2, !arityOK(sub.Arity, len(args)):
		return false // the unknown subcommand or arity error comes first
	}
	why, pos := p.checkCommand(sub, args)
	if why == aclOK {
		return false
	}
	if sub != c.cur {
		c.cur = sub
		c.lastCmd.Store(sub)
	}
	var msg string
	switch why {
	case aclDeniedKey:
		msg = wireNoPermKey
	case aclDeniedChannel:
		msg = wireNoPermChan
	default:
		msg = "NOPERM this user has no permissions to run the '" + sub.Name + "' command"
	}
	reason, object := aclDenialObject(why, pos, sub, args)
	c.srv.users().addLog(c, reason, c.aclLogContext(), object, u.name)
	c.reject(sub, msg)
	return true
}

// aclDenialObject returns the ACL LOG reason and object of a denial of
// the command sub with args: the command's name, or the key or channel
// at argument pos.
func aclDenialObject(why aclDenial, pos int, sub *command.Command, args [][]byte) (reason, object string) {
	switch why {
	case aclDeniedKey:
		return "key", string(args[pos])
	case aclDeniedChannel:
		return "channel", string(args[pos])
	}
	return "command", sub.Name
}

// ------------------------------------------------------------- ACL command

var aclCmd *connCmd // set in init: its handler refers to it

func init() {
	admin := func(name string, arity int, run func(*conn, [][]byte) bool) *connCmd {
		return newConnCmd(name, arity, adminFlags, []string{"slow"}, run)
	}
	plain := func(name string, arity int, run func(*conn, [][]byte)) *connCmd {
		return newConnCmd(name, arity, connFlags, []string{"slow"}, replying(run))
	}
	aclCmd = newConnCmd("acl", -2, 0, []string{"slow"}, func(c *conn, args [][]byte) bool { return c.runSub(aclCmd, args) },
		plain("acl|cat", -2, (*conn).aclCat),
		admin("acl|deluser", -3, (*conn).aclDelUser),
		admin("acl|dryrun", -4, replying((*conn).aclDryRun)),
		plain("acl|genpass", -2, (*conn).aclGenPass),
		admin("acl|getuser", 3, replying((*conn).aclGetUser)),
		newConnCmd("acl|help", 2, staleLoading, []string{"slow"}, replying((*conn).aclHelp)),
		admin("acl|list", 2, replying((*conn).aclList)),
		admin("acl|load", 2, replying((*conn).aclNoFile)),
		admin("acl|log", -2, replying((*conn).aclLog)),
		admin("acl|save", 2, replying((*conn).aclNoFile)),
		admin("acl|setuser", -3, (*conn).aclSetUser),
		admin("acl|users", 2, replying((*conn).aclUsers)),
		plain("acl|whoami", 2, (*conn).aclWhoAmI),
	)
}

var aclHelpText = []string{
	"ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CAT [<category>]",
	"    List all commands that belong to <category>, or all command categories",
	"    when no category is specified.",
	"DELUSER <username> [<username> ...]",
	"    Delete a list of users.",
	"DRYRUN <username> <command> [<arg> ...]",
	"    Returns whether the user can execute the given command without executing the command.",
	"GETUSER <username>",
	"    Get the user's details.",
	"GENPASS [<bits>]",
	"    Generate a secure 256-bit user password. The optional `bits` argument can",
	"    be used to specify a different size.",
	"LIST",
	"    Show users details in config file format.",
	"LOAD",
	"    Reload users from the ACL file.",
	"LOG [<count> | RESET]",
	"    Show the ACL log entries.",
	"SAVE",
	"    Save the current config to the ACL file.",
	"SETUSER <username> <attribute> [<attribute> ...]",
	"    Create or modify a user with the specified attributes.",
	"USERS",
	"    List all the registered usernames.",
	"WHOAMI",
	"    Return the current connection username.",
	"HELP",
	"    Prints this help.",
}

func (c *conn) aclHelp(_ [][]byte) {
	c.out.ArrayLen(len(aclHelpText))
	for _, l := range aclHelpText {
		c.out.SimpleString(l)
	}
}

// aclWrongArgs is the error of CAT, GENPASS and LOG with too many
// arguments.
func (c *conn) aclWrongArgs(args [][]byte) {
	c.out.Error("ERR unknown subcommand or wrong number of arguments for '" + sanitizeLine(string(args[1])) + "'. Try ACL HELP.")
}

// aclNoFile answers ACL LOAD and ACL SAVE: kevy has no ACL file.
func (c *conn) aclNoFile(_ [][]byte) { c.out.Error(wireNoACLFile) }

func (c *conn) aclWhoAmI(_ [][]byte) { c.out.BulkString(c.connUser().name) }

// aclUsers implements ACL USERS: the user names, sorted.
func (c *conn) aclUsers(_ [][]byte) {
	t := c.srv.users()
	t.mu.Lock()
	names := make([]string, 0, len(t.users))
	for n := range t.users {
		names = append(names, n)
	}
	t.mu.Unlock()
	slices.Sort(names)
	c.out.ArrayLen(len(names))
	for _, n := range names {
		c.out.BulkString(n)
	}
}

// aclList implements ACL LIST: each user in rule form, sorted by name.
func (c *conn) aclList(_ [][]byte) {
	t := c.srv.users()
	t.mu.Lock()
	users := make([]*aclUser, 0, len(t.users))
	for _, u := range t.users {
		users = append(users, u)
	}
	t.mu.Unlock()
	slices.SortFunc(users, func(a, b *aclUser) int { return strings.Compare(a.name, b.name) })
	ix := aclCommands()
	c.out.ArrayLen(len(users))
	for _, u := range users {
		c.out.BulkString("user " + u.name + " " + u.perms.Load().describe(ix))
	}
}

// aclGetUser implements ACL GETUSER with Redis 7.0's reply: flags,
// passwords, commands, keys, channels and selectors.
func (c *conn) aclGetUser(args [][]byte) {
	u := c.srv.users().lookup(string(args[2]))
	if u == nil {
		c.out.Null()
		return
	}
	p := u.perms.Load()
	ix := aclCommands()
	w := c.out
	w.MapLen(6)
	w.BulkString("flags")
	flags := p.flags()
	w.SetLen(len(flags))
	for _, f := range flags {
		w.BulkString(f)
	}
	w.BulkString("passwords")
	w.ArrayLen(len(p.passwords))
	for _, h := range p.passwords {
		w.BulkString(h)
	}
	writeSel := func(s *aclSelector) {
		w.BulkString("commands")
		w.BulkString(s.describeCommands(ix))
		w.BulkString("keys")
		w.BulkString(s.describeKeys())
		w.BulkString("channels")
		w.BulkString(s.describeChannels())
	}
	writeSel(p.root)
	w.BulkString("selectors")
	w.ArrayLen(len(p.sels))
	for _, s := range p.sels {
		w.MapLen(3)
		writeSel(s)
	}
}

// aclCat implements ACL CAT [category].
func (c *conn) aclCat(args [][]byte) {
	switch len(args) {
	case 2:
		c.out.ArrayLen(len(aclCategoryOrder))
		for _, cat := range aclCategoryOrder {
			c.out.BulkString(cat)
		}
	case 3:
		cat, ok := aclCategory(string(args[2]))
		if !ok {
			c.out.Error("ERR Unknown category '" + sanitizeLine(string(args[2][:min(len(args[2]), 128)])) + "'")
			return
		}
		ix := aclCommands()
		var names []string
		for _, info := range ix.cmds {
			if info.cats&(1<<cat) != 0 {
				names = append(names, info.cmd.Name)
			}
		}
		c.out.ArrayLen(len(names))
		for _, n := range names {
			c.out.BulkString(n)
		}
	default:
		c.aclWrongArgs(args)
	}
}

// aclGenPass implements ACL GENPASS [bits]: random hex digits.
func (c *conn) aclGenPass(args [][]byte) {
	bits := int64(256)
	switch len(args) {
	case 2:
	case 3:
		v, ok := command.ParseInt(args[2])
		if !ok {
			c.out.Error(command.WireNotInteger)
			return
		}
		if v <= 0 || v > 4096 {
			c.out.Error(wireBadGenpass)
			return
		}
		bits = v
	default:
		c.aclWrongArgs(args)
		return
	}
	chars := int((bits + 3) / 4)
	buf := make([]byte, (chars+1)/2)
	rand.Read(buf)
	c.out.BulkString(hex.EncodeToString(buf)[:chars])
}

// aclLog implements ACL LOG [count | RESET].
func (c *conn) aclLog(args [][]byte) {
	count := int64(10)
	switch len(args) {
	case 2:
	case 3:
		if command.EqualFold(args[2], "reset") {
			t := c.srv.users()
			t.mu.Lock()
			t.log = nil
			t.mu.Unlock()
			c.out.SimpleString("OK")
			return
		}
		v, ok := command.ParseInt(args[2])
		if !ok {
			c.out.Error(command.WireNotInteger)
			return
		}
		count = max(v, 0)
	default:
		c.aclWrongArgs(args)
		return
	}
	t := c.srv.users()
	t.mu.Lock()
	entries := make([]aclLogEntry, 0, min(int(min(count, aclLogMaxLen)), len(t.log)))
	for _, e := range t.log[:min(int64(len(t.log)), count)] {
		entries = append(entries, *e)
	}
	t.mu.Unlock()
	now := time.Now().UnixMilli()
	w := c.out
	w.ArrayLen(len(entries))
	for _, e := range entries {
		w.MapLen(7)
		w.BulkString("count")
		w.Int(e.count)
		w.BulkString("reason")
		w.BulkString(e.reason)
		w.BulkString("context")
		w.BulkString(e.context)
		w.BulkString("object")
		w.BulkString(e.object)
		w.BulkString("username")
		w.BulkString(e.username)
		w.BulkString("age-seconds")
		w.Double(float64(now-e.ctime) / 1000)
		w.BulkString("client-info")
		w.BulkString(e.clientInfo)
	}
}

// mergeSelectorArgs joins the arguments of a selector split over several
// arguments ("(~key" "+get)"), as Redis does. It returns the start of an
// unclosed selector as bad.
func mergeSelectorArgs(args [][]byte) (ops []string, bad string) {
	ops = make([]string, 0, len(args))
	open := false // b holds an unclosed selector starting at bad
	var b strings.Builder
	for _, arg := range args {
		a := string(arg)
		closes := a != "" && a[len(a)-1] == ')'
		switch {
		case a != "" && a[0] == '(' && (len(a) == 1 || !closes):
			open, bad = true, a // a new selector (restarts an unclosed one)
			b.Reset()
			b.WriteString(a)
		case open:
			b.WriteByte(' ')
			b.WriteString(a)
			if closes {
				open = false
				ops = append(ops, b.String())
			}
		default:
			ops = append(ops, a)
		}
	}
	if open {
		return nil, bad
	}
	return ops, ""
}

// aclSetUser implements ACL SETUSER username [rule ...]. The rules apply
// all or nothing: a bad one leaves the user (or its absence) unchanged.
func (c *conn) aclSetUser(args [][]byte) bool {
	name := string(args[2])
	if hasSpace(name) {
		c.out.Error("ERR Usernames can't contain spaces or null characters")
		return true
	}
	ops, bad := mergeSelectorArgs(args[3:])
	if bad != "" {
		c.out.Error("ERR Unmatched parenthesis in acl selector starting at '" + sanitizeLine(bad) + "'.")
		return true
	}
	ix := aclCommands()
	t := c.srv.users()
	t.mu.Lock()
	u := t.users[name]
	var old, p *aclPerms
	if u != nil {
		old = u.perms.Load()
		p = old.clone()
	} else {
		p = newUserPerms(ix)
	}
	for _, op := range ops {
		if err := p.apply(ix, op); err != nil {
			t.mu.Unlock()
			c.out.Error("ERR Error in ACL SETUSER modifier '" + sanitizeLine(op) + "': " + err.Error())
			return true
		}
	}
	p.finish(ix)
	if u == nil {
		u = &aclUser{name: name}
		t.users[name] = u
	}
	u.perms.Store(p)
	t.mu.Unlock()
	c.out.SimpleString("OK")
	if old != nil {
		if upcoming, lost := lostChannels(old, p); lost {
			return c.killLostSubscribers(u, upcoming)
		}
	}
	return true
}

// lostChannels reports whether the channel patterns of the user's
// selectors, changed from old to p, lost one, in which case subscribers
// may have to go; upcoming then gathers p's patterns.
func lostChannels(old, p *aclPerms) (upcoming *aclSelector, lost bool) {
	upcoming = &aclSelector{}
	for _, s := range append([]*aclSelector{p.root}, p.sels...) {
		if s.allChans {
			return nil, false
		}
		upcoming.chans = append(upcoming.chans, s.chans...)
	}
	for _, s := range append([]*aclSelector{old.root}, old.sels...) {
		lost = lost || s.allChans
		for _, ch := range s.chans {
			if !slices.Contains(upcoming.chans, ch) {
				lost = true
			}
		}
	}
	for _, ch := range upcoming.chans {
		upcoming.chanBytes = append(upcoming.chanBytes, []byte(ch))
	}
	return upcoming, lost
}

// killLostSubscribers closes the connections of user u subscribed to a
// channel or pattern that s no longer allows, as Redis does, and reports
// whether the calling connection stays open.
func (c *conn) killLostSubscribers(u *aclUser, s *aclSelector) bool {
	keep := true
	var names []string
	for _, o := range c.srv.connsByID() {
		ps := o.ps.Load()
		if o.connUser() != u || ps == nil || !ps.subscribed() {
			continue
		}
		lost := false
		for _, m := range []pubsub.Mode{pubsub.ModeChannel, pubsub.ModeShard, pubsub.ModePattern} {
			names = ps.sub.Subscriptions(m, names[:0])
			for _, n := range names {
				if !s.channelOK([]byte(n), m == pubsub.ModePattern) {
					lost = true
				}
			}
		}
		if lost && !c.killConn(o) {
			keep = false
		}
	}
	return keep
}

// aclDelUser implements ACL DELUSER username [username ...]: the number
// of users deleted. Their connections are closed (the caller's after the
// reply).
func (c *conn) aclDelUser(args [][]byte) bool {
	for _, a := range args[2:] {
		if string(a) == defaultUser {
			c.out.Error("ERR The 'default' user cannot be removed")
			return true
		}
	}
	t := c.srv.users()
	var gone []*aclUser
	t.mu.Lock()
	for _, a := range args[2:] {
		if u := t.users[string(a)]; u != nil {
			delete(t.users, u.name)
			gone = append(gone, u)
		}
	}
	t.mu.Unlock()
	c.out.Int(int64(len(gone)))
	return c.killUsers(gone)
}

// killUsers closes the connections authenticated as one of users and
// reports whether the calling connection stays open.
func (c *conn) killUsers(users []*aclUser) bool {
	if len(users) == 0 {
		return true
	}
	keep := true
	for _, o := range c.srv.connsByID() {
		if u := o.user.Load(); u != nil && slices.Contains(users, u) && !o.killed.Load() {
			if !c.killConn(o) {
				keep = false
			}
		}
	}
	return keep
}

// aclDryRun implements ACL DRYRUN username command [arg ...].
func (c *conn) aclDryRun(args [][]byte) {
	u := c.srv.users().lookup(string(args[2]))
	if u == nil {
		c.out.Error("ERR User '" + sanitizeLine(string(args[2])) + "' not found")
		return
	}
	full := args[3:]
	var cmd *command.Command
	cc := lookupConnCmd(full[0])
	if cc != nil {
		cmd = cc.info
	} else {
		cmd = command.Lookup(full[0])
	}
	sub := cmd
	if cmd != nil && len(cmd.Subcommands) > 0 && len(full) >= 2 {
		sub = findSubcommand(cmd, full[1])
	}
	if sub == nil {
		c.out.Error("ERR Command '" + sanitizeLine(string(full[0])) + "' not found")
		return
	}
	if !arityOK(sub.Arity, len(full)) {
		c.out.Error(command.WrongArity(sub.Name))
		return
	}
	ix := aclCommands()
	id, ok := ix.byCmd[sub]
	if cc != nil && cc.noAuth || !ok {
		c.out.SimpleString("OK")
		return
	}
	switch why, pos := u.perms.Load().check(ix, id, full); why {
	case aclOK:
		c.out.SimpleString("OK")
	case aclDeniedKey:
		c.out.BulkString("This user has no permissions to access the '" + string(full[pos]) + "' key")
	case aclDeniedChannel:
		c.out.BulkString("This user has no permissions to access the '" + string(full[pos]) + "' channel")
	default:
		c.out.BulkString("This user has no permissions to run the '" + sub.Name + "' command")
	}
}

// aclUserName is the name of the connection's user, for CLIENT LIST.
func (c *conn) aclUserName() string {
	if u := c.user.Load(); u != nil {
		return u.name
	}
	return defaultUser
}
