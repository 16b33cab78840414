package decode

// DecodeStd exposes the encoding/json decoding path to the tests, which check
// that the fast reader agrees with it.
var DecodeStd = decodeStd
