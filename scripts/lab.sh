#!/bin/bash
# scripts/lab.sh - the namespace lab shared by the integration tests, the
# demo and the benchmarks.
#
# Usage:
#   scripts/lab.sh up     [--prefix P] [--servers N] [--direct]
#   scripts/lab.sh down   [--prefix P]
#   scripts/lab.sh config [--prefix P] [--servers N]   # netif + inet config sections
#   scripts/lab.sh env    [--prefix P] [--servers N]   # shell variables (eval them)
#
# Topology (P = prefix, default "dl"; at most 7 characters; N servers, default 2, max 50):
#
#   ns P-cli                 default ns (dpvsd)              ns P-sw (bridge P-br)      ns P-rsI
#   Pc 10.77.1.2/24 ---- Pc0  = dpdk0 10.77.1.1/24
#                            Ps0  = dpdk1 10.77.2.1/24 ---- Psw0 --+-- PswI ---- PrI 10.77.2.(10+I)/24
#   Pd 10.77.2.254/24 -------------------------------------------- Pswc        (I = 0..N-1)
#   (Pd and Pswc only with --direct)
#
#  - dpvsd runs in the default namespace on two af_packet ports bound to Pc0
#    and Ps0 (vdevs: net_af_packet0,iface=Pc0 and net_af_packet1,iface=Ps0;
#    `lab.sh config` prints the netif and inet sections).  No address is put
#    on those interfaces in the default namespace.
#  - The client namespace reaches the servers' network through dpvsd
#    (route 10.77.0.0/16 via 10.77.1.1), and every server's default route
#    is dpvsd (10.77.2.1), as NAT and FNAT need.  With --direct (DR,
#    TUNNEL: replies bypass dpvsd) the client also gets a direct leg Pd on
#    the servers' switch (10.77.2.254) and each server routes 10.77.1.0/24
#    via 10.77.2.254 instead (the client then reaches 10.77.2.0/24 directly;
#    put VIPs outside it, e.g. on 10.77.1.0/24 or 10.77.9.0/24).
#  - Each server namespace has lo up and address 10.77.2.(10+I) on PrI.
#  - Checksum/segmentation offloads are off on every veth end (af_packet
#    would otherwise see partial checksums and oversized TSO frames).
#  - `up` is idempotent (it first removes a lab of the same prefix) and
#    removes what it created if it fails half-way; `down` removes
#    everything with the prefix and never fails on missing pieces.
#
# Only namespaces and veths named with the prefix are touched; addresses are
# 10.77.x inside the lab's namespaces only.  Needs root, ip(8), ethtool.
set -u

PREFIX=dl
SERVERS=2
DIRECT=0
NET=10.77

usage() {
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

cmd=${1:-}
[ -n "$cmd" ] || usage
shift
while [ $# -gt 0 ]; do
	case "$1" in
	--prefix) PREFIX=${2:-}; shift 2 ;;
	--servers) SERVERS=${2:-}; shift 2 ;;
	--direct) DIRECT=1; shift ;;
	-h|--help) usage ;;
	*) echo "lab.sh: unknown argument '$1'" >&2; usage ;;
	esac
done
[[ "$PREFIX" =~ ^[a-z][a-z0-9]{0,6}$ ]] || { echo "lab.sh: bad prefix '$PREFIX' (1-7 chars a-z0-9)" >&2; exit 2; }
[[ "$SERVERS" =~ ^[0-9]+$ ]] && [ "$SERVERS" -ge 1 ] && [ "$SERVERS" -le 50 ] ||
	{ echo "lab.sh: --servers must be 1..50" >&2; exit 2; }

P=$PREFIX
NS_CLI=$P-cli
NS_SW=$P-sw
ns_rs() { echo "$P-rs$1"; }

offloads_off() {	# [ns] dev
	if [ $# -eq 2 ]; then
		ip netns exec "$1" ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
	else
		ethtool -K "$1" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
	fi
}

lab_down() {
	local ns
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case "$ns" in "$P-cli"|"$P-sw"|"$P"-rs[0-9]*) ip netns del "$ns" 2>/dev/null ;; esac
	done
	ip link del "${P}c0" 2>/dev/null
	ip link del "${P}s0" 2>/dev/null
	return 0
}

run() {
	"$@" || { echo "lab.sh: failed: $*" >&2; return 1; }
}

lab_up_client() {
	run ip netns add "$NS_CLI" && run ip netns exec "$NS_CLI" ip link set lo up &&
	run ip link add "${P}c0" type veth peer name "${P}c" netns "$NS_CLI" &&
	run ip netns exec "$NS_CLI" ip addr add "$NET.1.2/24" dev "${P}c" &&
	run ip netns exec "$NS_CLI" ip link set "${P}c" up &&
	run ip netns exec "$NS_CLI" ip route add "$NET.0.0/16" via "$NET.1.1" &&
	run ip netns exec "$NS_CLI" sysctl -qw net.ipv4.conf.all.rp_filter=0 &&
	run ip netns exec "$NS_CLI" sysctl -qw net.ipv4.conf.default.rp_filter=0 &&
	offloads_off "$NS_CLI" "${P}c"
}

