#!/usr/bin/env bash
# Runs the whole conformance suite through the REST target against the
# reference daemon kuiperd, started from `wsconform config` output on free
# loopback ports:
#   1. a ws engine: the suite twice in a row against the same engine, then a
#      check that the runs left no stream and no rule behind;
#   2. a wss engine (`wsconform config --tls`): the suite once more, so the
#      scenarios that need a wss data server run too;
#   3. a fresh ws engine serving only one run (`wsconform run --exclusive`,
#      one scenario at a time): the scenarios tagged @needs-lifecycle or
#      @needs-message-limit, so the data server's port is watched opening and
#      closing with each scenario's rules.
# Each daemon is stopped with SIGTERM. The exit status is non-zero when any
# run failed or the engine was left dirty.
#
# Environment: GO (default go); REPORTS (default reports): reports go to
# $REPORTS/rest, $REPORTS/rest-again, $REPORTS/rest-tls and
# $REPORTS/rest-exclusive, daemon logs to $REPORTS/<run>-kuiperd.log;
# WSCONFORM_ARGS: extra arguments for every `wsconform run`, e.g.
# "--tags @must" (the exclusive run keeps its own --tags).
set -euo pipefail
cd "$(dirname "$0")/.."

GO="${GO:-go}"
REPORTS="${REPORTS:-reports}"
START_TIMEOUT=60 # seconds to wait for a daemon's REST API
STOP_TIMEOUT=10  # seconds to wait for a daemon to exit after SIGTERM
SUITE_STOP_TIMEOUT=60 # seconds to wait for an interrupted run to clean up

tmp="$(mktemp -d "${TMPDIR:-/tmp}/wsconform-rest.XXXXXX")"
kuiperd_pid=""
kuiperd_log=""
suite_pid=""
rest_addr=""

log() { printf 'conformance-rest: %s\n' "$*" >&2; }

# terminate PID NAME SECONDS: sends SIGTERM to a child of this script, kills
# it when it has not exited SECONDS later, and returns its exit status.
terminate() {
	local pid="$1" name="$2" timeout="$3"
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		local deadline=$((SECONDS + timeout))
		while kill -0 "$pid" 2>/dev/null; do
			if [ "$SECONDS" -ge "$deadline" ]; then
				log "$name (pid $pid) did not stop within ${timeout}s after SIGTERM; killing it"
				kill -KILL "$pid" 2>/dev/null || true
				break
			fi
			sleep 0.1
		done
	fi
	local rc=0
	wait "$pid" 2>/dev/null || rc=$?
	return "$rc"
}

stop_kuiperd() {
	[ -n "$kuiperd_pid" ] || return 0
	local pid="$kuiperd_pid" rc=0
	kuiperd_pid=""
	terminate "$pid" kuiperd "$STOP_TIMEOUT" || rc=$?
	if [ "$rc" -ne 0 ]; then
		log "kuiperd exited with status $rc (log: $kuiperd_log)"
		return 1
	fi
}

# stop_suite: ends a running wsconform, which then removes what its scenarios
# made on the engine (so it goes before the daemon).
stop_suite() {
	[ -n "$suite_pid" ] || return 0
	local pid="$suite_pid"
	suite_pid=""
	terminate "$pid" wsconform "$SUITE_STOP_TIMEOUT" || true
}

