#!/bin/sh
# Installs, on Debian, whatever tcpconform needs to build and test that is not yet installed.
# `make run` and `make test` call this first, so a fresh machine needs nothing done by hand.
# It asks dpkg first and touches apt only when something is missing, so repeated runs are quick.
set -eu
pkgs="gcc make pkg-config libnet1-dev libpcap-dev libyaml-dev libjansson-dev libcmocka-dev
      iproute2 ethtool procps libc6-dev python3 liblwip-dev chromium libxml2-utils perl bsdutils
      golang-go golang-gvisor-gvisor-dev"
missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "tcpconform: missing Debian packages:$missing; run as root or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "tcpconform: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
