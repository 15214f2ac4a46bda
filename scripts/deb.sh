#!/bin/sh
# Build build/tattle_VERSION_ARCH.deb: `make install` into a staging tree
# with PREFIX=/usr, then DEBIAN/ from packaging/debian.  Called by
# `make deb` after the binaries are built.  Needs dpkg-deb; dpkg-shlibdeps
# (dpkg-dev) names the shared libraries' packages when present.
set -eu

MAKE=${MAKE:-make}
top=$(pwd)
version=$(sed -n 's/^#define TATTLE_VERSION "\(.*\)"/\1/p' daemon/version.h)
arch=$(dpkg --print-architecture)
stage=build/deb/tattle
out=build/tattle_${version}_${arch}.deb

rm -rf build/deb
mkdir -p "$stage/DEBIAN"
"$MAKE" --no-print-directory install DESTDIR="$top/$stage" PREFIX=/usr \
	SYSCONFDIR=/etc >/dev/null

# Debian policy: stripped binaries, compressed man pages, a copyright file.
strip --remove-section=.comment --remove-section=.note \
	"$stage/usr/sbin/tattled" "$stage/usr/bin/tattle"
gzip -9n "$stage/usr/share/man/man1/tattle.1" "$stage/usr/share/man/man8/tattled.8"
install -d "$stage/usr/share/doc/tattle"
install -m 0644 LICENSE "$stage/usr/share/doc/tattle/copyright"
# tattle-opensnitch's message code is generated from OpenSnitch's ui.proto
# (GPL-3.0): its origin and licence go along.
install -m 0644 opensnitch/proto/README.md \
	"$stage/usr/share/doc/tattle/opensnitch-ui.proto.README.md"
install -m 0644 opensnitch/proto/LICENSE \
	"$stage/usr/share/doc/tattle/opensnitch-ui.proto.LICENSE"

# Shared library dependencies, the way debhelper computes them.
deps=""
if command -v dpkg-shlibdeps >/dev/null; then
	tmp=$(mktemp -d)
	mkdir "$tmp/debian"
	printf 'Source: tattle\n\nPackage: tattle\nArchitecture: any\n' \
		> "$tmp/debian/control"
	deps=$(cd "$tmp" && dpkg-shlibdeps -O -e "$top/$stage/usr/sbin/tattled" \
		-e "$top/$stage/usr/bin/tattle" 2>/dev/null |
		sed -n 's/^shlibs:Depends=//p')
	rm -rf "$tmp"
fi
if [ -z "$deps" ]; then
	# Without dpkg-dev: the packages owning each linked library.
	deps=$(ldd "$stage/usr/sbin/tattled" "$stage/usr/bin/tattle" |
		awk '/=> \//{print $3}' | sort -u |
		xargs -r dpkg -S 2>/dev/null | cut -d: -f1 | sort -u |
		paste -sd, - | sed 's/,/, /g')
fi

size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@SIZE@|$size|" \
	-e "s|@DEPENDS@|$deps|" packaging/debian/control.in > "$stage/DEBIAN/control"
install -m 0644 packaging/debian/conffiles "$stage/DEBIAN/conffiles"
for s in postinst prerm postrm; do
	install -m 0755 "packaging/debian/$s" "$stage/DEBIAN/$s"
done
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' |
	sort | xargs md5sum) > "$stage/DEBIAN/md5sums"

dpkg-deb --root-owner-group --build "$stage" "$out" >/dev/null
echo "deb: $out"
