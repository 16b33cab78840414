// Package rest serves the subset of the eKuiper REST API that drives the
// WebSocket source: streams, rules, rule status, websocket confKeys and the
// engine's version and uptime, with eKuiper's status codes and bodies.
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/wsconform/wsconform/impl/ddl"
	"github.com/wsconform/wsconform/impl/engine"
	"github.com/wsconform/wsconform/impl/rest/store"
	"github.com/wsconform/wsconform/impl/wsource"
)

// MaxBodyBytes is the largest request body accepted; larger bodies get 413.
const MaxBodyBytes = 1 << 20

// DefaultVersion is the version GET / reports when Config.Version is empty.
const DefaultVersion = "devel"

// Config configures a Handler.
type Config struct {
	// Engine runs the streams and rules. Required.
	Engine *engine.Engine
	// Logger receives request logs and errors; nil discards them.
	Logger *slog.Logger
	// Store, when non-nil, records every successful change to streams, rules
	// and confKeys, so that they can be restored after a restart. A failed
	// write is answered with HTTP 500 and error code CodeIO.
	Store *store.Store
	// Version is the engine version GET / reports. Default DefaultVersion.
	Version string
	// Started is when the engine started; GET / reports the seconds since.
	// Default: when New is called.
	Started time.Time
	// AllowedHosts are the host names, besides IP addresses, "localhost" and
	// names under ".localhost", that a request's Host header may give; a
	// request naming another host is refused with 421, so that a DNS name
	// rebound to the API's address cannot drive it. Default: none.
	AllowedHosts []string
	// AllowedOrigins are the origins ("scheme://host[:port]") whose browser
	// pages may send state-changing requests; other cross-origin browser
	// requests are refused with 403. Default: none.
	AllowedOrigins []string
}

// New returns the REST API described by cfg. Requests a web page in a
// browser could make on its behalf are refused: a Host header that is not
// an IP address, localhost or one of cfg.AllowedHosts (421), a
// state-changing request from another origin than cfg.AllowedOrigins (403),
// and a state-changing request whose body is not application/json (415).
func New(cfg Config) http.Handler {
	if cfg.Engine == nil {
		panic("rest.New: nil Engine")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	a := &api{e: cfg.Engine, log: logger, store: cfg.Store, version: cfg.Version, started: cfg.Started}
	if a.version == "" {
		a.version = DefaultVersion
	}
	if a.started.IsZero() {
		a.started = time.Now()
	}
	mux := http.NewServeMux()
	routes := []struct {
		path    string
		methods map[string]http.HandlerFunc
	}{
		{"/{$}", map[string]http.HandlerFunc{http.MethodGet: a.info}},
		{"/ping", map[string]http.HandlerFunc{http.MethodGet: a.ping}},
		{"/streams", map[string]http.HandlerFunc{http.MethodGet: a.listStreams, http.MethodPost: a.createStream}},
		{"/streams/{name}", map[string]http.HandlerFunc{http.MethodGet: a.describeStream, http.MethodDelete: a.dropStream}},
		{"/rules", map[string]http.HandlerFunc{http.MethodGet: a.listRules, http.MethodPost: a.createRule}},
		{"/rules/{id}", map[string]http.HandlerFunc{http.MethodGet: a.describeRule, http.MethodDelete: a.dropRule}},
		{"/rules/{id}/start", map[string]http.HandlerFunc{http.MethodPost: a.startRule}},
		{"/rules/{id}/stop", map[string]http.HandlerFunc{http.MethodPost: a.stopRule}},
		{"/rules/{id}/restart", map[string]http.HandlerFunc{http.MethodPost: a.restartRule}},
		{"/rules/{id}/status", map[string]http.HandlerFunc{http.MethodGet: a.ruleStatus}},
		{"/metadata/sources/yaml/{source}", map[string]http.HandlerFunc{http.MethodGet: a.listConfKeys}},
		{"/metadata/sources/websocket/confKeys/{key}", map[string]http.HandlerFunc{http.MethodPut: a.putConfKey, http.MethodDelete: a.deleteConfKey}},
	}
	for _, rt := range routes {
		allowed := make([]string, 0, len(rt.methods))
		for method, h := range rt.methods {
			mux.HandleFunc(method+" "+rt.path, h)
			allowed = append(allowed, method)
		}
		sort.Strings(allowed)
		mux.HandleFunc(rt.path, a.methodNotAllowed(strings.Join(allowed, ", ")))
	}
	mux.HandleFunc("/", a.notFound)
	return guard(logger, protect(logger, cfg.AllowedHosts, cfg.AllowedOrigins, mux))
}

type api struct {
	e       *engine.Engine
	log     *slog.Logger
	store   *store.Store
	locks   keyLock
	version string
	started time.Time
}

func (a *api) notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, a.log, http.StatusNotFound, CodeNotFound,
		fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path))
}

