package config

import (
	"encoding/base64"
	"strconv"
)

// Mode says which mode of the source reads a setting.
type Mode string

// Modes of a Setting.
const (
	// ModeClient: read by client-mode sources (a confKey with an addr).
	ModeClient Mode = "client"
	// ModeServer: read by server-mode sources and the global data server.
	ModeServer Mode = "server"
	// ModeBoth: read in either mode.
	ModeBoth Mode = "both"
	// ModeEngine: read by the engine around the source (its REST API, its sinks).
	ModeEngine Mode = "engine"
)

// Setting documents one configuration key the package reads: its name, the
// value it takes, its default and what it does. KuiperSettings and
// ConfKeyProperties list every one; a test checks them against the keys the
// parsers read, so the documentation generated from them cannot leave one out.
type Setting struct {
	// Key is a confKey property name, or the dotted path of a kuiper.yaml
	// key (e.g. "source.httpServerPort").
	Key string
	// Type is the kind of value, in words ("string", "integer", "host:port").
	Type string
	// Default is the value used when the key is absent, as written in YAML;
	// "" means there is none (the feature is off).
	Default string
	// Mode says which mode of the source reads it.
	Mode Mode
	// Doc says what the key does, in one or two sentences.
	Doc string
	// Example is a value for documentation examples, as written in YAML;
	// "" means Default.
	Example string
	// EKuiper says how eKuiper reads the key differently; "" when it reads
	// it the same way.
	EKuiper string
}

// KuiperSettings are the keys of etc/kuiper.yaml that ParseKuiper reads, in
// the order of the file.
var KuiperSettings = []Setting{
	{Key: "basic.restIp", Type: "IP address or host name", Default: DefaultRestIP, Mode: ModeEngine,
		Doc: "Address the REST API listens on."},
	{Key: "basic.restPort", Type: "port (0 picks a free port)", Default: strconv.Itoa(DefaultRestPort), Mode: ModeEngine,
		Doc: "Port of the REST API."},
	{Key: "basic.enablePrivateNet", Type: "boolean", Default: "false", Example: "true", Mode: ModeEngine,
		Doc: "Lets sinks (`rest`) post to loopback and private addresses; the suite's REST target needs it, its collector listens on 127.0.0.1."},
	{Key: "basic.restAllowedHosts", Type: "list of host names", Example: "[kuiper.local]", Mode: ModeEngine,
		Doc:     "Host names the REST API answers besides IP addresses and localhost; a request with another Host header gets 421 (against DNS rebinding).",
		EKuiper: "not read: eKuiper answers any Host header."},
	{Key: "basic.restAllowedOrigins", Type: "list of origins (scheme://host[:port])", Example: "[https://console.example]", Mode: ModeEngine,
		Doc:     "Browser origins allowed to change streams, rules and confKeys through the REST API; a cross-origin write from another gets 403.",
		EKuiper: "not read: eKuiper accepts writes from any origin."},
	{Key: "source.httpServerIp", Type: "IP address", Default: DefaultServerIP, Mode: ModeServer,
		Doc: "Address the global data server of server-mode streams listens on."},
	{Key: "source.httpServerPort", Type: "port (0 picks a free port)", Default: strconv.Itoa(DefaultServerPort), Mode: ModeServer,
		Doc: "Port of the global data server. It listens while a server-mode rule runs."},
	{Key: "source.httpServerMaxConnections", Type: "integer; 0 derives it from the open-file limit, -1 means no cap", Default: "0 (three quarters of the open-file limit)", Example: "1000", Mode: ModeServer,
		Doc:     "Most connections the data server holds at one time; the next client gets HTTP 503, so idle clients cannot take every file descriptor from the REST API.",
		EKuiper: "not read: eKuiper has no cap."},
	{Key: "source.httpServerIdleTimeout", Type: "duration (`60s`) or milliseconds; 0 means none", Default: "0", Example: "5m", Mode: ModeServer,
		Doc:     "A data server client that sends no frame and answers no ping for this long is closed with 1001 and recorded.",
		EKuiper: "not read: eKuiper has no idle timeout (it cuts a silent handshake after 5 minutes)."},
	{Key: "source.httpServerTls.certfile", Type: "path of a PEM certificate chain", Example: "/var/https-server.crt", Mode: ModeServer,
		Doc: "With keyfile, makes the data server speak wss only (TLS 1.2 or later)."},
	{Key: "source.httpServerTls.keyfile", Type: "path of a PEM private key", Example: "/var/https-server.key", Mode: ModeServer,
		Doc: "The private key of certfile; both or neither must be set."},
	{Key: "source.httpServerTls.clientcafile", Type: "path of a PEM CA bundle", Example: "/var/clients-ca.crt", Mode: ModeServer,
		Doc:     "Makes the data server demand a client certificate signed by one of these CAs.",
		EKuiper: "not read: an extension of the reference implementation."},
}

