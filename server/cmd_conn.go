package server

import (
	"github.com/kevydb/kevy/internal/command"
)

// Error texts of the connection commands, as Redis 7.0 sends them.
const (
	wireProtoNotInt  = "ERR Protocol version is not an integer or out of range"
	wireNoProto      = "NOPROTO unsupported protocol version"
	wireWrongPass    = "WRONGPASS invalid username-password pair or user is disabled."
	wireBadName      = "ERR Client names cannot contain spaces, newlines or special characters."
	maxSubcommandLen = 128 // Redis prints at most this much of a bad subcommand
)

// connCmd is a command the server handles itself because it acts on the
// connection rather than on the data. info describes it for COMMAND and
// CLIENT LIST; run executes it (the top-level arity is already checked)
// and reports whether the connection stays open.
type connCmd struct {
	info   *command.Command
	run    func(c *conn, args [][]byte) bool
	noAuth bool     // allowed before authentication (Redis "no_auth")
	tips   []string // COMMAND tips
	subs   []*connCmd
}

// Flags shared by the connection commands, as Redis declares them.
const (
	connFlags    = command.FlagNoScript | command.FlagLoading | command.FlagStale
	noAuthFlags  = connFlags | command.FlagFast | command.FlagAllowBusy
	adminFlags   = command.FlagAdmin | connFlags
	staleLoading = command.FlagLoading | command.FlagStale
)

var (
	catConn      = []string{"slow", "connection"}
	catFastConn  = []string{"fast", "connection"}
	catAdminConn = []string{"admin", "slow", "dangerous", "connection"}
)

// Tips of the connection commands.
var (
	tipNondet      = []string{"nondeterministic_output"}
	tipNondetOrder = []string{"nondeterministic_output_order"}
)

func newConnCmd(name string, arity int, flags command.Flags, cats []string, run func(*conn, [][]byte) bool, subs ...*connCmd) *connCmd {
	cc := &connCmd{info: &command.Command{Name: name, Arity: arity, Flags: flags, Categories: cats}, run: run, subs: subs}
	for _, s := range subs {
		cc.info.Subcommands = append(cc.info.Subcommands, s.info)
	}
	return cc
}

func withTips(cc *connCmd, tips []string) *connCmd {
	cc.tips = tips
	return cc
}

// replying adapts a handler that always keeps the connection open.
func replying(f func(c *conn, args [][]byte)) func(*conn, [][]byte) bool {
	return func(c *conn, args [][]byte) bool { f(c, args); return true }
}

var (
	quitCmd    = newConnCmd("quit", -1, noAuthFlags, catFastConn, (*conn).quit)
	helloCmd   = newConnCmd("hello", -1, noAuthFlags, catFastConn, replying((*conn).hello))
	authCmd    = newConnCmd("auth", -2, noAuthFlags, catFastConn, (*conn).auth)
	resetCmd   = newConnCmd("reset", 1, noAuthFlags, catFastConn, replying((*conn).reset))
	clientCmd  *connCmd // set in init: its subcommands refer to the table
	commandCmd *connCmd
)