func (a *api) methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, a.log, http.StatusMethodNotAllowed, CodeUndefined,
			fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", r.Method, r.URL.Path, allow))
	}
}

func (a *api) ping(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusOK)
}

// Info is the body of GET /, shaped like eKuiper's.
type Info struct {
	// Version is the engine's version.
	Version string `json:"version"`
	// OS and Arch are the platform the daemon runs on (GOOS, GOARCH).
	OS   string `json:"os"`
	Arch string `json:"arch"`
	// UpTimeSeconds is the number of whole seconds since the engine started.
	UpTimeSeconds int64 `json:"upTimeSeconds"`
}

func (a *api) info(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, a.log, http.StatusOK, Info{
		Version:       a.version,
		OS:            runtime.GOOS,
		Arch:          runtime.GOARCH,
		UpTimeSeconds: int64(time.Since(a.started) / time.Second),
	})
}

// decodeBody decodes the request body into v, answering a malformed body
// itself; it reports whether v was filled.
func (a *api) decodeBody(w http.ResponseWriter, r *http.Request, what string, v any) bool {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, a.log, http.StatusRequestEntityTooLarge, CodeUndefined,
				fmt.Sprintf("Invalid body: %s is larger than %d bytes", what, tooLarge.Limit))
			return false
		}
		writeError(w, a.log, http.StatusBadRequest, CodeUndefined,
			fmt.Sprintf("Invalid body: read %s: %v", what, err))
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		writeError(w, a.log, http.StatusBadRequest, CodeUndefined,
			fmt.Sprintf("Invalid body: Error decoding the %s: %v", what, err))
		return false
	}
	if dec.More() {
		writeError(w, a.log, http.StatusBadRequest, CodeUndefined,
			fmt.Sprintf("Invalid body: Error decoding the %s: data after the JSON value", what))
		return false
	}
	return true
}

// persisted answers a failed store write; it reports whether err was nil.
func (a *api) persisted(w http.ResponseWriter, what string, err error) bool {
	if err == nil {
		return true
	}
	writeError(w, a.log, http.StatusInternalServerError, CodeIO,
		fmt.Sprintf("%s was applied but could not be saved: %v", what, err))
	return false
}

// ruleContext is the context handed to the engine for rule starts: it keeps
// the request's values but not its cancellation, because a rule outlives the
// request that starts it.
func ruleContext(r *http.Request) context.Context {
	return context.WithoutCancel(r.Context())
}

// --- streams ---

type statementDescriptor struct {
	SQL string `json:"sql"`
}

func (a *api) createStream(w http.ResponseWriter, r *http.Request) {
	var sd statementDescriptor
	if !a.decodeBody(w, r, "statement descriptor", &sd) {
		return
	}
	if parsed, err := ddl.ParseStream(sd.SQL); err == nil {
		defer a.locks.lock("stream\x00" + parsed.Name)()
	}
	st, err := a.e.CreateStream(sd.SQL)
	if err != nil {
		msg := err.Error()
		var se *ddl.SyntaxError
		if errors.As(err, &se) {
			msg = se.Message() // eKuiper's wording has no position
		}
		writeError(w, a.log, http.StatusBadRequest, CodeStream, "Stream command error: "+msg)
		return
	}
	if a.store != nil && !a.persisted(w, "stream "+st.Name, a.store.PutStream(st.Name, sd.SQL)) {
		return
	}
	writeText(w, http.StatusCreated, fmt.Sprintf("Stream %s is created.", st.Name))
}

func (a *api) listStreams(w http.ResponseWriter, _ *http.Request) {
	names := a.e.Streams()
	if names == nil {
		names = []string{}
	}
	writeJSON(w, a.log, http.StatusOK, names)
}

// StreamDescription is the body of GET /streams/{name}, shaped like eKuiper's.
type StreamDescription struct {
	// Name is the stream's name.
	Name string `json:"Name"`
	// StreamFields is null for a schemaless stream.
	StreamFields []FieldDescription `json:"StreamFields"`
	// Options holds the WITH options by their upper-case names: DATASOURCE,
	// FORMAT, TYPE, CONF_KEY, SHARED; absent options are left out.
	Options map[string]any `json:"Options"`
	// Statement is the CREATE STREAM statement.
	Statement string `json:"Statement,omitempty"`
}

