#!/bin/sh
# Install the Debian packages tattle needs to build, test, fuzz and benchmark.
# Idempotent: quiet when everything is already present.
set -eu

PKGS="build-essential pkg-config clang llvm libclang-rt-14-dev \
bpftool libbpf-dev libelf-dev zlib1g-dev liburing-dev \
libmnl-dev libnetfilter-queue-dev libjson-c-dev libcmocka-dev \
libauparse-dev libssl-dev iptables nftables iproute2 procps tmux python3 \
util-linux psmisc \
python3-grpc-tools python3-grpcio python3-opensnitch-ui python3-protobuf \
rsyslog rsyslog-relp xdotool xvfb \
debootstrap systemd-container"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "deps.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
