package resp

// ProtocolError reports malformed RESP input. Its message is the text Redis
// 7.0 sends after the "ERR " error code, e.g.
// "Protocol error: invalid multibulk length".
type ProtocolError struct {
	msg string
}

// Error returns the Redis error text without the "ERR " prefix.
func (e *ProtocolError) Error() string { return e.msg }

func protoErr(msg string) *ProtocolError { return &ProtocolError{msg: msg} }

// Protocol errors with a fixed text, comparable with == or errors.Is.
var (
	// ErrInvalidMultibulkLength reports a malformed or too large array
	// header in a request.
	ErrInvalidMultibulkLength = protoErr("Protocol error: invalid multibulk length")
	// ErrInvalidBulkLength reports a malformed, negative or too large bulk
	// length in a request.
	ErrInvalidBulkLength = protoErr("Protocol error: invalid bulk length")
	// ErrUnbalancedQuotes reports an inline command with an unterminated
	// quoted argument or a closing quote not followed by a space.
	ErrUnbalancedQuotes = protoErr("Protocol error: unbalanced quotes in request")
	// ErrTooBigInline reports an inline command longer than 64 KB.
	ErrTooBigInline = protoErr("Protocol error: too big inline request")
	// ErrTooBigMbulkCount reports an array header line longer than 64 KB.
	ErrTooBigMbulkCount = protoErr("Protocol error: too big mbulk count string")
	// ErrTooBigBulkCount reports a bulk header line longer than 64 KB.
	ErrTooBigBulkCount = protoErr("Protocol error: too big bulk count string")
	// ErrUnauthenticatedMultibulkLength reports an array of more than 10
	// elements from a client that still has to authenticate.
	ErrUnauthenticatedMultibulkLength = protoErr("Protocol error: unauthenticated multibulk length")
	// ErrUnauthenticatedBulkLength reports a bulk longer than 16384 bytes
	// from a client that still has to authenticate.
	ErrUnauthenticatedBulkLength = protoErr("Protocol error: unauthenticated bulk length")
)

// errExpectedDollar builds the error for a bulk header not starting with
// '$'. Like Redis, which sanitizes error replies, it shows CR and LF as a
// space.
func errExpectedDollar(got byte) *ProtocolError {
	if got == '\r' || got == '\n' {
		got = ' '
	}
	return protoErr("Protocol error: expected '$', got '" + string([]byte{got}) + "'")
}
