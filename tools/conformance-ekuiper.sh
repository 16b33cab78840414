#!/usr/bin/env bash
# Judges the real eKuiper: builds its kuiperd (tools/ekuiper/build.sh, cached),
# starts it on free loopback ports from `wsconform config --for ekuiper`
# output, and runs the suite through the REST target with the expectations
# file, so the run passes only when every scenario does what the file says
# eKuiper does (an unexpected failure and an unexpected pass both fail it):
#   1. a ws engine: every scenario that needs no wss data server and no
#      engine of its own;
#   2. a wss engine (`--tls`): the same, and the scenarios that need a wss
#      data server;
#   3. a fresh ws engine serving only one run (`--exclusive`): the scenarios
#      tagged @needs-lifecycle or @needs-message-limit.
# After each run the engine must hold no stream and no rule, and its default
# websocket confKey must be what it was before the run. Each engine is stopped
# with SIGTERM, also when this script is interrupted.
#
# Environment: GO (default go); REPORTS (default reports): reports go to
# $REPORTS/ekuiper, $REPORTS/ekuiper-tls and $REPORTS/ekuiper-exclusive,
# engine logs beside them; EXPECT (default
# fixtures/expectations/ekuiper-2.4.0.yaml); EKUIPER_BIN: a kuiperd to use
# instead of building one; EKUIPER_SRC, EKUIPER_TARBALL, EKUIPER_CACHE: see
# tools/ekuiper/build.sh; WSCONFORM_ARGS: extra arguments for every run.
set -euo pipefail
cd "$(dirname "$0")/.."

GO="${GO:-go}"
REPORTS="${REPORTS:-reports}"
EXPECT="${EXPECT:-fixtures/expectations/ekuiper-2.4.0.yaml}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/wsconform-ekuiper.XXXXXX")"

log() { printf 'conformance-ekuiper: %s\n' "$*" >&2; }

# shellcheck source=internal/sh/engine.sh
. "tools/internal/sh/engine.sh"

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -f "$EXPECT" ] || {
	log "no expectations file $EXPECT"
	exit 2
}

mkdir -p "$REPORTS"
started=$SECONDS
if [ -n "${EKUIPER_BIN:-}" ]; then
	kuiperd="$EKUIPER_BIN"
else
	kuiperd="$(GO="$GO" bash tools/ekuiper/build.sh)"
fi
[ -x "$kuiperd" ] || {
	log "no eKuiper kuiperd at $kuiperd"
	exit 2
}
log "building wsconform"
"$GO" build -o "$tmp/wsconform" ./tools/wsconform

# start_ekuiper NAME [--tls]: writes a configuration for eKuiper on free
# ports, starts it and waits for its REST API; sets data_port.
data_port=""
start_ekuiper() {
	local name="$1"
	shift
	local rest_port dir="$tmp/$name"
	rest_port="$(free_port)"
	data_port="$(free_port)"
	# config writes DIR/etc, DIR/data, DIR/log, DIR/plugins (and DIR/certs).
	"$tmp/wsconform" config --for ekuiper --out "$dir" \
		--rest-port "$rest_port" --data-port "$data_port" "$@" >"$tmp/$name-config.out"
	start_engine "eKuiper ($name)" "$REPORTS/$name-ekuiper.log" "127.0.0.1:$rest_port" \
		"$kuiperd" -loadFileType absolute -etc "$dir/etc" -data "$dir/data" \
		-log "$dir/log" -plugins "$dir/plugins"
	log "$(rest_body /)"
}

# websocket_confkeys: the websocket confKeys the engine holds, as JSON. An
# eKuiper that never held one answers {"error":5000,"message":"sources.websocket"}
# (its store has no such table yet): that is {} too.
websocket_confkeys() {
	local body
	body="$(rest_body /metadata/sources/yaml/websocket)" || return 1
	if [[ "$body" == '{"error":'*'"message":"sources.websocket"}' ]]; then
		body="{}"
	fi
	printf '%s' "$body"
}

# check_engine_left_as_found CONFKEYS_BEFORE: the engine holds no stream, no
# rule, and the websocket confKeys it held before the run.
check_engine_left_as_found() {
	local before="$1" after ok=0
	engine_empty || ok=1
	after="$(websocket_confkeys)" || after="(GET failed)"
	if [ "$after" != "$before" ]; then
		log "the run changed the engine's websocket confKeys: before $before, after $after"
		ok=1
	fi
	return "$ok"
}

status=0
expect=(--expect "$EXPECT")

# 1. ws.
start_ekuiper ekuiper
before="$(websocket_confkeys)"
run_suite "$tmp/wsconform" "$REPORTS/ekuiper" "${expect[@]}" \
	--data-url "ws://127.0.0.1:$data_port" \
	--tags '~@needs-server-tls && ~@needs-lifecycle' || status=1
check_engine_left_as_found "$before" || status=1
stop_engine || status=1

# 2. wss: eKuiper serves its data server with the certificates config wrote.
start_ekuiper ekuiper-tls --tls
before="$(websocket_confkeys)"
run_suite "$tmp/wsconform" "$REPORTS/ekuiper-tls" "${expect[@]}" \
	--data-url "wss://127.0.0.1:$data_port" --ca "$tmp/ekuiper-tls/certs/ca.pem" \
	--tags '~@needs-lifecycle' || status=1
check_engine_left_as_found "$before" || status=1
stop_engine || status=1

# 3. exclusive: a fresh engine that serves only this run.
start_ekuiper ekuiper-exclusive
before="$(websocket_confkeys)"
run_suite "$tmp/wsconform" "$REPORTS/ekuiper-exclusive" "${expect[@]}" \
	--data-url "ws://127.0.0.1:$data_port" \
	--exclusive --tags '@needs-lifecycle,@needs-message-limit' || status=1
check_engine_left_as_found "$before" || status=1
stop_engine || status=1

if [ "$status" -ne 0 ]; then
	log "FAILED after $((SECONDS - started))s (reports under $REPORTS/ekuiper*)"
else
	log "passed: every outcome as $EXPECT expects, in $((SECONDS - started))s (reports under $REPORTS/ekuiper*)"
fi
exit "$status"
