// Package config reads the eKuiper configuration the WebSocket source depends on:
// the `basic` and `source` sections of etc/kuiper.yaml and the confKeys of
// etc/sources/websocket.yaml.
//
// Every error names the file (or confKey), the key and the offending value.
//
// Every key the parsers read is declared, with its type, default and mode, in
// KuiperSettings or ConfKeyProperties; the configuration reference of the
// behaviour documentation is generated from them.
package config