func init() {
	for _, cc := range []*connCmd{quitCmd, helloCmd, authCmd, resetCmd} {
		cc.noAuth = true
	}
	sub := func(name string, arity int, flags command.Flags, cats []string, run func(*conn, [][]byte)) *connCmd {
		return newConnCmd(name, arity, flags, cats, replying(run))
	}
	clientCmd = newConnCmd("client", -2, 0, []string{"slow"}, (*conn).client,
		sub("client|getname", 2, connFlags, catConn, (*conn).clientGetName),
		sub("client|help", 2, staleLoading, catConn, (*conn).clientHelp),
		sub("client|id", 2, connFlags, catConn, (*conn).clientID),
		withTips(sub("client|info", 2, connFlags, catConn, (*conn).clientInfo), tipNondet),
		newConnCmd("client|kill", -3, adminFlags, catAdminConn, (*conn).clientKill),
		withTips(sub("client|list", -2, adminFlags, catAdminConn, (*conn).clientList), tipNondet),
		sub("client|no-evict", 3, adminFlags, catAdminConn, (*conn).clientNoEvict),
		sub("client|no-touch", 3, connFlags, catConn, (*conn).clientNoTouch),
		sub("client|pause", -3, adminFlags, catAdminConn, (*conn).clientPause),
		sub("client|reply", 3, connFlags, catConn, (*conn).clientReply),
		sub("client|setinfo", 4, connFlags, catConn, (*conn).clientSetInfo),
		sub("client|setname", 3, connFlags, catConn, (*conn).clientSetName),
		sub("client|unblock", -3, adminFlags, catAdminConn, (*conn).clientUnblock),
		sub("client|unpause", 2, adminFlags, catAdminConn, (*conn).clientUnpause),
	)
	commandCmd = withTips(newConnCmd("command", -1, staleLoading, catConn, (*conn).command,
		sub("command|count", 2, staleLoading, catConn, (*conn).commandCount),
		withTips(sub("command|docs", -2, staleLoading, catConn, (*conn).commandDocs), tipNondetOrder),
		sub("command|getkeys", -4, staleLoading, catConn, (*conn).commandGetKeys),
		sub("command|getkeysandflags", -4, staleLoading, catConn, (*conn).commandGetKeysAndFlags),
		sub("command|help", 2, staleLoading, catConn, (*conn).commandHelp),
		withTips(sub("command|info", -2, staleLoading, catConn, (*conn).commandInfo), tipNondetOrder),
		withTips(sub("command|list", -2, staleLoading, catConn, (*conn).commandList), tipNondetOrder),
	), tipNondetOrder)
	connCmds = []*connCmd{aclCmd, authCmd, clientCmd, commandCmd, helloCmd, quitCmd, resetCmd, shutdownCmd, slowlogCmd}
}

// connCmds lists the connection commands, sorted by name.
var connCmds []*connCmd

// lookupConnCmd finds a connection command by name, case-insensitively.
func lookupConnCmd(name []byte) *connCmd {
	switch len(name) {
	case 3:
		if command.EqualFold(name, "acl") {
			return aclCmd
		}
	case 4:
		switch {
		case command.EqualFold(name, "quit"):
			return quitCmd
		case command.EqualFold(name, "auth"):
			return authCmd
		}
	case 5:
		switch {
		case command.EqualFold(name, "hello"):
			return helloCmd
		case command.EqualFold(name, "reset"):
			return resetCmd
		}
	case 6:
		if command.EqualFold(name, "client") {
			return clientCmd
		}
	case 7:
		switch {
		case command.EqualFold(name, "command"):
			return commandCmd
		case command.EqualFold(name, "slowlog"):
			return slowlogCmd
		case command.EqualFold(name, "monitor"):
			return monitorCmd
		}
	case 8:
		if command.EqualFold(name, "shutdown") {
			return shutdownCmd
		}
	case 9, 10, 11, 12:
		return lookupPubSubCmd(name)
	}
	return nil
}

// runSub dispatches a container command to its subcommand, checking the
// subcommand's arity.
func (c *conn) runSub(cc *connCmd, args [][]byte) bool {
	for _, s := range cc.subs {
		if n := len(cc.info.Name) + 1; len(s.info.Name) == n+len(args[1]) && command.EqualFold(args[1], s.info.Name[n:]) {
			if !arityOK(s.info.Arity, len(args)) {
				c.out.Error(command.WrongArity(s.info.Name))
				return true
			}
			return s.run(c, args)
		}
	}
	c.out.Error(unknownSubcommand(cc.info.Name, args[1]))
	return true
}

// quit implements QUIT: reply OK and close.
func (c *conn) quit(_ [][]byte) bool {
	c.out.SimpleString("OK")
	return false
}

