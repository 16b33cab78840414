// Package fault lists deliberate defects that the reference engine can be built
// with, so that the conformance suite can prove it notices each of them.
//
// The zero Set is the correct behaviour. Only the suite's self-test sets fields,
// and only a build with the selftest tag applies them (see Enabled): the
// packages of the reference engine read a Set in their seams_selftest.go files
// alone, and their default seams.go files ignore it.
package fault

import (
	"reflect"
	"sort"
)

// Set is a collection of deliberate defects; each true field breaks one behaviour.
type Set struct {
	// ArrayAsOneRecord: a JSON array message yields only its first record.
	ArrayAsOneRecord bool
	// TypedKeepsUnknownFields: typed streams are decoded as if schemaless.
	TypedKeepsUnknownFields bool
	// DecodeBinaryFrames: binary frames are delivered like text frames.
	DecodeBinaryFrames bool
	// KeepEndpointAfterStop: a stopped server-mode source leaves its endpoint registered.
	KeepEndpointAfterStop bool
	// NeverCloseDataServer: the data server keeps its port open after the last endpoint goes.
	NeverCloseDataServer bool
	// DropRequestHeaders: client mode sends no requestHeader on the handshake.
	DropRequestHeaders bool
	// MangleRequestHeaders: client mode sends every requestHeader value upper-cased, with "-mangled" appended.
	MangleRequestHeaders bool
	// SkipTLSVerify: client mode never verifies the server certificate.
	SkipTLSVerify bool
	// DropOnePercent: every hundredth record is dropped before the sinks.
	DropOnePercent bool
	// AcceptInvalidUTF8: text frames with invalid UTF-8 are accepted (no close 1007).
	AcceptInvalidUTF8 bool
	// NoReadLimit: the message size limit is not applied (no close 1009).
	NoReadLimit bool
	// ShareClientByPath: client-mode streams with the same datasource path share one connection.
	ShareClientByPath bool
	// RemoteCloseStaysConnected: the connection status stays up after the remote closes.
	RemoteCloseStaysConnected bool
	// IgnoreQuery: the query part of DATASOURCE is not sent when dialing.
	IgnoreQuery bool
	// StopOnDecodeError: a decode error closes the connection.
	StopOnDecodeError bool
	// RefuseForeignOrigin: server mode refuses a handshake whose Origin is not the endpoint's host.
	RefuseForeignOrigin bool
	// IgnorePings: server-mode connections do not answer pings.
	IgnorePings bool
	// NamedConfKeyAlone: a named confKey is used alone, not merged over default.
	NamedConfKeyAlone bool
	// AcceptRelativeDatasource: a DATASOURCE that does not start with "/" is accepted.
	AcceptRelativeDatasource bool
	// NoClientCertificate: client mode presents no client certificate.
	NoClientCertificate bool
	// StopLeavesClientOpen: stopping the last rule of a client-mode stream leaves its connection open.
	StopLeavesClientOpen bool
	// NoRecordsInCount: the rule status never counts the messages received.
	NoRecordsInCount bool
	// IgnoreConfKeyPath: client mode dials the DATASOURCE even when the confKey sets a path.
	IgnoreConfKeyPath bool
	// ConnectionPerRule: each rule on a client-mode stream opens its own connection.
	ConnectionPerRule bool
	// SlowHandshakeTimeout: client mode waits a minute, not 3 seconds, for the handshake.
	SlowHandshakeTimeout bool
	// RawCAIgnored: client mode ignores rootCARaw and trusts only the system roots.
	RawCAIgnored bool
	// RawCAWinsOverPath: client mode uses rootCARaw even when rootCaPath is set.
	RawCAWinsOverPath bool
	// ServeDataPlain: the data server ignores its TLS settings and speaks plain ws.
	ServeDataPlain bool
	// StopCloseNormal: clients of a closed endpoint get close 1000, not 1001.
	StopCloseNormal bool
	// FirstClientOnly: a server-mode endpoint refuses clients while one is connected.
	FirstClientOnly bool
	// NumberToStringRefused: a number in a typed STRING field is a decode error.
	NumberToStringRefused bool
	// UpperCaseKeywordsOnly: CREATE STREAM is refused unless its keywords are upper case.
	UpperCaseKeywordsOnly bool
	// MissingCertFileIgnored: client mode drops a certificate or key file path
	// that names no file, instead of failing with the file's name.
	MissingCertFileIgnored bool
	// FirstRuleOnly: a stream's records reach only the first of its running rules.
	FirstRuleOnly bool
	// ProjectionIgnored: a SELECT with a field list outputs whole records.
	ProjectionIgnored bool
	// LargeIntegersAsFloat: schemaless integers beyond 2^53 become float64 and lose precision.
	LargeIntegersAsFloat bool
	// UnknownConfKeyFallsBack: a CONF_KEY that names no confKey silently uses default.
	UnknownConfKeyFallsBack bool
	// DuplicateStreamReplaces: CREATE STREAM with an existing name replaces that stream.
	DuplicateStreamReplaces bool
	// UnknownPathUpgraded: the data server upgrades a request on an unregistered
	// path and then closes the connection, instead of answering 404.
	UnknownPathUpgraded bool
}

// Names returns the names of all defects a Set can hold, sorted.
func Names() []string {
	t := reflect.TypeOf(Set{})
	names := make([]string, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		names = append(names, t.Field(i).Name)
	}
	sort.Strings(names)
	return names
}

// Only returns a Set with the single named defect enabled, and false when no
// defect has that name.
func Only(name string) (Set, bool) {
	var s Set
	f := reflect.ValueOf(&s).Elem().FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Bool {
		return Set{}, false
	}
	f.SetBool(true)
	return s, true
}
