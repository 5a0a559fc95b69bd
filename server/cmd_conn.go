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

// hello implements HELLO [protover [AUTH username password] [SETNAME
// clientname]]. Like Redis 7.0, SETNAME takes effect as soon as it is
// parsed, even if a later option is rejected.
func (c *conn) hello(args [][]byte) {
	proto := c.w.Proto()
	if len(args) >= 2 {
		v, ok := command.ParseInt(args[1])
		if !ok {
			c.w.Error(wireProtoNotInt)
			return
		}
		if v < 2 || v > 3 {
			c.w.Error(wireNoProto)
			return
		}
		proto = int(v)
	}
	var user, pass []byte
	auth := false
	for i := 2; i < len(args); i++ {
		more := len(args) - 1 - i
		switch opt := args[i]; {
		case command.EqualFold(opt, "auth") && more >= 2:
			user, pass, auth = args[i+1], args[i+2], true
			i += 2
		case command.EqualFold(opt, "setname") && more >= 1:
			if !c.setName(args[i+1]) {
				return
			}
			i++
		default:
			c.w.Error("ERR Syntax error in HELLO option '" + string(opt) + "'")
			return
		}
	}
	if auth && !c.authenticate(user, pass) {
		c.w.Error(wireWrongPass)
		return
	}
	c.w.SetProto(proto)
	c.w.MapLen(7)
	c.w.BulkString("server")
	c.w.BulkString("redis")
	c.w.BulkString("version")
	c.w.BulkString(RedisVersion)
	c.w.BulkString("proto")
	c.w.Int(int64(proto))
	c.w.BulkString("id")
	c.w.Int(c.id)
	c.w.BulkString("mode")
	c.w.BulkString("standalone")
	c.w.BulkString("role")
	c.w.BulkString("master")
	c.w.BulkString("modules")
	c.w.ArrayLen(0)
}

// authenticate checks credentials. Until ACLs and requirepass exist, the
// only user is "default" with no password, which accepts any password, as
// in a Redis started without configuration.
func (c *conn) authenticate(user, _ []byte) bool {
	return string(user) == "default"
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
		c.w.Error(wireBadName)
		return false
	}
	if string(name) != c.name {
		c.name = string(name)
	}
	return true
}

// clientHelp is CLIENT HELP's reply: the subcommands kevy implements, in
// Redis's format.
var clientHelp = []string{
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"SETINFO <option> <value>",
	"    Set client meta attr. Options are:",
	"    * LIB-NAME: the client lib name.",
	"    * LIB-VER: the client lib version.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"HELP",
	"    Prints this help.",
}

// client implements the CLIENT subcommands that concern the connection
// itself: ID, GETNAME, SETNAME, SETINFO and HELP.
func (c *conn) client(args [][]byte) {
	if len(args) < 2 {
		c.w.Error(command.WrongArity("client"))
		return
	}
	sub := args[1]
	var name string // for the arity error
	arity := 0
	switch {
	case command.EqualFold(sub, "id"):
		name, arity = "client|id", 2
	case command.EqualFold(sub, "getname"):
		name, arity = "client|getname", 2
	case command.EqualFold(sub, "setname"):
		name, arity = "client|setname", 3
	case command.EqualFold(sub, "setinfo"):
		name, arity = "client|setinfo", 4
	case command.EqualFold(sub, "help"):
		name, arity = "client|help", 2
	default:
		if len(sub) > maxSubcommandLen {
			sub = sub[:maxSubcommandLen]
		}
		c.w.Error("ERR unknown subcommand '" + string(sub) + "'. Try CLIENT HELP.")
		return
	}
	if len(args) != arity {
		c.w.Error(command.WrongArity(name))
		return
	}
	switch name {
	case "client|id":
		c.w.Int(c.id)
	case "client|getname":
		if c.name == "" {
			c.w.Null()
		} else {
			c.w.BulkString(c.name)
		}
	case "client|setname":
		if c.setName(args[2]) {
			c.w.SimpleString("OK")
		}
	case "client|setinfo":
		c.setInfo(args[2], args[3])
	case "client|help":
		c.w.ArrayLen(len(clientHelp))
		for _, l := range clientHelp {
			c.w.SimpleString(l)
		}
	}
}

// setInfo implements CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2).
func (c *conn) setInfo(attr, val []byte) {
	var dst *string
	switch {
	case command.EqualFold(attr, "lib-name"):
		dst = &c.libName
	case command.EqualFold(attr, "lib-ver"):
		dst = &c.libVer
	default:
		c.w.Error("ERR Unrecognized option '" + string(attr) + "'")
		return
	}
	if !validName(val) {
		c.w.Error("ERR " + string(attr) + " cannot contain spaces, newlines or special characters.")
		return
	}
	*dst = string(val)
	c.w.SimpleString("OK")
}
