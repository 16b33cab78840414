package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// defaultTimeout bounds each request.
const defaultTimeout = 30 * time.Second

// maxResponseBytes bounds the response bodies read.
const maxResponseBytes = 16 << 20

// client calls one REST API.
type client struct {
	base string
	http *http.Client
	tr   *http.Transport
}

func newClient(host string, port int, timeout time.Duration) *client {
	tr := &http.Transport{DisableKeepAlives: true} // no proxy: the API is reached directly
	return &client{
		base: "http://" + net.JoinHostPort(host, strconv.Itoa(port)),
		http: &http.Client{Transport: tr, Timeout: timeout},
		tr:   tr,
	}
}

func (c *client) close() { c.tr.CloseIdleConnections() }

// do sends one request and returns the body of a 2xx response. Any other
// status is an error carrying the server's message.
func (c *client) do(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, c.base+path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read response: %w", method, path, err)
	}
	if resp.StatusCode/100 == 2 {
		return data, nil
	}
	var eb struct {
		Error   int    `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &eb) == nil && eb.Message != "" {
		return nil, errors.New(eb.Message)
	}
	return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(data)))
}
