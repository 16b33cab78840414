#!/usr/bin/env bash
# Builds eKuiper's kuiperd from a source tree, once: the binary is cached by
# the source's identity, so a second run does not rebuild.
#
#   tools/ekuiper/build.sh            prints the path of the built kuiperd
#
# Environment:
#   EKUIPER_SRC    an eKuiper source tree (a checkout of lf-edge/ekuiper). When
#                  unset, EKUIPER_TARBALL is unpacked into the cache.
#   EKUIPER_TARBALL  default ../shared/ekuiper/ekuiper-0014e7fab.tar.gz beside
#                  the project root.
#   EKUIPER_VERSION  the version stamped into the binary (default 2.4.0-27-g0014e7fab).
#   EKUIPER_CACHE  where sources and binaries are kept (default
#                  ${XDG_CACHE_HOME:-$HOME/.cache}/wsconform/ekuiper).
#   GO             the go command (default go).
#
# The module sqlflow.org/gohive is refused by the module proxy; it is imported
# only by a Hive SQL driver kuiperd does not need. The build uses a copy of
# go.mod/go.sum in which it is replaced by an empty local stub module, so the
# source tree itself is never changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

GO="${GO:-go}"
EKUIPER_VERSION="${EKUIPER_VERSION:-2.4.0-27-g0014e7fab}"
EKUIPER_TARBALL="${EKUIPER_TARBALL:-$root/../shared/ekuiper/ekuiper-0014e7fab.tar.gz}"
EKUIPER_CACHE="${EKUIPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wsconform/ekuiper}"

log() { printf 'ekuiper-build: %s\n' "$*" >&2; }

mkdir -p "$EKUIPER_CACHE"
if [ -n "${EKUIPER_SRC:-}" ]; then
	src="$(cd "$EKUIPER_SRC" && pwd)"
	[ -f "$src/go.mod" ] && [ -d "$src/cmd/kuiperd" ] || {
		log "EKUIPER_SRC=$EKUIPER_SRC is not an eKuiper source tree (no go.mod or cmd/kuiperd)"
		exit 2
	}
	key="src-$(printf '%s' "$src" | sha256sum | cut -c1-12)-$(
		cd "$src" && { git rev-parse HEAD 2>/dev/null || cat go.sum | sha256sum | cut -c1-12; }
	)"
else
	[ -f "$EKUIPER_TARBALL" ] || {
		log "no eKuiper source: set EKUIPER_SRC, or EKUIPER_TARBALL (not found: $EKUIPER_TARBALL)"
		exit 2
	}
	key="tar-$(sha256sum "$EKUIPER_TARBALL" | cut -c1-16)"
	src="$EKUIPER_CACHE/$key/src/ekuiper"
	if [ ! -f "$src/go.mod" ]; then
		log "unpacking $EKUIPER_TARBALL"
		rm -rf "$EKUIPER_CACHE/$key/src"
		mkdir -p "$EKUIPER_CACHE/$key/src.tmp"
		tar -xzf "$EKUIPER_TARBALL" -C "$EKUIPER_CACHE/$key/src.tmp"
		mv "$EKUIPER_CACHE/$key/src.tmp" "$EKUIPER_CACHE/$key/src"
	fi
fi

out="$EKUIPER_CACHE/$key/bin"
bin="$out/kuiperd"
if [ -x "$bin" ] && [ -f "$out/version" ] && [ "$(cat "$out/version")" = "$EKUIPER_VERSION" ]; then
	printf '%s\n' "$bin"
	exit 0
fi

mod="$EKUIPER_CACHE/$key/mod"
rm -rf "$mod"
mkdir -p "$mod/gohive" "$out"
printf 'module sqlflow.org/gohive\n\ngo 1.21\n' >"$mod/gohive/go.mod"
cp "$src/go.mod" "$mod/go.mod"
cp "$src/go.sum" "$mod/go.sum"
(cd "$src" && GOWORK=off "$GO" mod edit -modfile="$mod/go.mod" -replace "sqlflow.org/gohive=$mod/gohive")

log "building kuiperd $EKUIPER_VERSION from $src (a few minutes on an empty module cache)"
started=$SECONDS
(
	cd "$src"
	GOWORK=off CGO_ENABLED=1 GOFLAGS=-mod=mod "$GO" build -modfile="$mod/go.mod" -trimpath \
		-ldflags "-s -w -X github.com/lf-edge/ekuiper/v2/cmd.Version=$EKUIPER_VERSION -X github.com/lf-edge/ekuiper/v2/cmd.LoadFileType=relative" \
		-o "$bin.tmp" ./cmd/kuiperd
)
mv "$bin.tmp" "$bin"
printf '%s\n' "$EKUIPER_VERSION" >"$out/version"
log "built in $((SECONDS - started))s: $bin"
printf '%s\n' "$bin"
