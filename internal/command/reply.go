package command

// Reply receives a command's reply, element by element. The server's RESP
// writer implements it by appending wire bytes straight into the
// connection's buffer; the embedded API implements it by building a value
// tree. Aggregates are announced with their length and followed by exactly
// that many elements (a map of n pairs by 2n elements).
type Reply interface {
	SimpleString(s string)
	// Error sends an error reply; msg is the full wire text including its
	// prefix ("ERR ...", "WRONGTYPE ...").
	Error(msg string)
	Int(n int64)
	Bulk(b []byte)
	BulkString(s string)
	// Null is the null bulk string (RESP2 $-1, RESP3 _).
	Null()
	// NullArray is the null array (RESP2 *-1, RESP3 _).
	NullArray()
	ArrayLen(n int)
	// MapLen announces n key/value pairs (RESP2: an array of 2n).
	MapLen(n int)
	// SetLen announces an unordered collection (RESP2: an array).
	SetLen(n int)
	// Double sends a floating-point number (RESP2: a bulk string).
	Double(f float64)
	// Bool sends a boolean (RESP2: integer 1 or 0).
	Bool(b bool)
	// Verbatim sends a verbatim string (RESP2: a bulk string).
	Verbatim(format string, s []byte)
	// Proto is the protocol version the client speaks (2 or 3).
	Proto() int
}
