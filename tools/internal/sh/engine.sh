# Shell helpers shared by the scripts that run the suite against a daemon
# (tools/conformance-rest.sh, tools/conformance-ekuiper.sh). Source it after
# setting GO and tmp (a private temporary directory the caller removes).
#
# The caller's state: engine_pid/engine_name/engine_log (the running daemon),
# suite_pid (a running wsconform), rest_addr (host:port of the REST API).

engine_pid=""
engine_name=""
engine_log=""
suite_pid=""
rest_addr=""

STOP_TIMEOUT="${STOP_TIMEOUT:-10}"             # seconds for a daemon to exit after SIGTERM
SUITE_STOP_TIMEOUT="${SUITE_STOP_TIMEOUT:-60}" # seconds for an interrupted run to clean up
START_TIMEOUT="${START_TIMEOUT:-60}"           # seconds to wait for a daemon's REST API

# cleanup: stops a running wsconform (which removes what it made on the
# engine), then the daemon, and removes $tmp; the scripts run it on EXIT.
cleanup() {
	stop_suite
	stop_engine || true
	rm -rf "$tmp"
}

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

# stop_engine: stops the running daemon; fails when it exited with an error.
stop_engine() {
	[ -n "$engine_pid" ] || return 0
	local pid="$engine_pid" rc=0
	engine_pid=""
	terminate "$pid" "$engine_name" "$STOP_TIMEOUT" || rc=$?
	if [ "$rc" -ne 0 ]; then
		log "$engine_name exited with status $rc (log: $engine_log)"
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

# rest_body PATH: the body of GET PATH on the running daemon, whitespace removed.
rest_body() {
	local out
	out="$(http_get "${rest_addr%:*}" "${rest_addr##*:}" "$1")" || return 1
	printf '%s' "${out#*$'\n\n'}" | tr -d '[:space:]'
}

# ping_rest HOST PORT: true when GET /ping answers 200.
ping_rest() {
	local out
	out="$(http_get "$1" "$2" /ping 2>/dev/null)" || return 1
	[[ "$out" == HTTP/1.?" 200"* ]]
}

# free_port: a loopback port that was free a moment ago.
free_port() {
	if [ ! -f "$tmp/freeport/main.go" ]; then
		mkdir -p "$tmp/freeport"
		cat >"$tmp/freeport/main.go" <<'GO'
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
GO
		"$GO" build -o "$tmp/freeport/freeport" "$tmp/freeport/main.go"
	fi
	"$tmp/freeport/freeport"
}

# start_engine NAME LOG ADDR_OR_FILE CMD...: starts CMD in the background with
# its output in LOG and waits until GET /ping answers on the REST API. The
# REST address is ADDR_OR_FILE when it is host:port, or read from that file
# once the daemon writes it. Sets rest_addr.
start_engine() {
	engine_name="$1" engine_log="$2"
	local where="$3"
	shift 3
	log "starting $engine_name (log $engine_log)"
	"$@" >"$engine_log" 2>&1 &
	engine_pid=$!
	rest_addr=""
	local deadline=$((SECONDS + START_TIMEOUT))
	while :; do
		if ! kill -0 "$engine_pid" 2>/dev/null; then
			log "$engine_name exited before its REST API answered; its log:"
			cat "$engine_log" >&2
			engine_pid=""
			return 1
		fi
		if [ -z "$rest_addr" ]; then
			if [[ "$where" == *:* ]]; then
				rest_addr="$where"
			elif [ -s "$where" ]; then
				rest_addr="$(tr -d '[:space:]' <"$where")"
			fi
		fi
		if [ -n "$rest_addr" ] && ping_rest "${rest_addr%:*}" "${rest_addr##*:}"; then
			log "$engine_name answers on http://$rest_addr"
			return 0
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			log "$engine_name's REST API did not answer GET /ping within ${START_TIMEOUT}s; its log:"
			tail -50 "$engine_log" >&2
			return 1
		fi
		sleep 0.1
	done
}

# run_suite WSCONFORM REPORT_DIR ARGS...: runs the suite through the REST
# target against the running daemon; returns the runner's status. The runner
# runs in the background so that a signal to the script is handled at once.
run_suite() {
	local bin="$1" report="$2"
	shift 2
	log "running the suite through the REST target (report: $report)"
	# WSCONFORM_ARGS comes first, so that the arguments a run needs win.
	# shellcheck disable=SC2086 # WSCONFORM_ARGS is split on purpose
	"$bin" run --target rest --rest-url "http://$rest_addr" \
		--report "$report" ${WSCONFORM_ARGS:-} "$@" &
	suite_pid=$!
	local rc=0
	wait "$suite_pid" || rc=$?
	suite_pid=""
	return "$rc"
}

# engine_empty: true when the running daemon holds no stream and no rule.
engine_empty() {
	local what body ok=0
	for what in streams rules; do
		body="$(rest_body "/$what")" || {
			log "GET /$what failed"
			ok=1
			continue
		}
		if [ "$body" != "[]" ]; then
			log "the runs left $what behind: $body"
			ok=1
		fi
	done
	return "$ok"
}
