package decode

import "encoding/base64"

// decodeBase64 decodes standard, padded base64 as eKuiper does; a string that
// is not base64 stands for its own bytes (eKuiper's cast.ToByteA, CONVERT_ALL).
func decodeBase64(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return []byte(s)
	}
	return b
}
