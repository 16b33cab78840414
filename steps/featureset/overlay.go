package featureset

import (
	"io/fs"
	"path"
	"testing/fstest"
)

// overlayFS serves files from memory and every other name from FS.
type overlayFS struct {
	fs.FS
	files map[string][]byte // by cleaned path
}

// Open implements fs.FS.
func (o overlayFS) Open(name string) (fs.File, error) {
	if data, ok := o.files[path.Clean(name)]; ok {
		return fstest.MapFS{path.Clean(name): &fstest.MapFile{Data: data, Mode: 0o644}}.Open(path.Clean(name))
	}
	return o.FS.Open(name)
}

// ReadFile implements fs.ReadFileFS.
func (o overlayFS) ReadFile(name string) ([]byte, error) {
	if data, ok := o.files[path.Clean(name)]; ok {
		return append([]byte(nil), data...), nil
	}
	return fs.ReadFile(o.FS, name)
}
