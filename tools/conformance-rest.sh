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

tmp="$(mktemp -d "${TMPDIR:-/tmp}/wsconform-rest.XXXXXX")"

log() { printf 'conformance-rest: %s\n' "$*" >&2; }

# shellcheck source=internal/sh/engine.sh
. "tools/internal/sh/engine.sh"

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_kuiperd NAME ETC DATA_PORT: starts the daemon with the configuration
# directory ETC, the REST API on a port of its choice and the data server on
# DATA_PORT; sets rest_addr once GET /ping answers.
start_kuiperd() {
	local name="$1" etc="$2" data_port="$3"
	rm -f "$tmp/$name-rest-addr"
	start_engine "kuiperd ($name, data server on 127.0.0.1:$data_port)" "$REPORTS/$name-kuiperd.log" "$tmp/$name-rest-addr" \
		"$tmp/kuiperd" --etc "$etc" --data "$tmp/$name-data" \
		--rest 127.0.0.1:0 --addr-file "$tmp/$name-rest-addr" \
		--data-server "127.0.0.1:$data_port"
}

mkdir -p "$REPORTS"

log "building kuiperd and wsconform"
"$GO" build -o "$tmp/kuiperd" ./impl/cmd/kuiperd
"$GO" build -o "$tmp/wsconform" ./tools/wsconform

status=0

# 1. ws: twice against one engine, then nothing may be left behind.
"$tmp/wsconform" config --out "$tmp/etc" >/dev/null
port="$(free_port)"
start_kuiperd rest "$tmp/etc" "$port"
run_suite "$tmp/wsconform" "$REPORTS/rest" --data-url "ws://127.0.0.1:$port" || status=1
run_suite "$tmp/wsconform" "$REPORTS/rest-again" --data-url "ws://127.0.0.1:$port" || status=1
engine_empty || status=1
stop_engine || status=1

# 2. wss: the engine serves its data server with the certificates config wrote.
"$tmp/wsconform" config --out "$tmp/etc-tls" --tls >/dev/null
port="$(free_port)"
start_kuiperd rest-tls "$tmp/etc-tls" "$port"
run_suite "$tmp/wsconform" "$REPORTS/rest-tls" --data-url "wss://127.0.0.1:$port" --ca "$tmp/etc-tls/certs/ca.pem" || status=1
engine_empty || status=1
stop_engine || status=1

# 3. exclusive: a fresh engine that serves only this run, one scenario at a
# time, for the scenarios that watch the data server's port or set a message
# size limit.
port="$(free_port)"
start_kuiperd rest-exclusive "$tmp/etc" "$port"
run_suite "$tmp/wsconform" "$REPORTS/rest-exclusive" --data-url "ws://127.0.0.1:$port" \
	--exclusive --tags "@needs-lifecycle,@needs-message-limit" || status=1
engine_empty || status=1
stop_engine || status=1

if [ "$status" -ne 0 ]; then
	log "FAILED (reports under $REPORTS/rest*)"
else
	log "passed (reports under $REPORTS/rest*)"
fi
exit "$status"
