package server_test

import "testing"

// monitorACLScenario: EXEC checks each queued command's ACL permissions
// again, and Redis 7.0's MONITOR does not show the commands it then
// refuses (nor do they change the database the next ones are shown
// in), while it shows MULTI, the commands that ran and EXEC, even an
// EXEC that ACL rules refuse. User u is A's; B and C are the default
// user.
var monitorACLScenario = []monStep{
	st("B", "ACL", "SETUSER", "u", "on", "nopass", "allcommands", "allkeys", "allchannels"),
	st("A", "AUTH", "u", "x"),

	// A command, a subcommand and a channel refused at EXEC.
	st("A", "MULTI"),
	st("A", "SET", "k", "v"),
	st("A", "GET", "k"),
	st("A", "CLIENT", "SETNAME", "nm"),
	st("A", "CLIENT", "GETNAME"),
	st("A", "PUBLISH", "ch", "m"),
	st("A", "PING"),
	st("B", "ACL", "SETUSER", "u", "-set", "-client|setname", "resetchannels"),
	st("A", "EXEC"),

	// A refused SELECT: the next commands run, and are shown, in the
	// database selected before.
	st("B", "ACL", "SETUSER", "u", "reset", "on", "nopass", "allcommands", "allkeys", "allchannels"),
	st("A", "MULTI"),
	st("A", "SELECT", "2"),
	st("A", "SET", "x", "1"),
	st("A", "SELECT", "3"),
	st("A", "GET", "x"),
	st("A", "SELECT", "4"),
	st("B", "ACL", "SETUSER", "u", "-select", "+select|3"),
	st("A", "EXEC"),
	st("A", "GET", "x"),
	st("A", "SELECT", "0"),

	// Keys: a pattern removed, a write to a read-only key.
	st("B", "ACL", "SETUSER", "u", "reset", "on", "nopass", "allcommands", "allkeys"),
	st("A", "MULTI"),
	st("A", "GET", "k"),
	st("A", "SET", "a1", "v"),
	st("A", "MSET", "a2", "1", "k", "2"),
	st("A", "SET", "k", "v3"),
	st("A", "GET", "a1"),
	st("B", "ACL", "SETUSER", "u", "resetkeys", "~a*", "%R~k"),
	st("A", "EXEC"),

	// The transaction changes the rules itself: the commands after the
	// change are refused.
	st("B", "ACL", "SETUSER", "u", "reset", "on", "nopass", "allcommands", "allkeys"),
	st("A", "MULTI"),
	st("A", "SET", "k", "1"),
	st("A", "ACL", "SETUSER", "u", "-set"),
	st("A", "SET", "k", "2"),
	st("A", "INCR", "k"),
	st("A", "SET", "k", "2"),
	st("A", "EXEC"),

	// Rules changed and restored: everything runs.
	st("A", "MULTI"),
	st("A", "INCR", "k"),
	st("B", "ACL", "SETUSER", "u", "-incr"),
	st("B", "ACL", "SETUSER", "u", "+incr"),
	st("A", "EXEC"),

	// EXEC itself refused: the transaction is discarded, EXEC shown.
	st("B", "ACL", "SETUSER", "u", "reset", "on", "nopass", "allcommands", "allkeys"),
	st("A", "MULTI"),
	st("A", "SET", "k", "v4"),
	st("B", "ACL", "SETUSER", "u", "-exec"),
	st("A", "EXEC"),
	st("A", "DISCARD"),
	st("A", "GET", "k"),

	// Every queued command refused.
	st("B", "ACL", "SETUSER", "u", "reset", "on", "nopass", "allcommands", "allkeys"),
	st("A", "MULTI"),
	st("A", "SET", "k", "v5"),
	st("A", "DEL", "k"),
	st("B", "ACL", "SETUSER", "u", "-@write"),
	st("A", "EXEC"),

	// Refused outside MULTI: not shown, except EXEC, which Redis shows
	// whenever it refuses it (EXECABORT), its wrong arity included.
	st("B", "ACL", "SETUSER", "u", "-exec", "-get", "-discard", "-multi", "-select"),
	st("A", "EXEC"),
	st("A", "GET", "k"),
	st("A", "DISCARD"),
	st("A", "MULTI"),
	st("A", "SELECT", "0"),
	st("A", "EXEC", "x"),
	st("B", "EXEC", "x"),

	// The default user restricted while its own transaction is queued.
	st("B", "MULTI"),
	st("B", "INCR", "cnt"),
	st("B", "ECHO", "x"),
	st("B", "INCR", "cnt"),
	st("C", "ACL", "SETUSER", "default", "-incr"),
	st("B", "EXEC"),
	st("C", "ACL", "SETUSER", "default", "+incr"),
	st("B", "GET", "cnt"),

	// A client that has not authenticated: EXEC is refused with
	// EXECABORT (NOAUTH) and shown, as Redis aborts and shows every
	// refused EXEC; other commands get NOAUTH and are not shown. The
	// clients connected before the password keep their authentication.
	st("C", "ACL", "SETUSER", "default", "resetpass", ">pw"),
	st("D", "EXEC"),
	st("D", "GET", "cnt"),
	st("D", "MULTI"),
	st("D", "EXEC", "x"),
	st("D", "AUTH", "pw"),
	st("D", "EXEC"),
	st("B", "GET", "cnt"),
	st("C", "ACL", "SETUSER", "default", "nopass"),
}

// TestMonitorExecACLVersusRedis plays monitorACLScenario on redis-server
// and on kevy and compares the replies and the monitor's stream.
func TestMonitorExecACLVersusRedis(t *testing.T) {
	monitorVersusRedis(t, monitorACLScenario)
}
