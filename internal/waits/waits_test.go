package waits

import (
	"testing"
	"time"
)

func TestReadScale(t *testing.T) {
	for v, want := range map[string]float64{"": 1, "2": 2, "0.5": 0.5} {
		if got := readScale(v); got != want {
			t.Errorf("readScale(%q) = %v, want %v", v, got, want)
		}
	}
	for _, v := range []string{"0", "-1", "x", "NaN", "1e9"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("readScale(%q) did not refuse the value", v)
				}
			}()
			readScale(v)
		}()
	}
}

func TestOfScales(t *testing.T) {
	if got := Of(time.Second); got != time.Duration(float64(time.Second)*Scale) {
		t.Errorf("Of(1s) = %v with scale %v", got, Scale)
	}
}
