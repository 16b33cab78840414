#!/usr/bin/env bash
# Measures three engines with `wsconform bench`, each beside a raw gorilla
# read loop in the same run, and writes BENCHMARKS.md and BENCHMARKS.svg:
#   1. the reference engine in process (--target ref);
#   2. the reference daemon kuiperd through its REST API (skip with BENCH_KUIPERD=0);
#   3. the real eKuiper (tools/ekuiper/build.sh, cached), started on free
#      loopback ports from `wsconform config --for ekuiper` output.
# Daemons get --pid, so their resident memory per idle connection is read
# from /proc. Each daemon is stopped with SIGTERM, also when this script is
# interrupted. Every run is bounded (counts and per-workload timeouts).
#
# Environment: GO (default go); REPORTS (default reports): each run's
# bench.json, bench.svg and engine log go under $REPORTS/bench-*; OUT
# (default BENCHMARKS.md) and SVG (default BENCHMARKS.svg); BENCH_ARGS:
# extra arguments for every run (e.g. --messages 200000); BENCH_KUIPERD=0
# skips the daemon run; EKUIPER_BIN, EKUIPER_SRC, EKUIPER_TARBALL,
# EKUIPER_CACHE: see tools/ekuiper/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

GO="${GO:-go}"
REPORTS="${REPORTS:-reports}"
OUT="${OUT:-BENCHMARKS.md}"
SVG="${SVG:-BENCHMARKS.svg}"
BENCH_KUIPERD="${BENCH_KUIPERD:-1}"
# The same workload for every engine: one million messages, so that loss
# shows at the count the reference's goal names.
BENCH_DEFAULTS=(--messages 1000000 --conns 4 --client-messages 200000
	--latency-rate 500 --latency-count 1000 --idle-conns 10000
	--storm-conns 2000 --storm-parallel 32 --timeout 60s)

tmp="$(mktemp -d "${TMPDIR:-/tmp}/wsconform-bench.XXXXXX")"

log() { printf 'bench-ekuiper: %s\n' "$*" >&2; }

# shellcheck source=internal/sh/engine.sh
. "tools/internal/sh/engine.sh"

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$REPORTS"
started=$SECONDS
if [ -n "${EKUIPER_BIN:-}" ]; then
	kuiperd_ek="$EKUIPER_BIN"
else
	kuiperd_ek="$(GO="$GO" bash tools/ekuiper/build.sh)"
fi
log "building wsconform and kuiperd"
"$GO" build -o "$tmp/wsconform" ./tools/wsconform
"$GO" build -o "$tmp/kuiperd" ./impl/cmd/kuiperd

# bench NAME ARGS...: one run, its files under $REPORTS/bench-NAME.
bench() {
	local name="$1"
	shift
	log "bench $name"
	# shellcheck disable=SC2086 # BENCH_ARGS is split on purpose
	"$tmp/wsconform" bench "${BENCH_DEFAULTS[@]}" ${BENCH_ARGS:-} "$@" --out "$REPORTS/bench-$name" &
	suite_pid=$!
	local rc=0
	wait "$suite_pid" || rc=$?
	suite_pid=""
	runs+=("$REPORTS/bench-$name/bench.json")
	return "$rc"
}

runs=()
status=0

# 1. In process.
bench ref --target ref --label "reference (in-process)" || status=1

# 2. The reference daemon over REST.
if [ "$BENCH_KUIPERD" != 0 ]; then
	"$tmp/wsconform" config --out "$tmp/etc" >/dev/null
	port="$(free_port)"
	start_engine "kuiperd" "$REPORTS/bench-kuiperd.log" "$tmp/kuiperd-rest-addr" \
		"$tmp/kuiperd" --etc "$tmp/etc" --data "$tmp/kuiperd-data" \
		--rest 127.0.0.1:0 --addr-file "$tmp/kuiperd-rest-addr" --data-server "127.0.0.1:$port"
	bench kuiperd --target rest --rest-url "http://$rest_addr" --data-url "ws://127.0.0.1:$port" \
		--pid "$engine_pid" --label "kuiperd (REST)" || status=1
	stop_engine || status=1
fi

# 3. eKuiper, configured as tools/conformance-ekuiper.sh does.
rest_port="$(free_port)"
data_port="$(free_port)"
"$tmp/wsconform" config --for ekuiper --out "$tmp/ekuiper" \
	--rest-port "$rest_port" --data-port "$data_port" >/dev/null
start_engine "eKuiper" "$REPORTS/bench-ekuiper.log" "127.0.0.1:$rest_port" \
	"$kuiperd_ek" -loadFileType absolute -etc "$tmp/ekuiper/etc" -data "$tmp/ekuiper/data" \
	-log "$tmp/ekuiper/log" -plugins "$tmp/ekuiper/plugins"
bench ekuiper --target rest --rest-url "http://$rest_addr" --data-url "ws://127.0.0.1:$data_port" \
	--pid "$engine_pid" --label "eKuiper $(rest_body / | sed -n 's/.*"version":"\([^"]*\)".*/\1/p')" || status=1
stop_engine || status=1

"$tmp/wsconform" bench report --command "make bench-ekuiper" --markdown "$OUT" --svg "$SVG" "${runs[@]}" || status=1

if [ "$status" -ne 0 ]; then
	log "FAILED after $((SECONDS - started))s (runs under $REPORTS/bench-*)"
else
	log "wrote $OUT and $SVG in $((SECONDS - started))s (runs under $REPORTS/bench-*)"
fi
exit "$status"
