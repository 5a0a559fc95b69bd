package rdb

import "encoding/binary"

// crcPoly is the Jones polynomial 0xad93d23594c935a9 in reflected form, the
// CRC-64 variant Redis uses for RDB trailers and DUMP payloads (reflected
// input and output, initial value 0, no final xor).
const crcPoly = 0x95ac9329ac4bc9b5

// crcTab holds the slicing-by-8 tables: crcTab[0] is the classic byte table,
// crcTab[k][b] advances the CRC of byte b by k more zero bytes.
var crcTab = func() *[8][256]uint64 {
	t := new([8][256]uint64)
	for i := range 256 {
		c := uint64(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ crcPoly
			} else {
				c >>= 1
			}
		}
		t[0][i] = c
	}
	for i := range 256 {
		c := t[0][i]
		for k := 1; k < 8; k++ {
			c = t[0][byte(c)] ^ c>>8
			t[k][i] = c
		}
	}
	return t
}()

// CRC64 returns the Redis CRC-64 (Jones, reflected) of p continuing from crc;
// start with crc 0. CRC64(0, []byte("123456789")) is 0xe9c6d914c4b8d9ca.
func CRC64(crc uint64, p []byte) uint64 {
	t := crcTab
	for len(p) >= 8 {
		crc ^= binary.LittleEndian.Uint64(p)
		crc = t[7][byte(crc)] ^ t[6][byte(crc>>8)] ^ t[5][byte(crc>>16)] ^ t[4][byte(crc>>24)] ^
			t[3][byte(crc>>32)] ^ t[2][byte(crc>>40)] ^ t[1][byte(crc>>48)] ^ t[0][byte(crc>>56)]
		p = p[8:]
	}
	for _, b := range p {
		crc = t[0][byte(crc)^b] ^ crc>>8
	}
	return crc
}
