// Package hashslot computes Redis Cluster key hash slots.
//
// A key's slot is CRC16(key) mod 16384, where CRC16 is the XMODEM variant
// (polynomial 0x1021, initial value 0, no input or output reflection, no
// final XOR) exactly as specified by the Redis Cluster specification.
//
// # Hash tags
//
// If the key contains a '{' and, somewhere after the first '{', a '}' with
// at least one byte in between, only the bytes between the first '{' and the
// first '}' following it are hashed. This lets callers force related keys
// into the same slot, e.g. "{user1000}.following" and "{user1000}.followers".
// An empty tag ("{}") or a missing '}' means the whole key is hashed.
//
// # Performance
//
// [Slot] and [SlotBytes] run on every command, so they are allocation-free
// and use a table-driven CRC that processes eight bytes per step
// (slicing-by-8), finishing with at most one 4-, 2- and 1-byte step.
package hashslot
