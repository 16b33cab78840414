//go:build !selftest

package engine

import (
	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/dataserver"
	"github.com/wsconform/wsconform/impl/ddl"
	"github.com/wsconform/wsconform/impl/decode"
	"github.com/wsconform/wsconform/impl/wsource"
)

// seams are the points where a build with the selftest tag applies the
// deliberate defects (seams_selftest.go). In every other build they are
// the correct behaviour, hold nothing and compile away.
type seams struct{}

// selftestOptions holds nothing in this build: Options has no defects to carry.
type selftestOptions struct{}

func newSeams(Options) seams { return seams{} }

func (seams) forHub() seams { return seams{} }

func (seams) dataServer(*dataserver.Config)          {}
func (seams) source(*wsource.Config)                 {}
func (seams) checkKeywords(string) error             { return nil }
func (seams) duplicateStreamReplaces() bool          { return false }
func (seams) acceptRelativeDatasource() bool         { return false }
func (seams) stopLeavesClientOpen() bool             { return false }
func (seams) projectionIgnored() bool                { return false }
func (seams) countRecordsIn() bool                   { return true }
func (seams) decodeFields(f []ddl.Field) []ddl.Field { return f }
func (seams) deliverTo(runs []*run) []*run           { return runs }

func (seams) confKey(_ config.ConfKeys, name string) string { return name }

func (seams) resolved(_ config.ConfKeys, _ string, p config.Props, err error) (config.Props, error) {
	return p, err
}

func (seams) hubKey(key string, _ ddl.Stream, _ config.Props, _ string) string { return key }

func (seams) decoded(_ []byte, _ []ddl.Field, recs []decode.Record, err error) ([]decode.Record, error) {
	return recs, err
}