// FieldDescription is one typed field of a stream.
type FieldDescription struct {
	// Name is the field's name.
	Name string `json:"Name"`
	// FieldType is the type's name: BIGINT, FLOAT, STRING, DATETIME, BOOLEAN,
	// BYTEA, ARRAY or STRUCT.
	FieldType string `json:"FieldType"`
}

func describeStream(st ddl.Stream) StreamDescription {
	d := StreamDescription{Name: st.Name, Options: map[string]any{}, Statement: st.SQL}
	if st.Fields != nil {
		d.StreamFields = make([]FieldDescription, 0, len(st.Fields))
		for _, f := range st.Fields {
			d.StreamFields = append(d.StreamFields, FieldDescription{Name: f.Name, FieldType: string(f.Type)})
		}
	}
	for k, v := range map[string]string{
		"DATASOURCE": st.Options.Datasource,
		"FORMAT":     st.Options.Format,
		"TYPE":       st.Options.Type,
		"CONF_KEY":   st.Options.ConfKey,
	} {
		if v != "" {
			d.Options[k] = v
		}
	}
	if st.Options.Shared {
		d.Options["SHARED"] = true
	}
	return d
}

func (a *api) describeStream(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	st, err := a.e.Stream(name)
	if err != nil {
		a.itemError(w, err, "describe stream error", "Stream", name, CodeStream)
		return
	}
	writeJSON(w, a.log, http.StatusOK, describeStream(st))
}

func (a *api) dropStream(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	defer a.locks.lock("stream\x00" + name)()
	if err := a.e.DropStream(name); err != nil {
		a.itemError(w, err, "delete stream error", "Stream", name, CodeStream)
		return
	}
	if a.store != nil && !a.persisted(w, "dropping stream "+name, a.store.DeleteStream(name)) {
		return
	}
	writeText(w, http.StatusOK, fmt.Sprintf("Stream %s is dropped.", name))
}

// itemError answers an engine error about one named item: 404 with
// "<prefix>: <Kind> <name> is not found" for an unknown item, 400 with code
// otherwise.
func (a *api) itemError(w http.ResponseWriter, err error, prefix, kind, name string, code int) {
	if errors.Is(err, engine.ErrNotFound) {
		writeError(w, a.log, http.StatusNotFound, CodeNotFound,
			fmt.Sprintf("%s: %s %s is not found", prefix, kind, name))
		return
	}
	writeError(w, a.log, http.StatusBadRequest, code, prefix+": "+err.Error())
}

// --- rules ---

func (a *api) createRule(w http.ResponseWriter, r *http.Request) {
	var def engine.RuleDef // "triggered": false creates the rule stopped
	if !a.decodeBody(w, r, "rule json", &def) {
		return
	}
	switch {
	case def.ID == "":
		writeError(w, a.log, http.StatusBadRequest, CodeRule, "Invalid rule json: Missing rule id.")
		return
	case def.SQL == "":
		writeError(w, a.log, http.StatusBadRequest, CodeRule, fmt.Sprintf("Invalid rule json: Missing rule %s SQL.", def.ID))
		return
	case len(def.Actions) == 0:
		writeError(w, a.log, http.StatusBadRequest, CodeRule, fmt.Sprintf("Invalid rule json: Missing rule %s actions.", def.ID))
		return
	}
	if err := engine.ValidateID(def.ID); err != nil {
		// eKuiper's code and wording; such an id could not be routed back.
		writeError(w, a.log, http.StatusBadRequest, CodeUndefined, "invalid rule json: "+err.Error())
		return
	}
	defer a.locks.lock("rule\x00" + def.ID)()
	if err := a.e.CreateRule(ruleContext(r), def); err != nil {
		switch {
		case errors.Is(err, wsource.ErrEndpoint):
			writeError(w, a.log, http.StatusBadRequest, CodeExecutor, wsource.ErrEndpoint.Error())
		case errors.Is(err, engine.ErrExists):
			writeError(w, a.log, http.StatusBadRequest, CodeRule,
				fmt.Sprintf("Create rule error: Rule %s already exists", def.ID))
		default:
			writeError(w, a.log, http.StatusBadRequest, CodeRule, "Create rule error: "+err.Error())
		}
		return
	}
	if a.store != nil {
		triggered := def.Triggered == nil || *def.Triggered
		rec := store.Rule{ID: def.ID, SQL: def.SQL, Actions: def.Actions, Triggered: triggered}
		if !a.persisted(w, "rule "+def.ID, a.store.PutRule(rec)) {
			return
		}
	}
	writeText(w, http.StatusCreated, fmt.Sprintf("Rule %s was created successfully.", def.ID))
}