// hello implements HELLO [protover [AUTH username password] [SETNAME
// clientname]]. Like Redis 7.0, SETNAME takes effect as soon as it is
// parsed, even if a later option is rejected or authentication fails.
func (c *conn) hello(args [][]byte) {
	proto := c.w.Proto()
	if len(args) >= 2 {
		v, ok := command.ParseInt(args[1])
		if !ok {
			c.out.Error(wireProtoNotInt)
			return
		}
		if v < 2 || v > 3 {
			c.out.Error(wireNoProto)
			return
		}
		proto = int(v)
	}
	for i := 2; i < len(args); i++ {
		more := len(args) - 1 - i
		switch opt := args[i]; {
		case command.EqualFold(opt, "auth") && more >= 2:
			// Checked as soon as parsed, as Redis does: a wrong password
			// wins over a later bad option.
			if !c.authenticate(args[0], args[i+1], args[i+2]) {
				c.out.Error(wireWrongPass)
				return
			}
			i += 2
		case command.EqualFold(opt, "setname") && more >= 1:
			if !c.setName(args[i+1]) {
				return
			}
			i++
		default:
			c.out.Error("ERR Syntax error in HELLO option '" + sanitizeLine(string(opt)) + "'")
			return
		}
	}
	if !c.authed && c.srv.authRequired() {
		c.out.Error(wireHelloNoAuth)
		return
	}
	c.setProto(proto)
	w := c.out
	w.MapLen(7)
	w.BulkString("server")
	w.BulkString("redis")
	w.BulkString("version")
	w.BulkString(RedisVersion)
	w.BulkString("proto")
	w.Int(int64(proto))
	w.BulkString("id")
	w.Int(c.id)
	w.BulkString("mode")
	w.BulkString("standalone")
	w.BulkString("role")
	w.BulkString("master")
	w.BulkString("modules")
	w.ArrayLen(0)
}

// reset implements RESET: the connection goes back to the state of a new
// one (database 0, RESP2, no name, replies on, not authenticated if a
// password is required, no MULTI, no watched key), as in Redis 7.0. CLIENT
// NO-EVICT and NO-TOUCH are kept, as Redis 7.0 keeps them.
func (c *conn) reset(_ [][]byte) {
	c.sess.Close() // discard MULTI, unwatch
	c.bindSession(c.srv.db.NewSession())
	c.setProto(2)
	c.replyOff, c.skipNext, c.skipThis = false, false, false
	c.authed = !c.srv.authRequired()
	c.user.Store(nil) // back to the default user
	c.mu.Lock()
	c.name = ""
	c.mu.Unlock()
	c.out = c.w
	c.resetPubSub()
	c.w.SimpleString("RESET")
}

