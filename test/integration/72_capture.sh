#!/bin/bash
# 72_capture.sh - DPDK secondary processes on a dpvsd started with
# eal.secondary_processes = true (hugepages on a hugetlbfs this test mounts,
# nr_hugepages raised; both put back on exit): dpdk-dumpcap attaches with
# --file-prefix, captures a known flow (pings of dpvsd's address, a BPF
# filter that keeps ICMP and drops the ARP around it) into a pcapng that
# tshark reads: the echo requests as received, the replies as sent;
# dpdk-proc-info reads the port's statistics; a dumpcap killed with
# SIGKILL mid-capture leaves dpvsd forwarding (pings still answered); the
# exception path (the net_tap's kernel side) is captured with tcpdump; a
# clean stop leaves no hugepage file and no /var/run/dpdk/<prefix>; a
# crash's files are cleared by the next start.
# run_all: san
source "$(dirname "$0")/lib.sh"
need_cmd ip ethtool ping arping tcpdump tshark dpdk-dumpcap dpdk-proc-info

PREFIX="dpvsd-it-$TAG"
HDIR="/tmp/dpvsd-huge-$TAG"

# Without a mounted hugetlbfs the mode cannot work: dpvsd says so and
# exits 1 before the EAL starts (checked when none is mounted yet).
if ! grep -q ' hugetlbfs ' /proc/mounts; then
	dpvsd_config "$T/nomnt.conf"
	sed -i 's|hugepages = "no";|hugepages = "yes"; secondary_processes = true;|' "$T/nomnt.conf"
	rc=0
	out=$(timeout 30 "$DPVSD" -c "$T/nomnt.conf" 2>&1) || rc=$?
	expect_eq "$rc" 1 "exit status without a mounted hugetlbfs"
	expect_match "$out" "secondary_processes = true needs hugepages on a mounted hugetlbfs" \
		"the refusal says what is missing"
fi
NR0=$(cat /proc/sys/vm/nr_hugepages)
mkdir -p "$HDIR" || fail "mkdir $HDIR"
on_exit "rmdir '$HDIR'"
mount -t hugetlbfs none "$HDIR" || fail "mount hugetlbfs on $HDIR"
on_exit "umount '$HDIR'"
on_exit "echo $NR0 >/proc/sys/vm/nr_hugepages"
echo $((NR0 + 256)) >/proc/sys/vm/nr_hugepages
[ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge 200 ] ||
	fail "could not reserve hugepages: $(grep HugePages_ /proc/meminfo)"

P="c$TAG"
LAB="$ROOT/scripts/lab.sh"
"$LAB" up --prefix "$P" --servers 1 >"$T/lab.env" || fail "lab up"
on_exit "'$LAB' down --prefix '$P'"
source "$T/lab.env"
CLI="ip netns exec $LAB_NS_CLIENT"

# hugepages = "no" with secondary_processes is a config error.
dpvsd_config "$T/bad.conf"
sed -i 's|hugepages = "no";|hugepages = "no"; secondary_processes = true;|' "$T/bad.conf"
out=$("$DPVSD" -t -c "$T/bad.conf" 2>&1) && fail "-t accepted hugepages = no with secondaries"
expect_match "$out" "eal.hugepages.*cannot be combined with secondary_processes" "-t names the conflict"