func (a *api) listRules(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, a.log, http.StatusOK, a.e.Rules()) // never nil: [] without rules
}

func (a *api) describeRule(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	def, err := a.e.Rule(id)
	if err != nil {
		a.itemError(w, err, "Describe rule error", "Rule", id, CodeRule)
		return
	}
	writeJSON(w, a.log, http.StatusOK, hideSecrets(def))
}

func (a *api) dropRule(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	defer a.locks.lock("rule\x00" + id)()
	if err := a.e.DeleteRule(id); err != nil {
		a.itemError(w, err, "Delete rule error", "Rule", id, CodeRule)
		return
	}
	if a.store != nil && !a.persisted(w, "dropping rule "+id, a.store.DeleteRule(id)) {
		return
	}
	writeText(w, http.StatusOK, fmt.Sprintf("Rule %s is dropped.", id))
}

// ruleCommand runs one of start, stop and restart.
func (a *api) ruleCommand(w http.ResponseWriter, r *http.Request, verb string, run func(id string) error, triggered bool, reply string) {
	id := r.PathValue("id")
	defer a.locks.lock("rule\x00" + id)()
	if err := run(id); err != nil {
		if _, lookErr := a.e.Rule(id); errors.Is(err, engine.ErrNotFound) && lookErr == nil {
			// The rule exists; what is missing is its stream.
			writeError(w, a.log, http.StatusBadRequest, CodeRule, verb+" rule error: "+err.Error())
			return
		}
		a.itemError(w, err, verb+" rule error", "Rule", id, CodeRule)
		return
	}
	if a.store != nil && !a.persisted(w, verb+" rule "+id, a.store.SetTriggered(id, triggered)) {
		return
	}
	writeText(w, http.StatusOK, fmt.Sprintf(reply, id))
}

func (a *api) startRule(w http.ResponseWriter, r *http.Request) {
	a.ruleCommand(w, r, "start", func(id string) error {
		return a.e.StartRule(ruleContext(r), id)
	}, true, "Rule %s was started")
}

func (a *api) stopRule(w http.ResponseWriter, r *http.Request) {
	a.ruleCommand(w, r, "stop", a.e.StopRule, false, "Rule %s was stopped.")
}

func (a *api) restartRule(w http.ResponseWriter, r *http.Request) {
	a.ruleCommand(w, r, "restart", func(id string) error {
		return a.e.RestartRule(ruleContext(r), id)
	}, true, "Rule %s was restarted")
}

func (a *api) ruleStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	status, err := a.e.RuleStatus(id)
	if err != nil {
		a.itemError(w, err, "get rule status error", "Rule", id, CodeRule)
		return
	}
	writeJSON(w, a.log, http.StatusOK, status)
}

// --- confKeys ---

// listConfKeys answers GET /metadata/sources/yaml/websocket with every
// confKey the engine holds, "default" included: name -> properties as set.
func (a *api) listConfKeys(w http.ResponseWriter, r *http.Request) {
	if source := r.PathValue("source"); source != "websocket" {
		writeError(w, a.log, http.StatusNotFound, CodeNotFound,
			fmt.Sprintf("source %s is not found: only websocket confKeys are served", source))
		return
	}
	writeJSON(w, a.log, http.StatusOK, a.e.ConfKeys())
}

func (a *api) putConfKey(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	var props map[string]any
	if !a.decodeBody(w, r, "confKey properties", &props) {
		return
	}
	if props == nil {
		writeError(w, a.log, http.StatusBadRequest, CodeUndefined,
			fmt.Sprintf("Invalid body: confKey %s properties must be a JSON object", key))
		return
	}
	defer a.locks.lock("confKey\x00" + strings.ToLower(key))()
	if err := a.e.PutConfKey(key, props); err != nil {
		writeError(w, a.log, http.StatusBadRequest, CodeConfKey,
			fmt.Sprintf("update websocket confKey %s error: %v", key, err))
		return
	}
	if a.store != nil && !a.persisted(w, "confKey "+key, a.store.PutConfKey(key, props)) {
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (a *api) deleteConfKey(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	defer a.locks.lock("confKey\x00" + strings.ToLower(key))()
	if err := a.e.DeleteConfKey(key); err != nil {
		a.itemError(w, err, "delete websocket confKey error", "confKey", key, CodeConfKey)
		return
	}
	if a.store != nil && !a.persisted(w, "deleting confKey "+key, a.store.DeleteConfKey(key)) {
		return
	}
	w.WriteHeader(http.StatusOK)
}
