package peer

import (
	"crypto/rand"
	"encoding/binary"
)

// WebSocket frame opcodes (RFC 6455 section 5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
)

// AppendFrame appends one WebSocket frame to dst. Clients must mask every
// frame; servers must not.
func AppendFrame(dst []byte, fin bool, opcode byte, payload []byte, mask bool) []byte {
	b0 := opcode
	if fin {
		b0 |= 0x80
	}
	dst = append(dst, b0)
	var maskBit byte
	if mask {
		maskBit = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		dst = append(dst, maskBit|byte(n))
	case n <= 0xffff:
		dst = append(dst, maskBit|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	default:
		dst = append(dst, maskBit|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	if !mask {
		return append(dst, payload...)
	}
	var key [4]byte
	_, _ = rand.Read(key[:])
	dst = append(dst, key[:]...)
	for i, b := range payload {
		dst = append(dst, b^key[i%4])
	}
	return dst
}

// emptyContinuations encodes n empty continuation frames, none final.
func emptyContinuations(n int, mask bool) []byte {
	var buf []byte
	for range n {
		buf = AppendFrame(buf, false, opContinuation, nil, mask)
	}
	return buf
}

// fragmentFrames encodes one text message as len(parts) frames: a text frame
// followed by continuation frames, the last one final.
func fragmentFrames(parts []string, mask bool) []byte {
	var buf []byte
	for i, p := range parts {
		op := byte(opContinuation)
		if i == 0 {
			op = opText
		}
		buf = AppendFrame(buf, i == len(parts)-1, op, []byte(p), mask)
	}
	return buf
}
