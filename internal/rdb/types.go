package rdb

import "strconv"

// Version is the RDB format version this package writes (Redis 7.0).
const Version = 10

// NoExpire is the expireMs value meaning "the key has no expiry", both in
// Entry.ExpireMs and in the expireMs argument of the Writer methods.
const NoExpire int64 = -1

// Type is the RDB object type byte that precedes each key. It names both the
// logical type of the value (see Kind) and its serialized encoding.
type Type uint8

// RDB object types (the values of Redis's RDB_TYPE_* constants).
const (
	TypeString           Type = 0  // string: raw, integer or LZF
	TypeList             Type = 1  // list as a plain sequence of strings (RDB < 7)
	TypeSet              Type = 2  // set as a sequence of strings
	TypeZSet             Type = 3  // sorted set with ASCII scores (RDB < 8)
	TypeHash             Type = 4  // hash as a sequence of field/value strings
	TypeZSet2            Type = 5  // sorted set with binary double scores
	TypeModule           Type = 6  // module value, pre-opcode format (unsupported)
	TypeModule2          Type = 7  // module value (unsupported)
	TypeHashZipmap       Type = 9  // hash as a zipmap blob (Redis < 2.6)
	TypeListZiplist      Type = 10 // list as one ziplist blob (Redis < 3.2)
	TypeSetIntset        Type = 11 // set of integers as an intset blob
	TypeZSetZiplist      Type = 12 // sorted set as a ziplist blob (Redis < 7)
	TypeHashZiplist      Type = 13 // hash as a ziplist blob (Redis < 7)
	TypeListQuicklist    Type = 14 // list as ziplist nodes (Redis 3.2 - 6.2)
	TypeStreamListpacks  Type = 15 // stream (unsupported)
	TypeHashListpack     Type = 16 // hash as a listpack blob
	TypeZSetListpack     Type = 17 // sorted set as a listpack blob
	TypeListQuicklist2   Type = 18 // list as listpack / plain nodes (Redis 7)
	TypeStreamListpacks2 Type = 19 // stream, Redis 7.0 (unsupported)
	TypeSetListpack      Type = 20 // set as a listpack blob (RDB 11, Redis 7.2)
	TypeStreamListpacks3 Type = 21 // stream, Redis 7.2 (unsupported)
)

var typeNames = [...]string{
	TypeString:           "string",
	TypeList:             "list",
	TypeSet:              "set",
	TypeZSet:             "zset",
	TypeHash:             "hash",
	TypeZSet2:            "zset2",
	TypeModule:           "module",
	TypeModule2:          "module2",
	TypeHashZipmap:       "hash-zipmap",
	TypeListZiplist:      "list-ziplist",
	TypeSetIntset:        "set-intset",
	TypeZSetZiplist:      "zset-ziplist",
	TypeHashZiplist:      "hash-ziplist",
	TypeListQuicklist:    "list-quicklist",
	TypeStreamListpacks:  "stream-listpacks",
	TypeHashListpack:     "hash-listpack",
	TypeZSetListpack:     "zset-listpack",
	TypeListQuicklist2:   "list-quicklist2",
	TypeStreamListpacks2: "stream-listpacks2",
	TypeSetListpack:      "set-listpack",
	TypeStreamListpacks3: "stream-listpacks3",
}

// String returns a short name of the type such as "hash-listpack".
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Kind returns the logical value type t decodes to, and false for module,
// stream and unknown types.
func (t Type) Kind() (Kind, bool) {
	switch t {
	case TypeString:
		return KindString, true
	case TypeList, TypeListZiplist, TypeListQuicklist, TypeListQuicklist2:
		return KindList, true
	case TypeSet, TypeSetIntset, TypeSetListpack:
		return KindSet, true
	case TypeZSet, TypeZSet2, TypeZSetZiplist, TypeZSetListpack:
		return KindZSet, true
	case TypeHash, TypeHashZipmap, TypeHashZiplist, TypeHashListpack:
		return KindHash, true
	}
	return 0, false
}

// Kind is the logical type of a value, independent of its encoding.
type Kind uint8

// Value kinds.
const (
	KindString Kind = iota // string (Entry.Value)
	KindList               // list (Entry.Next, in order)
	KindSet                // set (Entry.Next)
	KindZSet               // sorted set (Entry.NextMember)
	KindHash               // hash (Entry.NextPair)
)

// String returns the Redis TYPE name of the kind ("string", "list", ...).
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindList:
		return "list"
	case KindSet:
		return "set"
	case KindZSet:
		return "zset"
	case KindHash:
		return "hash"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Opcodes (RDB_OPCODE_*).
const (
	opFunction2     = 245
	opFunctionPreGA = 246
	opModuleAux     = 247
	opIdle          = 248
	opFreq          = 249
	opAux           = 250
	opResizeDB      = 251
	opExpireMs      = 252
	opExpire        = 253
	opSelectDB      = 254
	opEOF           = 255
)

// Length and string encodings.
const (
	len6     = 0    // 00xxxxxx
	len14    = 1    // 01xxxxxx xxxxxxxx
	len32    = 0x80 // 10000000 + 4 bytes big endian
	len64    = 0x81 // 10000001 + 8 bytes big endian
	lenEnc   = 3    // 11xxxxxx: special string encoding in the low 6 bits
	encInt8  = 0
	encInt16 = 1
	encInt32 = 2
	encLZF   = 3
)

// Quicklist node containers (QUICKLIST_NODE_CONTAINER_*).
const (
	containerPlain  = 1
	containerPacked = 2
)

// moduleTypeName decodes the 9-character module type name from a module id
// (the upper 54 bits hold 9 characters of 6 bits each).
func moduleTypeName(id uint64) string {
	const cset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var name [9]byte
	id >>= 10
	for j := 8; j >= 0; j-- {
		name[j] = cset[id&63]
		id >>= 6
	}
	return string(name[:])
}
