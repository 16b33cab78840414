package ref

import (
	"context"
	"reflect"
	"strings"

	"github.com/wsconform/wsconform/internal/version"
)

// Engine names the reference implementation and the module version it was
// built from, and the deliberate defects it runs with, if any.
func (t *Target) Engine(context.Context) string {
	s := "wsconform reference implementation " + version.String()
	var defects []string
	v := reflect.ValueOf(t.opts.Faults)
	for i := 0; i < v.NumField(); i++ {
		if v.Field(i).Kind() == reflect.Bool && v.Field(i).Bool() {
			defects = append(defects, v.Type().Field(i).Name)
		}
	}
	if len(defects) > 0 {
		s += " with deliberate defects " + strings.Join(defects, ", ")
	}
	return s
}
