#!/bin/bash
# scripts/deps.sh - install every Debian 12 package that building dpvsd,
# running its tests and its demo needs.  Every tool a test needs is here:
# under CI a missing one is a failed test, not a skip (test/run_all.sh).  Idempotent: packages already
# installed are left alone, and apt is not touched at all (no network
# needed) when nothing is missing.  Run as root (or it uses sudo).
set -euo pipefail

PACKAGES=(
	# build
	build-essential pkg-config
	dpdk dpdk-dev libdpdk-dev	# DPDK 22.11 (pkg-config libdpdk) and its PMDs
	libev-dev			# the master's event loop (control socket)
	libpopt-dev			# command lines of dpvsd, ipvsadm, dpip
	libconfig-dev			# the configuration file
	libsystemd-dev			# sd_notify (Type=notify unit)
	libmicrohttpd-dev		# the /metrics HTTP endpoint
	linux-headers-amd64		# kmod/toa (built only when headers match)
	# tests
	libgtest-dev			# unit tests
	python3 python3-scapy		# test report parsing, packet crafting
	clang libclang-rt-14-dev		# libFuzzer targets (make fuzz, test 90)
	clang-tidy			# make tidy (bugprone checks, run by scripts/test.sh)
	hping3				# SYN flood in the abuse tests (5x)
	iproute2 iputils-ping arping ethtool tcpdump psmisc procps util-linux
	netbase				# /etc/services (ipvsadm's port names, unit tests)
	binutils			# strings (test 46 reads toa.ko's modinfo)
	valgrind			# the tools under memcheck (test 26)
	prometheus			# promtool and a real scraper (test 70)
	tshark				# reads dpdk-dumpcap's pcapng (test 72)
	nginx-light curl wrk		# real servers and clients of the 4x/5x tests
	# demo and benchmarks
	iperf3
	nftables			# e2e benchmark's DNAT baseline (scripts/bench/e2e.sh)
)

missing=()
for p in "${PACKAGES[@]}"; do
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PACKAGES[@]} packages are installed"
	exit 0
fi

SUDO=
[ "$(id -u)" = 0 ] || SUDO="sudo -E"
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
