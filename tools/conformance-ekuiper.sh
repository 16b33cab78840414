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
# tools/ekuiper/build.sh; WSCONFORM_ARGS: extra arguments for every run;
# IDS: only these scenario ids (comma separated, as `wsconform list` shows
# them), each in the phases whose selection holds it; a phase that holds none
# of them is left out, and an id no phase holds is an error.
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
	# config writes DIR/etc, DIR/data, DIR/log, DIR/plugins (and DIR/certs);
	# a phase run again starts from nothing.
	rm -rf "$dir"
	"$tmp/wsconform" config --for ekuiper --out "$dir" \
		--rest-port "$rest_port" --data-port "$data_port" "$@" >"$tmp/$name-config.out" || return 1
	start_engine "eKuiper ($name)" "$REPORTS/$name-ekuiper.log" "127.0.0.1:$rest_port" \
		"$kuiperd" -loadFileType absolute -etc "$dir/etc" -data "$dir/data" \
		-log "$dir/log" -plugins "$dir/plugins" || return 1
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

expect=(--expect "$EXPECT")
[ -n "${IDS:-}" ] && expect+=(--id "$IDS")

# selects TAGS: true when the phase with these tags runs a scenario: always
# without IDS, otherwise when one of IDS is among the scenarios TAGS selects.
# The ids seen are added to ids_seen.
ids_seen=()
selects() {
	[ -n "${IDS:-}" ] || return 0
	local listed
	listed="$("$tmp/wsconform" list --tags "$1" --id "$IDS" | cut -f1)" || exit 2
	[ -n "$listed" ] || return 1
	mapfile -t -O "${#ids_seen[@]}" ids_seen <<<"$listed"
	return 0
}

# died: set by a phase whose engine exited during the run.
died=""

# suite_on NAME ARGS...: runs the suite on the running engine with report
# NAME, checks the engine was left as found, and stops it. When the engine
# died during the run, its panic is shown and died is set.
suite_on() {
	local name="$1" before rc=0
	shift
	before="$(websocket_confkeys)"
	run_suite "$tmp/wsconform" "$REPORTS/$name" "${expect[@]}" "$@" || rc=1
	if [ -n "$engine_pid" ] && ! kill -0 "$engine_pid" 2>/dev/null; then
		died=1
		cp "$REPORTS/$name-ekuiper.log" "$REPORTS/$name-ekuiper-died.log"
		log "eKuiper ($name) exited during the run; the end of its log:"
		grep -m1 -A12 '^panic' "$REPORTS/$name-ekuiper.log" >&2 || tail -20 "$REPORTS/$name-ekuiper.log" >&2
		stop_engine || true
		return 1
	fi
	check_engine_left_as_found "$before" || rc=1
	stop_engine || rc=1
	return "$rc"
}

# 1. ws.
phase_ws() {
	selects '~@needs-server-tls && ~@needs-lifecycle' || return 0
	start_ekuiper ekuiper || return 1
	suite_on ekuiper --data-url "ws://127.0.0.1:$data_port" \
		--tags '~@needs-server-tls && ~@needs-lifecycle'
}

# 2. wss: eKuiper serves its data server with the certificates config wrote.
phase_wss() {
	selects '~@needs-lifecycle' || return 0
	start_ekuiper ekuiper-tls --tls || return 1
	suite_on ekuiper-tls --data-url "wss://127.0.0.1:$data_port" \
		--ca "$tmp/ekuiper-tls/certs/ca.pem" --tags '~@needs-lifecycle'
}

# 3. exclusive: a fresh engine that serves only this run.
phase_exclusive() {
	selects '@needs-lifecycle,@needs-message-limit' || return 0
	start_ekuiper ekuiper-exclusive || return 1
	suite_on ekuiper-exclusive --data-url "ws://127.0.0.1:$data_port" \
		--exclusive --tags '@needs-lifecycle,@needs-message-limit'
}

# A run whose engine crashed is no verdict on the scenarios after the crash
# (eKuiper 2.4.0 has been seen to die of a nil pointer in its websocket
# endpoint bookkeeping when an endpoint is stopped and opened again at once):
# such a phase runs once more on a fresh engine, and the crash is reported
# in the summary, never hidden. A second crash fails the run.
status=0
crashes=()
for phase in phase_ws phase_wss phase_exclusive; do
	died=""
	"$phase" && continue
	if [ -z "$died" ]; then
		status=1
		continue
	fi
	log "${phase#phase_}: eKuiper crashed; running the phase again on a fresh engine"
	died=""
	if "$phase"; then
		crashes+=("${phase#phase_}")
	else
		status=1
	fi
done
if [ -n "${IDS:-}" ]; then
	for id in ${IDS//,/ }; do
		if ! printf '%s\n' "${ids_seen[@]%%/*}" | grep -qxF -- "${id%%/*}"; then
			log "IDS: no phase runs $id (phases: ws without @needs-server-tls and @needs-lifecycle, wss without @needs-lifecycle, exclusive @needs-lifecycle or @needs-message-limit)"
			status=2
		fi
	done
fi
if [ "${#crashes[@]}" -gt 0 ]; then
	log "eKuiper crashed once in: ${crashes[*]} (the repeated run passed; logs: $REPORTS/*-ekuiper-died.log)"
fi

if [ "$status" -ne 0 ]; then
	log "FAILED after $((SECONDS - started))s (reports under $REPORTS/ekuiper*)"
else
	log "passed: every outcome as $EXPECT expects, in $((SECONDS - started))s (reports under $REPORTS/ekuiper*)"
fi
exit "$status"
