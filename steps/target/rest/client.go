package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wsconform/wsconform/steps/target/collect"
)

// requestTimeout bounds one REST call when the caller's context has no
// deadline.
const requestTimeout = 15 * time.Second

// maxResponseBody bounds the response bodies read from the engine.
const maxResponseBody = 8 << 20

// APIError is a REST call the engine answered with a status other than 2xx.
type APIError struct {
	// Method and Path name the call, e.g. "POST" and "/rules".
	Method, Path string
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is the engine's error code from {"error":code,"message":...}, 0 when absent.
	Code int
	// Message is the engine's message, or the body as text.
	Message string
}

// Error returns the call, the status and the engine's message.
func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.Path, e.StatusCode, e.Message)
}

// client makes REST calls to one engine.
type client struct {
	base string // scheme://host[:port][/prefix], no trailing slash
	http *http.Client
}

// do sends body (JSON-encoded when non-nil) and returns the response body of
// a 2xx answer, or an *APIError.
func (c *client) do(ctx context.Context, method, path string, body any) ([]byte, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, requestTimeout)
		defer cancel()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encoding the body: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	u, err := url.Parse(c.base + path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the response: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, apiError(method, path, resp.StatusCode, data)
	}
	return data, nil
}

func apiError(method, path string, status int, body []byte) *APIError {
	e := &APIError{Method: method, Path: path, StatusCode: status}
	var m struct {
		Error   json.Number `json:"error"`
		Message *string     `json:"message"`
	}
	if json.Unmarshal(body, &m) == nil && m.Message != nil {
		e.Message = *m.Message
		if n, err := m.Error.Int64(); err == nil {
			e.Code = int(n)
		}
		return e
	}
	e.Message = strings.TrimSpace(collect.Preview(body))
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// isNotFound tells whether err is the engine's 404.
func isNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound
}

func seg(s string) string { return url.PathEscape(s) }