// validName reports whether s is acceptable as a client name or library
// attribute: printable ASCII without spaces, as Redis requires.
func validName(s []byte) bool {
	for _, ch := range s {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

// setName sets the client name (empty clears it) or replies with an error
// and returns false.
func (c *conn) setName(name []byte) bool {
	if !validName(name) {
		c.out.Error(wireBadName)
		return false
	}
	if string(name) != c.name {
		c.mu.Lock()
		c.name = string(name)
		c.mu.Unlock()
	}
	return true
}

// clientHelpText is CLIENT HELP's reply: the subcommands kevy implements,
// in Redis's format.
var clientHelpText = []string{
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"    * ID <client-id>",
	"      Kill connections by client id.",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"    * ID <client-id> [<client-id> ...]",
	"      Return clients of specified IDs.",
	"UNPAUSE",
	"    Stop the current client pause, resuming traffic.",
	"PAUSE <timeout> [WRITE|ALL]",
	"    Suspend all, or just write, clients for <timeout> milliseconds.",
	"REPLY (ON|OFF|SKIP)",
	"    Control the replies sent to the current connection.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"UNBLOCK <clientid> [TIMEOUT|ERROR]",
	"    Unblock the specified blocked client.",
	"SETINFO <option> <value>",
	"    Set client meta attr. Options are:",
	"    * LIB-NAME: the client lib name.",
	"    * LIB-VER: the client lib version.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
	"NO-TOUCH (ON|OFF)",
	"    Will not touch LRU/LFU stats when this mode is on.",
	"HELP",
	"    Prints this help.",
}

// client implements CLIENT, dispatching to its subcommands.
func (c *conn) client(args [][]byte) bool { return c.runSub(clientCmd, args) }

func (c *conn) clientID(_ [][]byte) { c.out.Int(c.id) }

func (c *conn) clientGetName(_ [][]byte) {
	if c.name == "" {
		c.out.Null()
	} else {
		c.out.BulkString(c.name)
	}
}

func (c *conn) clientSetName(args [][]byte) {
	if c.setName(args[2]) {
		c.out.SimpleString("OK")
	}
}

func (c *conn) clientHelp(_ [][]byte) {
	c.out.ArrayLen(len(clientHelpText))
	for _, l := range clientHelpText {
		c.out.SimpleString(l)
	}
}

// clientSetInfo implements CLIENT SETINFO LIB-NAME|LIB-VER value (Redis
// 7.2), which current client libraries send on connect.
func (c *conn) clientSetInfo(args [][]byte) {
	attr, val := args[2], args[3]
	var dst *string
	switch {
	case command.EqualFold(attr, "lib-name"):
		dst = &c.libName
	case command.EqualFold(attr, "lib-ver"):
		dst = &c.libVer
	default:
		c.out.Error("ERR Unrecognized option '" + sanitizeLine(string(attr)) + "'")
		return
	}
	if !validName(val) {
		c.out.Error("ERR " + sanitizeLine(string(attr)) + " cannot contain spaces, newlines or special characters.")
		return
	}
	c.mu.Lock()
	*dst = string(val)
	c.mu.Unlock()
	c.out.SimpleString("OK")
}

// onOff parses ON or OFF, replying a syntax error otherwise.
func (c *conn) onOff(arg []byte) (on, ok bool) {
	switch {
	case command.EqualFold(arg, "on"):
		return true, true
	case command.EqualFold(arg, "off"):
		return false, true
	}
	c.out.Error(command.WireSyntax)
	return false, false
}

// clientNoEvict implements CLIENT NO-EVICT ON|OFF. kevy does not evict
// clients; the flag is kept and shown by CLIENT LIST.
func (c *conn) clientNoEvict(args [][]byte) {
	if on, ok := c.onOff(args[2]); ok {
		c.mu.Lock()
		c.noEvict = on
		c.mu.Unlock()
		c.out.SimpleString("OK")
	}
}

// clientNoTouch implements CLIENT NO-TOUCH ON|OFF (Redis 7.2). The flag
// is kept and shown by CLIENT LIST.
func (c *conn) clientNoTouch(args [][]byte) {
	if on, ok := c.onOff(args[2]); ok {
		c.mu.Lock()
		c.noTouch = on
		c.mu.Unlock()
		c.out.SimpleString("OK")
	}
}

// clientReply implements CLIENT REPLY ON|OFF|SKIP. OFF and SKIP are not
// answered; SKIP also drops the reply to the next command.
func (c *conn) clientReply(args [][]byte) {
	switch arg := args[2]; {
	case command.EqualFold(arg, "on"):
		c.replyOff = false
		c.w.SimpleString("OK")
	case command.EqualFold(arg, "off"):
		c.replyOff = true
	case command.EqualFold(arg, "skip"):
		if !c.replyOff {
			c.skipNext = true
		}
	default:
		c.out.Error(command.WireSyntax)
	}
}

// clientUnpause implements CLIENT UNPAUSE.
func (c *conn) clientUnpause(_ [][]byte) {
	c.srv.pause.unpause()
	c.out.SimpleString("OK")
}
