package decode_test

import (
	"testing"

	"github.com/wsconform/wsconform/impl/ddl"
	"github.com/wsconform/wsconform/impl/decode"
)

// BenchmarkDecode measures the per-message cost of decoding small messages.
func BenchmarkDecode(b *testing.B) {
	small := []byte(`{"id":12345,"name":"sensor-7","temp":21.5,"ok":true}`)
	array := []byte(`[{"i":1,"v":0.5},{"i":2,"v":1.5},{"i":3,"v":2.5},{"i":4,"v":3.5},{"i":5,"v":4.5}]`)
	typed := []ddl.Field{{Name: "id", Type: ddl.Bigint}, {Name: "name", Type: ddl.String}, {Name: "temp", Type: ddl.Float}}
	for _, bc := range []struct {
		name    string
		payload []byte
		fields  []ddl.Field
	}{
		{"object", small, nil},
		{"object-typed", small, typed},
		{"array-of-5", array, nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.payload)))
			for b.Loop() {
				if _, err := decode.Decode(bc.payload, bc.fields); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