lab_up_switch() {
	run ip netns add "$NS_SW" && run ip netns exec "$NS_SW" ip link set lo up &&
	run ip netns exec "$NS_SW" ip link add "${P}-br" type bridge &&
	run ip netns exec "$NS_SW" ip link set "${P}-br" up &&
	run ip link add "${P}s0" type veth peer name "${P}sw0" netns "$NS_SW" &&
	run ip netns exec "$NS_SW" ip link set "${P}sw0" master "${P}-br" up &&
	offloads_off "$NS_SW" "${P}sw0" || return 1
	[ "$DIRECT" = 1 ] || return 0
	# the client's direct leg (--direct only)
	run ip link add "${P}d" netns "$NS_CLI" type veth peer name "${P}swc" netns "$NS_SW" &&
	run ip netns exec "$NS_SW" ip link set "${P}swc" master "${P}-br" up &&
	run ip netns exec "$NS_CLI" ip addr add "$NET.2.254/24" dev "${P}d" &&
	run ip netns exec "$NS_CLI" ip link set "${P}d" up &&
	offloads_off "$NS_SW" "${P}swc" && offloads_off "$NS_CLI" "${P}d"
}

lab_up_server() {	# index
	local i=$1 ns
	ns=$(ns_rs "$i")
	run ip netns add "$ns" && run ip netns exec "$ns" ip link set lo up &&
	run ip link add "${P}r$i" netns "$ns" type veth peer name "${P}sw$((i + 1))" netns "$NS_SW" &&
	run ip netns exec "$NS_SW" ip link set "${P}sw$((i + 1))" master "${P}-br" up &&
	run ip netns exec "$ns" ip addr add "$NET.2.$((10 + i))/24" dev "${P}r$i" &&
	run ip netns exec "$ns" ip link set "${P}r$i" up &&
	offloads_off "$NS_SW" "${P}sw$((i + 1))" && offloads_off "$ns" "${P}r$i" &&
	if [ "$DIRECT" = 1 ]; then
		run ip netns exec "$ns" ip route add "$NET.1.0/24" via "$NET.2.254"
	else
		run ip netns exec "$ns" ip route add default via "$NET.2.1"
	fi
}

lab_up() {
	local i
	lab_down
	trap 'lab_down; exit 1' INT TERM
	if ! { lab_up_client && lab_up_switch; }; then lab_down; return 1; fi
	for (( i = 0; i < SERVERS; i++ )); do
		lab_up_server "$i" || { lab_down; return 1; }
	done
	for d in "${P}c0" "${P}s0"; do
		sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1" 2>/dev/null
		run ip link set "$d" up || { lab_down; return 1; }
		offloads_off "$d"
	done
	trap - INT TERM
	lab_env
}

lab_env() {
	local i rs=""
	for (( i = 0; i < SERVERS; i++ )); do rs="$rs $NET.2.$((10 + i))"; done
	cat <<EOV
LAB_PREFIX=$P
LAB_NS_CLIENT=$NS_CLI
LAB_NS_SWITCH=$NS_SW
LAB_NS_SERVERS="$(for (( i = 0; i < SERVERS; i++ )); do printf '%s ' "$(ns_rs "$i")"; done | sed 's/ $//')"
LAB_VDEV0="net_af_packet0,iface=${P}c0"
LAB_VDEV1="net_af_packet1,iface=${P}s0"
LAB_IF0=${P}c0
LAB_IF1=${P}s0
LAB_CLIENT_IP=$NET.1.2
LAB_CLIENT_DIRECT_IP=$([ "$DIRECT" = 1 ] && echo "$NET.2.254")
LAB_DPVS_IP0=$NET.1.1
LAB_DPVS_IP1=$NET.2.1
LAB_SERVER_IPS="${rs# }"
LAB_NET=$NET
EOV
}

lab_config() {
	cat <<EOC
netif = {
    ports = (
        { name = "dpdk0"; vdev = "net_af_packet0,iface=${P}c0"; },
        { name = "dpdk1"; vdev = "net_af_packet1,iface=${P}s0"; }
    );
};
inet = {
    addresses = (
        { dev = "dpdk0"; addr = "$NET.1.1/24"; },
        { dev = "dpdk1"; addr = "$NET.2.1/24"; }
    );
};
EOC
}

case "$cmd" in
up) lab_up ;;
down) lab_down ;;
env) lab_env ;;
config) lab_config ;;
*) usage ;;
esac
