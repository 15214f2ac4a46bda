#!/bin/sh
# unused-externs.sh - list the extern functions of the product that nothing
# in the product calls (tests and fuzzers do not count as callers).
# Compiles every module with one section per function and links tattled
# and tattle with --gc-sections: a function the linker drops from both
# binaries is unreachable from either main.  Exit 1 when any is found.
set -eu
cd "$(dirname "$0")/.."
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
PKGS=${PKGS:-"libmnl libnetfilter_queue json-c"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# build/bpf: the eBPF skeleton daemon/bpfsrc.c includes (make generates it).
flags="-std=gnu11 -D_GNU_SOURCE -Idaemon -Iproto -Irules -Iclient -Ibuild/bpf -O0 \
	-ffunction-sections $($PKG_CONFIG --cflags $PKGS) ${EXTRA_CFLAGS:-}"
libs="$($PKG_CONFIG --libs $PKGS) -lbpf -lelf -lz -lpthread ${EXTRA_LIBS:-}"
for f in daemon/*.c proto/*.c rules/*.c client/*.c; do
	# shellcheck disable=SC2086
	$CC $flags -c -o "$tmp/$(echo "$f" | tr / _).o" "$f"
done
# Externs only: an unused static is the compiler's warning already.
for o in "$tmp"/*.o; do
	nm "$o" | awk '$2 == "T" { print $3 }'
done | sort -u >"$tmp/externs"
gc() {	# out objects...: the functions --gc-sections removed
	out=$1; shift
	# shellcheck disable=SC2086
	$CC -o "$tmp/bin" "$@" -Wl,--gc-sections -Wl,--print-gc-sections $libs 2>&1 |
		sed -n "s/.*removing unused section '\.text\.\([^']*\)' in file '.*\/\([^']*\)\.c\.o'/\1 \2/p" |
		sort >"$tmp/$out"
}
shared=$(ls "$tmp"/daemon_*.o "$tmp"/proto_*.o "$tmp"/rules_*.o | grep -v '/daemon_main\.c\.o$')
# shellcheck disable=SC2086
gc d "$tmp/daemon_main.c.o" $shared
# shellcheck disable=SC2086
gc c "$tmp"/client_*.o $shared
comm -12 "$tmp/d" "$tmp/c" | sort -k1,1 | join - "$tmp/externs" >"$tmp/dead" || true
awk '{ sub(/_/, "/", $2); print $2 ".c: " $1 }' "$tmp/dead" | sort
[ ! -s "$tmp/dead" ]
