// Package genfile writes a generated file, or checks that the file on disk is
// what its generator would write now.
package genfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
)

// Update writes data to path. With check it writes nothing and returns an
// error naming path when the file on disk is missing or differs from data.
func Update(path string, data []byte, check bool) error {
	if !check {
		return os.WriteFile(path, data, 0o644)
	}
	have, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if !bytes.Equal(have, data) {
		return fmt.Errorf("%s is stale: run make generate", path)
	}
	return nil
}
