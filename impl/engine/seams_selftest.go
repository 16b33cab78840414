//go:build selftest

package engine

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/wsconform/wsconform/impl/config"
	"github.com/wsconform/wsconform/impl/dataserver"
	"github.com/wsconform/wsconform/impl/ddl"
	"github.com/wsconform/wsconform/impl/decode"
	"github.com/wsconform/wsconform/impl/fault"
	"github.com/wsconform/wsconform/impl/wsource"
)

// selftestOptions gives Options, in this build only, the deliberate defects to apply.
type selftestOptions struct {
	// Faults are the defects; the zero value is correct behaviour.
	Faults fault.Set
}

// seams are the points where this build (tag selftest) applies the
// deliberate defects of Options.Faults; seams.go is the correct behaviour
// every other build compiles.
type seams struct {
	faults fault.Set
	// seq counts records for DropOnePercent: a hub's own (see forHub),
	// touched only by emit, which the source serialises; nil in the engine's.
	seq *uint64
}

func newSeams(opts Options) seams { return seams{faults: opts.Faults} }

// forHub returns the seams of a new hub, with a record count of its own.
func (s seams) forHub() seams {
	s.seq = new(uint64)
	return s
}

// dataServer hands the defects on to the data server.
func (s seams) dataServer(cfg *dataserver.Config) { cfg.Faults = s.faults }

// source hands the defects on to a source.
func (s seams) source(cfg *wsource.Config) { cfg.Faults = s.faults }

// checkKeywords is UpperCaseKeywordsOnly.
func (s seams) checkKeywords(sql string) error {
	if s.faults.UpperCaseKeywordsOnly && !strings.HasPrefix(strings.TrimSpace(sql), "CREATE STREAM") {
		return fmt.Errorf("create stream %q: keywords must be upper case", sql)
	}
	return nil
}

func (s seams) duplicateStreamReplaces() bool  { return s.faults.DuplicateStreamReplaces }
func (s seams) acceptRelativeDatasource() bool { return s.faults.AcceptRelativeDatasource }
func (s seams) stopLeavesClientOpen() bool     { return s.faults.StopLeavesClientOpen }
func (s seams) projectionIgnored() bool        { return s.faults.ProjectionIgnored }
func (s seams) countRecordsIn() bool           { return !s.faults.NoRecordsInCount }

// decodeFields is TypedKeepsUnknownFields.
func (s seams) decodeFields(f []ddl.Field) []ddl.Field {
	if s.faults.TypedKeepsUnknownFields {
		return nil
	}
	return f
}

// deliverTo is FirstRuleOnly.
func (s seams) deliverTo(runs []*run) []*run {
	if s.faults.FirstRuleOnly && len(runs) > 1 {
		return runs[:1]
	}
	return runs
}

// confKey is UnknownConfKeyFallsBack: the confKey a stream's name resolves to.
func (s seams) confKey(keys config.ConfKeys, name string) string {
	if _, named := keys[strings.ToLower(name)]; s.faults.UnknownConfKeyFallsBack && !named {
		return ""
	}
	return name
}

// resolved is NamedConfKeyAlone: the properties of confKey name, resolved as p.
func (s seams) resolved(keys config.ConfKeys, name string, p config.Props, err error) (config.Props, error) {
	if raw, named := keys[strings.ToLower(name)]; err == nil && named && s.faults.NamedConfKeyAlone {
		return config.ParseProps(raw)
	}
	return p, err
}

// hubKey is ConnectionPerRule and ShareClientByPath: the hub a rule of
// stream st attaches to.
func (s seams) hubKey(key string, st ddl.Stream, props config.Props, ruleID string) string {
	if s.faults.ConnectionPerRule && !props.ServerMode() {
		key += "/rule/" + ruleID
	}
	if s.faults.ShareClientByPath && !props.ServerMode() {
		p := props.Path
		if p == "" {
			p, _, _ = strings.Cut(st.Options.Datasource, "?")
		}
		key = "client-path/" + p
	}
	return key
}

// decoded is NumberToStringRefused, LargeIntegersAsFloat, ArrayAsOneRecord
// and DropOnePercent: what the decoding of payload gives.
func (s seams) decoded(payload []byte, fields []ddl.Field, recs []decode.Record, err error) ([]decode.Record, error) {
	if err == nil && s.faults.NumberToStringRefused {
		err = numberInStringField(payload, fields)
	}
	if err != nil {
		return recs, err
	}
	if s.faults.LargeIntegersAsFloat && fields == nil {
		roundLargeIntegers(recs)
	}
	if s.faults.ArrayAsOneRecord && len(recs) > 1 {
		recs = recs[:1]
	}
	if s.faults.DropOnePercent {
		kept := recs[:0:0]
		for _, rec := range recs {
			*s.seq++
			if *s.seq%100 != 0 {
				kept = append(kept, rec)
			}
		}
		recs = kept
	}
	return recs, nil
}

// numberInStringField reports a number given for a typed STRING field of
// payload; it is the NumberToStringRefused defect.
func numberInStringField(payload []byte, fields []ddl.Field) error {
	recs, err := decode.Decode(payload, nil)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		for _, f := range fields {
			switch rec[f.Name].(type) {
			case int64, float64, json.Number:
				if f.Type == ddl.String {
					return fmt.Errorf("decode %s: field %s: a number is not a string", payload, f.Name)
				}
			}
		}
	}
	return nil
}

// roundLargeIntegers turns the top-level integers of recs beyond 2^53 into
// float64; it is the LargeIntegersAsFloat defect.
func roundLargeIntegers(recs []decode.Record) {
	const exact = 1 << 53
	for _, rec := range recs {
		for k, v := range rec {
			switch n := v.(type) {
			case int64:
				if n > exact || n < -exact {
					rec[k] = float64(n)
				}
			case json.Number:
				if f, err := n.Float64(); err == nil {
					rec[k] = f
				}
			}
		}
	}
}
