package rest

import (
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
)

// protection refuses the requests a web page in a browser could make the API
// serve on its behalf:
//
//   - a Host header naming something other than an IP address, "localhost"
//     (or a name under .localhost) or one of the allowed hosts: 421, so
//     that a DNS name rebound to the API's address reaches nothing;
//   - a state-changing request (POST, PUT, PATCH, DELETE) from a page of
//     another origin, told by the Sec-Fetch-Site or Origin header, unless
//     that origin is allowed: 403;
//   - a state-changing request with a body whose Content-Type is not
//     application/json (a browser sends text/plain and form bodies across
//     origins without asking first): 415.
//
// Clients that are not browsers (curl, the CLI, the conformance suite) send
// none of these headers wrong and are not affected.
type protection struct {
	log     *slog.Logger
	hosts   map[string]bool // allowed host names, lower case
	origins *http.CrossOriginProtection
	next    http.Handler
}

func protect(logger *slog.Logger, hosts, origins []string, next http.Handler) http.Handler {
	p := &protection{log: logger, hosts: map[string]bool{}, origins: http.NewCrossOriginProtection(), next: next}
	for _, h := range hosts {
		p.hosts[strings.ToLower(strings.TrimSpace(h))] = true
	}
	for _, o := range origins {
		if err := p.origins.AddTrustedOrigin(o); err != nil {
			logger.Error("allowed origin ignored", "origin", o, "err", err)
		}
	}
	return p
}

func (p *protection) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if host, ok := p.allowedHost(r.Host); !ok {
		writeError(w, p.log, http.StatusMisdirectedRequest, CodeUndefined,
			fmt.Sprintf("request refused: Host %q is not a name of this REST API; "+
				"use its IP address or localhost, or add %q to basic.restAllowedHosts", r.Host, host))
		return
	}
	if err := p.origins.Check(r); err != nil {
		origin := r.Header.Get("Origin")
		if origin == "" {
			origin = "Sec-Fetch-Site: " + r.Header.Get("Sec-Fetch-Site")
		}
		writeError(w, p.log, http.StatusForbidden, CodeUndefined,
			fmt.Sprintf("request refused: %s %s is a cross-origin browser request (%s); "+
				"add the page's origin to basic.restAllowedOrigins to allow it", r.Method, r.URL.Path, origin))
		return
	}
	if changesState(r.Method) && hasBody(r) {
		ct := r.Header.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			writeError(w, p.log, http.StatusUnsupportedMediaType, CodeUndefined,
				fmt.Sprintf("request refused: %s %s has a body of Content-Type %q; send it as application/json", r.Method, r.URL.Path, ct))
			return
		}
	}
	p.next.ServeHTTP(w, r)
}

// allowedHost tells whether a Host header value may be served, and returns
// its host name without port.
func (p *protection) allowedHost(hostport string) (string, bool) {
	if hostport == "" {
		return "", true // HTTP/1.0 without Host: no browser sends that
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	switch {
	case net.ParseIP(host) != nil:
		return host, true
	case host == "localhost" || strings.HasSuffix(host, ".localhost"):
		return host, true
	}
	return host, p.hosts[host]
}

func changesState(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// hasBody tells whether a request carries a body: a positive Content-Length
// or a chunked one of unknown length.
func hasBody(r *http.Request) bool {
	return r.ContentLength > 0 || (r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody)
}
