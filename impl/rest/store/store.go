// Package store keeps the streams, rules and confKeys that were created over
// the REST API in one JSON file, so that a daemon can bring them back after a
// restart. Every change rewrites the file atomically (temporary file, fsync,
// rename).
package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// FileName is the name of the state file inside the data directory.
const FileName = "kuiperd-state.json"

// Rule is a persisted rule definition and whether it should run.
type Rule struct {
	// ID is the rule's id.
	ID string `json:"id"`
	// SQL is the rule's SELECT statement.
	SQL string `json:"sql"`
	// Actions are the rule's sinks, as posted: action name -> properties.
	Actions []map[string]map[string]any `json:"actions"`
	// Triggered is true when the rule should run: it was created, started or
	// restarted last, not stopped.
	Triggered bool `json:"triggered"`
}

// State is everything a Store holds.
type State struct {
	// Streams maps a stream name to its CREATE STREAM statement.
	Streams map[string]string `json:"streams"`
	// Rules maps a rule id to its definition.
	Rules map[string]Rule `json:"rules"`
	// ConfKeys maps a websocket confKey name (lower-cased) to the properties
	// set over the REST API. A nil properties map records that a key from the
	// configuration files was deleted, so that it stays deleted.
	ConfKeys map[string]map[string]any `json:"confKeys"`
}

func (s State) clone() State {
	c := State{
		Streams:  maps.Clone(s.Streams),
		Rules:    maps.Clone(s.Rules),
		ConfKeys: maps.Clone(s.ConfKeys),
	}
	if c.Streams == nil {
		c.Streams = map[string]string{}
	}
	if c.Rules == nil {
		c.Rules = map[string]Rule{}
	}
	if c.ConfKeys == nil {
		c.ConfKeys = map[string]map[string]any{}
	}
	return c
}

// Store is the persisted state of one data directory. It is safe for
// concurrent use.
type Store struct {
	path string

	mu        sync.Mutex
	state     State
	fileConfs map[string]bool // lower-cased names of confKeys from the configuration files
}

// Open reads the state file in dir, creating dir when it does not exist. A
// missing state file is an empty state.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("open store: empty data directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open store: create data directory %q: %w", dir, err)
	}
	s := &Store{path: filepath.Join(dir, FileName)}
	data, err := os.ReadFile(s.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		s.state = State{}.clone()
		return s, nil
	case err != nil:
		return nil, fmt.Errorf("open store: read %q: %w", s.path, err)
	}
	var st State
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // keep numeric properties exactly as they were written
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("open store: decode %q: %w", s.path, err)
	}
	s.state = st.clone()
	return s, nil
}

// Path returns the state file's path.
func (s *Store) Path() string { return s.path }

// State returns a copy of the current state.
func (s *Store) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.clone()
}

// PutStream records a stream and its CREATE STREAM statement.
func (s *Store) PutStream(name, sql string) error {
	return s.update(func(st *State) { st.Streams[name] = sql })
}

// DeleteStream forgets a stream.
func (s *Store) DeleteStream(name string) error {
	return s.update(func(st *State) { delete(st.Streams, name) })
}

// PutRule records a rule definition with its Triggered flag.
func (s *Store) PutRule(r Rule) error {
	return s.update(func(st *State) { st.Rules[r.ID] = r })
}

// SetTriggered records whether a known rule should run; unknown ids are ignored.
func (s *Store) SetTriggered(id string, triggered bool) error {
	return s.update(func(st *State) {
		if r, ok := st.Rules[id]; ok {
			r.Triggered = triggered
			st.Rules[id] = r
		}
	})
}

// DeleteRule forgets a rule.
func (s *Store) DeleteRule(id string) error {
	return s.update(func(st *State) { delete(st.Rules, id) })
}

// PutConfKey records the properties of a confKey; the name is lower-cased.
func (s *Store) PutConfKey(name string, props map[string]any) error {
	if props == nil {
		props = map[string]any{}
	}
	return s.update(func(st *State) { st.ConfKeys[strings.ToLower(name)] = maps.Clone(props) })
}

// SetFileConfKeys names the confKeys that come from the configuration files
// (etc/sources/websocket.yaml). Deleting one of them is recorded, so that it
// stays deleted after a restart; deleting any other confKey just forgets it.
func (s *Store) SetFileConfKeys(names []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fileConfs = make(map[string]bool, len(names))
	for _, n := range names {
		s.fileConfs[strings.ToLower(n)] = true
	}
}

// DeleteConfKey records that a confKey was deleted; the name is lower-cased.
func (s *Store) DeleteConfKey(name string) error {
	key := strings.ToLower(name)
	return s.update(func(st *State) {
		if s.fileConfs[key] {
			st.ConfKeys[key] = nil
		} else {
			delete(st.ConfKeys, key)
		}
	})
}

// update applies change to a copy of the state, writes it, and keeps it only
// when the write succeeded.
func (s *Store) update(change func(*State)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.state.clone()
	change(&next)
	if err := writeAtomic(s.path, next); err != nil {
		return err
	}
	s.state = next
	return nil
}

// writeAtomic writes st as JSON to a temporary file beside path, syncs it and
// renames it over path, so a reader sees either the old or the new file.
func writeAtomic(path string, st State) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("save %q: encode: %w", path, err)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("save %q: %w", path, err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("save %q: write %q: %w", path, tmpName, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("save %q: sync %q: %w", path, tmpName, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save %q: close %q: %w", path, tmpName, err)
	}
	if err := os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("save %q: rename %q: %w", path, tmpName, err)
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		// Persist the rename itself; not every platform supports syncing a directory.
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
