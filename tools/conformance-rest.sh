#!/usr/bin/env bash
# Runs the whole conformance suite through the REST target against the
# reference daemon: writes an engine configuration with `wsconform config`,
# builds and starts kuiperd on loopback ports that are free, waits for its
# REST API, runs `wsconform run --target rest`, stops the daemon with SIGTERM
# and exits with the runner's status.
#
# Environment: GO (default go), REPORTS (default reports; the report goes to
# $REPORTS/rest and the daemon's log to $REPORTS/rest-kuiperd.log),
# WSCONFORM_ARGS (extra arguments for `wsconform run`, e.g. "--tags @must").
set -euo pipefail
cd "$(dirname "$0")/.."

GO="${GO:-go}"
REPORTS="${REPORTS:-reports}"
START_TIMEOUT=60 # seconds to wait for the daemon's REST API
STOP_TIMEOUT=10  # seconds to wait for the daemon to exit after SIGTERM

tmp="$(mktemp -d "${TMPDIR:-/tmp}/wsconform-rest.XXXXXX")"
kuiperd_pid=""

log() { printf 'conformance-rest: %s\n' "$*" >&2; }

stop_kuiperd() {
	[ -n "$kuiperd_pid" ] || return 0
	local pid="$kuiperd_pid"
	kuiperd_pid=""
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	local deadline=$((SECONDS + STOP_TIMEOUT))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			log "kuiperd (pid $pid) did not stop within ${STOP_TIMEOUT}s after SIGTERM; killing it"
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.1
	done
	local rc=0
	wait "$pid" 2>/dev/null || rc=$?
	if [ "$rc" -ne 0 ]; then
		log "kuiperd exited with status $rc (log: $REPORTS/rest-kuiperd.log)"
	fi
}

cleanup() {
	stop_kuiperd
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$REPORTS"

log "building kuiperd and wsconform"
"$GO" build -o "$tmp/kuiperd" ./impl/cmd/kuiperd
"$GO" build -o "$tmp/wsconform" ./tools/wsconform

# A free loopback port for the data server: the REST target must know the
# data server's address before any rule opens it. The REST API itself takes
# port 0 and reports the port it got through --addr-file.
mkdir -p "$tmp/freeport"
cat >"$tmp/freeport/main.go" <<'EOF'
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
}
EOF
data_port="$("$GO" run "$tmp/freeport/main.go")"

"$tmp/wsconform" config --out "$tmp/etc" >/dev/null

log "starting kuiperd (REST on 127.0.0.1, data server on 127.0.0.1:$data_port)"
"$tmp/kuiperd" --etc "$tmp/etc" --data "$tmp/data" \
	--rest 127.0.0.1:0 --addr-file "$tmp/rest-addr" \
	--data-server "127.0.0.1:$data_port" \
	>"$REPORTS/rest-kuiperd.log" 2>&1 &
kuiperd_pid=$!

# ping HOST PORT: true when GET /ping answers 200.
ping_rest() (
	exec 3<>"/dev/tcp/$1/$2" || exit 1
	printf 'GET /ping HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$1" "$2" >&3
	IFS= read -r -t 2 status <&3 || exit 1
	[[ "$status" == HTTP/1.?" 200"* ]]
)

deadline=$((SECONDS + START_TIMEOUT))
rest_addr=""
while :; do
	if ! kill -0 "$kuiperd_pid" 2>/dev/null; then
		log "kuiperd exited before its REST API answered; its log:"
		cat "$REPORTS/rest-kuiperd.log" >&2
		exit 1
	fi
	if [ -z "$rest_addr" ] && [ -s "$tmp/rest-addr" ]; then
		rest_addr="$(tr -d '[:space:]' <"$tmp/rest-addr")"
	fi
	if [ -n "$rest_addr" ] && ping_rest "${rest_addr%:*}" "${rest_addr##*:}" 2>/dev/null; then
		break
	fi
	if [ "$SECONDS" -ge "$deadline" ]; then
		log "kuiperd's REST API did not answer GET /ping within ${START_TIMEOUT}s; its log:"
		cat "$REPORTS/rest-kuiperd.log" >&2
		exit 1
	fi
	sleep 0.1
done
log "kuiperd answers on http://$rest_addr"

rc=0
# shellcheck disable=SC2086 # WSCONFORM_ARGS is split on purpose
"$tmp/wsconform" run --target rest \
	--rest-url "http://$rest_addr" \
	--data-url "ws://127.0.0.1:$data_port" \
	--report "$REPORTS/rest" ${WSCONFORM_ARGS:-} || rc=$?

stop_kuiperd
exit "$rc"
