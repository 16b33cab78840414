package featureset

import (
	"io/fs"
	"path"
	"testing/fstest"
)

// overlayFS serves one file from memory and every other name from FS.
type overlayFS struct {
	fs.FS
	name string
	data []byte
}

// Open implements fs.FS.
func (o overlayFS) Open(name string) (fs.File, error) {
	if path.Clean(name) == o.name {
		return fstest.MapFS{o.name: &fstest.MapFile{Data: o.data, Mode: 0o644}}.Open(o.name)
	}
	return o.FS.Open(name)
}

// ReadFile implements fs.ReadFileFS.
func (o overlayFS) ReadFile(name string) ([]byte, error) {
	if path.Clean(name) == o.name {
		return append([]byte(nil), o.data...), nil
	}
	return fs.ReadFile(o.FS, name)
}
