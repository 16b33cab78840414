package rest

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
)

// Error codes of the "error" field of an error body, as eKuiper numbers them.
const (
	// CodeUndefined is an error without a more specific code: malformed
	// bodies, unknown routes.
	CodeUndefined = 1000
	// CodeNotFound is an unknown stream, rule or confKey (HTTP 404).
	CodeNotFound = 1002
	// CodeIO is a failure to persist a change.
	CodeIO = 1003
	// CodeExecutor is a rule that cannot run on its stream, such as a
	// websocket DATASOURCE that does not start with "/".
	CodeExecutor = 2201
	// CodeStream is a stream command error.
	CodeStream = 3000
	// CodeRule is a rule command error.
	CodeRule = 4000
	// CodeConfKey is a confKey command error.
	CodeConfKey = 5000
)

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	// Error is one of the Code constants.
	Error int `json:"error"`
	// Message says what failed, in eKuiper's wording where eKuiper has one.
	Message string `json:"message"`
}

// writeError sends {"error":code,"message":msg} with the HTTP status.
func writeError(w http.ResponseWriter, logger *slog.Logger, status, code int, msg string) {
	level := slog.LevelInfo
	if status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	logger.Log(context.Background(), level, "request failed", "status", status, "code", code, "message", msg)
	writeJSON(w, logger, status, ErrorBody{Error: code, Message: msg})
}

// writeJSON sends v as a JSON body with the HTTP status.
func writeJSON(w http.ResponseWriter, logger *slog.Logger, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		logger.Error("encode response", "err", err)
		status = http.StatusInternalServerError
		data, _ = json.Marshal(ErrorBody{Error: CodeUndefined, Message: "encode response: " + err.Error()})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// writeText sends a plain text body with the HTTP status.
func writeText(w http.ResponseWriter, status int, text string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(text)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(text))
}