cleanup() {
	stop_suite
	stop_kuiperd || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# http_get HOST PORT PATH: prints the status line, a blank line and the body
# of GET PATH (HTTP/1.0, so the server closes the connection after it).
http_get() (
	exec 3<>"/dev/tcp/$1/$2" || exit 1
	printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$3" "$1" "$2" >&3
	local status
	IFS= read -r -t 5 status <&3 || exit 1
	printf '%s\n\n' "${status%$'\r'}"
	# Skip the headers, then copy the body; every read waits 5s at most.
	local line
	while IFS= read -r -t 5 line <&3; do
		[ -n "${line%$'\r'}" ] || break
	done
	while IFS= read -r -t 5 line <&3 || [ -n "$line" ]; do
		printf '%s\n' "$line"
		line=""
	done
)

# ping_rest HOST PORT: true when GET /ping answers 200.
ping_rest() {
	local out
	out="$(http_get "$1" "$2" /ping 2>/dev/null)" || return 1
	[[ "$out" == HTTP/1.?" 200"* ]]
}

# free_port: a loopback port that was free a moment ago.
free_port() {
	"$GO" run "$tmp/freeport/main.go"
}

# start_kuiperd NAME ETC DATA_PORT: starts the daemon with the configuration
# directory ETC, the REST API on a port of its choice and the data server on
# DATA_PORT; sets rest_addr once GET /ping answers.
start_kuiperd() {
	local name="$1" etc="$2" data_port="$3"
	kuiperd_log="$REPORTS/$name-kuiperd.log"
	rm -f "$tmp/$name-rest-addr"
	log "starting kuiperd for $name (data server on 127.0.0.1:$data_port, log $kuiperd_log)"
	"$tmp/kuiperd" --etc "$etc" --data "$tmp/$name-data" \
		--rest 127.0.0.1:0 --addr-file "$tmp/$name-rest-addr" \
		--data-server "127.0.0.1:$data_port" \
		>"$kuiperd_log" 2>&1 &
	kuiperd_pid=$!
	rest_addr=""
	local deadline=$((SECONDS + START_TIMEOUT))
	while :; do
		if ! kill -0 "$kuiperd_pid" 2>/dev/null; then
			log "kuiperd exited before its REST API answered; its log:"
			cat "$kuiperd_log" >&2
			return 1
		fi
		if [ -z "$rest_addr" ] && [ -s "$tmp/$name-rest-addr" ]; then
			rest_addr="$(tr -d '[:space:]' <"$tmp/$name-rest-addr")"
		fi
		if [ -n "$rest_addr" ] && ping_rest "${rest_addr%:*}" "${rest_addr##*:}"; then
			log "kuiperd answers on http://$rest_addr"
			return 0
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			log "kuiperd's REST API did not answer GET /ping within ${START_TIMEOUT}s; its log:"
			cat "$kuiperd_log" >&2
			return 1
		fi
		sleep 0.1
	done
}

# run_suite REPORT_DIR ARGS...: runs the whole suite through the REST target
# against the running daemon; returns the runner's status. The runner runs in
# the background so that a signal to this script is handled at once.
run_suite() {
	local report="$1"
	shift
	log "running the suite through the REST target (report: $report)"
	# WSCONFORM_ARGS comes first, so that the arguments a run needs win.
	# shellcheck disable=SC2086 # WSCONFORM_ARGS is split on purpose
	"$tmp/wsconform" run --target rest --rest-url "http://$rest_addr" \
		--report "$report" ${WSCONFORM_ARGS:-} "$@" &
	suite_pid=$!
	local rc=0
	wait "$suite_pid" || rc=$?
	suite_pid=""
	return "$rc"
}

# engine_empty: true when the running daemon holds no stream and no rule.
engine_empty() {
	local what out body ok=0
	for what in streams rules; do
		out="$(http_get "${rest_addr%:*}" "${rest_addr##*:}" "/$what")" || {
			log "GET /$what failed"
			ok=1
			continue
		}
		body="$(printf '%s' "${out#*$'\n\n'}" | tr -d '[:space:]')"
		if [ "$body" != "[]" ]; then
			log "the runs left $what behind: $body"
			ok=1
		fi
	done
	return "$ok"
}

mkdir -p "$REPORTS" "$tmp/freeport"
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

log "building kuiperd and wsconform"
"$GO" build -o "$tmp/kuiperd" ./impl/cmd/kuiperd
"$GO" build -o "$tmp/wsconform" ./tools/wsconform

status=0

# 1. ws: twice against one engine, then nothing may be left behind.
"$tmp/wsconform" config --out "$tmp/etc" >/dev/null
port="$(free_port)"
start_kuiperd rest "$tmp/etc" "$port"
run_suite "$REPORTS/rest" --data-url "ws://127.0.0.1:$port" || status=1
run_suite "$REPORTS/rest-again" --data-url "ws://127.0.0.1:$port" || status=1
engine_empty || status=1
stop_kuiperd || status=1

# 2. wss: the engine serves its data server with the certificates config wrote.
"$tmp/wsconform" config --out "$tmp/etc-tls" --tls >/dev/null
port="$(free_port)"
start_kuiperd rest-tls "$tmp/etc-tls" "$port"
run_suite "$REPORTS/rest-tls" --data-url "wss://127.0.0.1:$port" --ca "$tmp/etc-tls/certs/ca.pem" || status=1
engine_empty || status=1
stop_kuiperd || status=1

# 3. exclusive: a fresh engine that serves only this run, one scenario at a
# time, for the scenarios that watch the data server's port or set a message
# size limit.
port="$(free_port)"
start_kuiperd rest-exclusive "$tmp/etc" "$port"
run_suite "$REPORTS/rest-exclusive" --data-url "ws://127.0.0.1:$port" \
	--exclusive --tags "@needs-lifecycle,@needs-message-limit" || status=1
engine_empty || status=1
stop_kuiperd || status=1

if [ "$status" -ne 0 ]; then
	log "FAILED (reports under $REPORTS/rest*)"
else
	log "passed (reports under $REPORTS/rest*)"
fi
exit "$status"