// pemExample is the first line of a PEM block of kind in base64, for examples.
func pemExample(kind string) string {
	return base64.StdEncoding.EncodeToString([]byte("-----BEGIN " + kind + "-----\n"))
}

// ConfKeyProperties are the properties of a websocket confKey (in
// etc/sources/websocket.yaml, or put over the REST API) that ParseProps reads.
// Names are matched in any case.
var ConfKeyProperties = []Setting{
	{Key: PropAddr, Type: "host:port", Default: `""`, Example: "127.0.0.1:8080", Mode: ModeBoth,
		Doc: "Chooses the mode: empty or absent serves the stream's DATASOURCE on the data server (server mode); host:port dials `scheme://addr` + DATASOURCE (client mode)."},
	{Key: PropScheme, Type: "`ws` or `wss`, any case", Default: "ws", Example: "wss", Mode: ModeClient,
		Doc: "`wss` dials over TLS and verifies the server's certificate."},
	{Key: PropPath, Type: "path starting with /", Default: `""`, Example: "/api/data", Mode: ModeClient,
		Doc: "When set, dialed instead of the stream's DATASOURCE (the stream still needs a DATASOURCE starting with /)."},
	{Key: PropRequestHeader, Type: "mapping of header name to a value or a list of values", Example: "{Authorization: [Bearer token], X-Team: [blue, green]}", Mode: ModeClient,
		Doc: "Headers sent on the opening handshake."},
	{Key: PropCertificationPath, Type: "path of a PEM certificate", Example: "/var/client.crt", Mode: ModeClient,
		Doc: "Client certificate presented to a wss server, with privateKeyPath; wins over certificationRaw."},
	{Key: PropPrivateKeyPath, Type: "path of a PEM private key", Example: "/var/client.key", Mode: ModeClient,
		Doc: "Private key of the client certificate; wins over privateKeyRaw."},
	{Key: PropRootCaPath, Type: "path of a PEM CA bundle", Example: "/var/ca.crt", Mode: ModeClient,
		Doc: "CAs trusted for the wss server's certificate (default: the system roots); wins over rootCARaw."},
	{Key: PropInsecureSkipVerify, Type: "boolean", Default: "false", Mode: ModeClient,
		Doc: "`true` accepts any server certificate."},
	{Key: PropCertficationRaw, Type: "base64 of a PEM certificate (line breaks allowed)", Example: pemExample("CERTIFICATE"), Mode: ModeClient,
		Doc:     "Client certificate given inline, as eKuiper's documentation spells the property.",
		EKuiper: "documented, but not read: eKuiper reads certificationRaw."},
	{Key: PropCertificationRaw, Type: "base64 of a PEM certificate (line breaks allowed)", Example: pemExample("CERTIFICATE"), Mode: ModeClient,
		Doc: "Client certificate given inline, as eKuiper's code spells the property; wins over certficationRaw."},
	{Key: PropPrivateKeyRaw, Type: "base64 of a PEM private key (line breaks allowed)", Example: pemExample("PRIVATE KEY"), Mode: ModeClient,
		Doc: "Private key of the inline client certificate."},
	{Key: PropRootCARaw, Type: "base64 of a PEM CA bundle (line breaks allowed)", Example: pemExample("CERTIFICATE"), Mode: ModeClient,
		Doc: "CAs trusted for the wss server's certificate, given inline."},
	{Key: PropMaxMessageBytes, Type: "positive integer (bytes)", Default: strconv.Itoa(DefaultMaxMessageBytes), Mode: ModeBoth,
		Doc:     "Largest text message read (16 MiB by default); a larger one closes its connection with 1009.",
		EKuiper: "not read (accepted silently): an extension of the reference implementation."},
	{Key: PropMessageTimeout, Type: "duration (`30s`) or milliseconds", Default: DefaultMessageTimeout.String(), Example: "10s", Mode: ModeBoth,
		Doc:     "Longest time one message may take from its first frame to its last; a message still open then (endless fragments) closes its connection with 1008.",
		EKuiper: "not read: eKuiper keeps a fragmented message open for ever."},
	{Key: PropReconnectInterval, Type: "duration (`100ms`) or milliseconds; 0 never reconnects", Default: DefaultReconnectInterval.String(), Example: "500ms", Mode: ModeClient,
		Doc:     "Wait before the first attempt to dial the remote server again after the connection is lost; each failed attempt doubles it, up to maxReconnectInterval.",
		EKuiper: "not read: eKuiper never reconnects a lost client-mode connection."},
	{Key: PropMaxReconnect, Type: "duration (`10s`) or milliseconds", Default: DefaultMaxReconnectInterval.String(), Example: "30s", Mode: ModeClient,
		Doc:     "Longest wait between two reconnection attempts.",
		EKuiper: "not read: eKuiper never reconnects."},
}