# dpdk0 with the exception path (a net_tap named ${P}k).
"$LAB" config --prefix "$P" >"$T/lab.conf"
sed -i "s|iface=${P}c0\"; }|iface=${P}c0\"; kni = { enabled = true; ifname = \"${P}k\"; }; }|" "$T/lab.conf"
grep -q "ifname = \"${P}k\"" "$T/lab.conf" || fail "lab.conf not derived: $(cat "$T/lab.conf")"
dpvsd_config "$T/d.conf" "$(cat "$T/lab.conf")"
sed -i "s|hugepages = \"no\";|hugepages = \"yes\"; secondary_processes = true;|" "$T/d.conf"
grep -q 'secondary_processes = true' "$T/d.conf" || fail "d.conf not derived"
# Secondaries map the primary's memory at the primary's addresses.  The EAL
# starts at 4 GB, inside ASan's shadow memory: a sanitizer build lands at a
# random high address instead, which dumpcap then often cannot get ("Cannot
# get a virtual area at requested address").  Put it above the shadow there.
case "$BUILD" in
*san*) sed -i 's|extra_args = \[|extra_args = [ "--base-virtaddr=0x200000000000",|' "$T/d.conf" ;;
esac
out=$("$DPVSD" -t -c "$T/d.conf" -- --in-memory 2>&1) && fail "-t accepted -- --in-memory with secondaries"
expect_match "$out" "EAL argument --in-memory cannot be combined with eal.secondary_processes" \
	"an EAL argument after -- that breaks secondaries is refused"
dpvsd_start "$T/d.conf"
grep -q -- "--in-memory\|--no-huge" <(grep "EAL arguments" "$DPVSD_LOG") &&
	fail "shared mode still passed --in-memory/--no-huge: $(grep 'EAL arguments' "$DPVSD_LOG")"
ls "$HDIR" | grep -q "^${PREFIX}map_" || fail "no hugepage files of $PREFIX in $HDIR"
expect_match "$("$DPIP" cfg show)" "eal: file_prefix $PREFIX .*hugepages yes secondary_processes yes" \
	"cfg show names the mode"
expect_eq "$("$DPIP" -j cfg show | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["eal"]["secondary_processes"])')" \
	True "cfg show -j secondary_processes"
$CLI ping -c 1 -W 2 "$LAB_DPVS_IP0" >/dev/null || fail "dpvsd does not answer ping"

# dumpcap lists dpvsd's ports; dpdk0 is the af_packet port net_af_packet0.
"$(command -v dpdk-dumpcap)" --file-prefix="$PREFIX" -D >"$T/ifs" 2>&1 ||
	fail "dumpcap -D: $(cat "$T/ifs")"
expect_match "$(cat "$T/ifs")" "net_af_packet0" "dumpcap -D lists dpdk0's device"

capture() {	# output file, packet count, then dumpcap's stop options
	local out=$1
	shift
	setsid dpdk-dumpcap --file-prefix="$PREFIX" -i net_af_packet0 -f icmp -w "$out" "$@" \
		</dev/null >"$out.log" 2>&1 &
	CAP_PID=$!
	on_exit "kill -KILL $CAP_PID"
	wait_for 10 "grep -q 'Packets captured' '$out.log'" ||
		fail "dumpcap did not start: $(cat "$out.log")"
}

# A known flow: 4 pings of 123 bytes with the client's ARP entry flushed
# first (so ARP goes over the port too and the filter must drop it).
$CLI ip neigh flush dev "${P}c"
capture "$T/a.pcapng" -c 8
$CLI ping -c 4 -i 0.2 -s 123 -W 2 "$LAB_DPVS_IP0" >"$T/ping" || fail "ping: $(cat "$T/ping")"
wait_for 10 "! _lib_alive $CAP_PID" || fail "dumpcap did not stop after 8 packets: $(cat "$T/a.pcapng.log")"
wait "$CAP_PID" || fail "dumpcap failed: $(cat "$T/a.pcapng.log")"
tshark -r "$T/a.pcapng" -T fields -e ip.src -e ip.dst -e icmp.type -e data.len >"$T/a.txt" 2>"$T/tshark.err" ||
	fail "tshark cannot read the pcapng: $(cat "$T/tshark.err")"
