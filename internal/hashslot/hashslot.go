package hashslot

import (
	"strings"
	"unsafe"
)

// SlotCount is the number of hash slots in a Redis Cluster.
const SlotCount = 16384

// poly is the CRC16/XMODEM generator polynomial.
const poly = 0x1021

// crcTable[k][b] is the CRC register produced by feeding byte b followed by k
// zero bytes into a zero register. crcTable[0] is the classic byte table.
var crcTable = makeTables()

func makeTables() *[8][256]uint16 {
	t := new([8][256]uint16)
	for i := 0; i < 256; i++ {
		crc := uint16(i) << 8
		for j := 0; j < 8; j++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ poly
			} else {
				crc <<= 1
			}
		}
		t[0][i] = crc
	}
	for k := 1; k < 8; k++ {
		for i := 0; i < 256; i++ {
			prev := t[k-1][i]
			t[k][i] = prev<<8 ^ t[0][prev>>8]
		}
	}
	return t
}

// CRC16 returns the CRC16/XMODEM checksum of s as used by Redis Cluster
// (CRC16("123456789") == 0x31C3).
func CRC16(s string) uint16 {
	t := crcTable
	var crc uint16
	// Each step folds the register into the first two bytes of the block
	// and looks every byte up in the table for its distance from the end
	// of the block, so table loads are independent of each other.
	for len(s) >= 8 {
		_ = s[7]
		crc = t[7][byte(crc>>8)^s[0]] ^ t[6][byte(crc)^s[1]] ^
			t[5][s[2]] ^ t[4][s[3]] ^ t[3][s[4]] ^ t[2][s[5]] ^
			t[1][s[6]] ^ t[0][s[7]]
		s = s[8:]
	}
	if len(s) >= 4 {
		_ = s[3]
		crc = t[3][byte(crc>>8)^s[0]] ^ t[2][byte(crc)^s[1]] ^
			t[1][s[2]] ^ t[0][s[3]]
		s = s[4:]
	}
	if len(s) >= 2 {
		_ = s[1]
		crc = t[1][byte(crc>>8)^s[0]] ^ t[0][byte(crc)^s[1]]
		s = s[2:]
	}
	if len(s) == 1 {
		crc = crc<<8 ^ t[0][byte(crc>>8)^s[0]]
	}
	return crc
}

// Slot returns the Redis Cluster hash slot (0..16383) of key, honouring
// hash tags as described in the package documentation.
func Slot(key string) uint16 {
	return CRC16(hashPart(key)) & (SlotCount - 1)
}

// SlotBytes is like [Slot] but takes the key as a byte slice. It does not
// retain or modify key.
func SlotBytes(key []byte) uint16 {
	// Zero-copy view: the string does not outlive this call.
	return Slot(unsafe.String(unsafe.SliceData(key), len(key)))
}

// hashPart returns the part of key that is hashed: the non-empty hash tag if
// there is one, otherwise the whole key.
func hashPart(key string) string {
	open := strings.IndexByte(key, '{')
	if open < 0 {
		return key
	}
	rest := key[open+1:]
	end := strings.IndexByte(rest, '}')
	if end <= 0 { // no '}' after the '{', or an empty tag "{}"
		return key
	}
	return rest[:end]
}