cat "$T/a.txt"
expect_eq "$(grep -c "^$LAB_CLIENT_IP	$LAB_DPVS_IP0	8	123" "$T/a.txt")" 4 "echo requests captured"
expect_eq "$(grep -c "^$LAB_DPVS_IP0	$LAB_CLIENT_IP	0	123" "$T/a.txt")" 4 "echo replies captured"
expect_eq "$(wc -l <"$T/a.txt")" 8 "only ICMP (the BPF filter dropped the ARP)"
expect_eq "$(tshark -r "$T/a.pcapng" -Y arp 2>/dev/null | wc -l)" 0 "no ARP in the capture"
[ "$(head -c 4 "$T/a.pcapng" | od -An -tx1 | tr -d ' ')" = "0a0d0d0a" ] || fail "not a pcapng file"

# dpdk-proc-info reads the port's counters from the running primary.
dpdk-proc-info --file-prefix="$PREFIX" -- --stats >"$T/pinfo" 2>&1 || fail "proc-info: $(cat "$T/pinfo")"
expect_match "$(cat "$T/pinfo")" "NIC statistics for port 0" "proc-info shows port 0"
rx=$(awk '/NIC statistics for port 0/ {p=1} p && /RX-packets:/ {print $2; exit}' "$T/pinfo")
[ "${rx:-0}" -ge 8 ] || fail "proc-info RX-packets of port 0: '$rx': $(cat "$T/pinfo")"

# A capture killed with SIGKILL mid-capture: dpvsd keeps forwarding.
capture "$T/b.pcapng"
$CLI ping -c 2 -i 0.2 -W 2 "$LAB_DPVS_IP0" >/dev/null || fail "ping during the second capture"
kill -KILL "$CAP_PID"
wait "$CAP_PID" 2>/dev/null
_lib_alive "$DPVSD_PID" || fail "dpvsd died with its secondary"
$CLI ping -c 20 -i 0.05 -W 2 "$LAB_DPVS_IP0" >"$T/ping2" || fail "ping after the kill: $(cat "$T/ping2")"
expect_match "$(cat "$T/ping2")" " 20 received" "every ping answered after the kill"
"$DPIP" lcore show >/dev/null || fail "dpvsd stopped answering its control socket"

# The exception path is a kernel netdev (the net_tap): tcpdump captures it.
ip link set "${P}k" up
setsid tcpdump -n -i "${P}k" -w "$T/k.pcap" -c 1 'tcp port 22' </dev/null >"$T/k.log" 2>&1 &
TD=$!
on_exit "kill -KILL $TD"
wait_for 10 "grep -q 'listening on' '$T/k.log'" || fail "tcpdump on ${P}k: $(cat "$T/k.log")"
$CLI timeout 3 bash -c "echo >/dev/tcp/$LAB_DPVS_IP0/22" 2>/dev/null
wait_for 10 "! _lib_alive $TD" || fail "tcpdump saw no packet on the exception path"
expect_match "$(tshark -r "$T/k.pcap" -T fields -e ip.src -e tcp.dstport 2>/dev/null)" \
	"$LAB_CLIENT_IP	22" "the kernel side of the tap got the client's SYN to :22"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
left=$(ls "$HDIR" | grep "^$PREFIX" || true)
[ -z "$left" ] || fail "hugepage files left after a clean stop: $left"
[ ! -e "/var/run/dpdk/$PREFIX" ] || fail "runtime dir left: $(ls "/var/run/dpdk/$PREFIX")"

# After a crash (SIGKILL) the hugepage files stay; the next start of the
# same prefix clears them (the free hugepages are what one dpvsd holds).
hfree() { awk '/HugePages_Free/ {print $2}' /proc/meminfo; }
dpvsd_start "$T/d.conf"
free1=$(hfree)
kill -KILL "$DPVSD_PID"
wait "$DPVSD_PID" 2>/dev/null
DPVSD_PID=
ls "$HDIR" | grep -q "^${PREFIX}map_" || fail "no hugepage files after SIGKILL (expected them to stay)"
dpvsd_start "$T/d.conf"
expect_eq "$(hfree)" "$free1" "free hugepages after a restart over a crash's files"
dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status after the restart"
left=$(ls "$HDIR" | grep "^$PREFIX" || true)
[ -z "$left" ] || fail "hugepage files left after the restart's clean stop: $left"
exit 0
