#!/bin/bash
# 62_udp_frag.sh - fragmented UDP through FNAT and NAT (issue 12, IP
# fragments).  One real server runs a python UDP server that checks each
# datagram byte for byte (a 12-byte head: seed and size, then a sha256
# chain of the seed) and echoes it; both ends send without DF
# (IP_PMTUDISC_DONT), so 4 kB and 60 kB datagrams cross dpvsd as fragments
# both ways: dpvsd reassembles them (ipv4_reasm.c, on the lcore its hash of
# (src, dst, id, proto) picks: 2 workers, so some go over the redirect
# ring), translates, and fragments again on output.  Checks:
#   - 4 kB and 60 kB datagrams, FNAT (VIP:7000) and NAT (VIP:7001): the
#     server gets them intact and the client gets the echo intact;
#     ipv4 reasm_ok counted, no overlap/bad drop;
#   - fragments sent out of order (scapy, last first and shuffled) are
#     reassembled (NAT and FNAT);
#   - a 4000-byte ping to dpvsd's own address is answered (reassembled
#     locally, the reply fragmented);
#   - TCP fragments are dropped and counted ("drop_fragment");
#   - a flood of 3000 first fragments with random ids, never completed:
#     the mbufs held stay under the bound (table_full counted), all are
#     freed at the timeout (reasm_timeout counted, reasm_mbufs_held 0,
#     the pool's mbufs in use back to where they were) and dpvsd still
#     answers ping and a 60 kB datagram;
#   - reload: ipv4_reasm_mbufs and ipv4_reasm_timeout_ms change at run time
#     (a second flood stays under the new bound, freed within 2 s), a
#     changed ipv4_reasm_max is refused (needs a restart).
# run_all: san
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"
need_py scapy

cat >"$T/chain.py" <<'PY'
import hashlib, struct
def make(seed, size):
    out = bytearray(struct.pack("!QI", seed, size))
    h = hashlib.sha256(struct.pack("!Q", seed)).digest()
    while len(out) < size:
        out += h
        h = hashlib.sha256(h).digest()
    return bytes(out[:size])
def ok(data):
    if len(data) < 12:
        return False
    seed, size = struct.unpack("!QI", data[:12])
    return size == len(data) and make(seed, size) == data
PY

cat >"$T/srv.py" <<'PY'
import socket, sys
sys.path.insert(0, sys.argv[1])
import chain
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 10, 0)	# IP_MTU_DISCOVER = IP_PMTUDISC_DONT: no DF
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
s.bind(("0.0.0.0", 7000))
open(sys.argv[2], "w").close()
log = open(sys.argv[2], "a")
while True:
    data, peer = s.recvfrom(65535)
    good = chain.ok(data)
    log.write("%s %d %s\n" % ("OK" if good else "BAD", len(data), peer[0]))
    log.flush()
    s.sendto(data if good else b"BAD", peer)
PY

cat >"$T/cli.py" <<'PY'
import socket, sys
sys.path.insert(0, sys.argv[1])
import chain
vip, port = sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 10, 0)	# IP_MTU_DISCOVER = IP_PMTUDISC_DONT: no DF
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
s.settimeout(2.0)
for i, size in enumerate(int(x) for x in sys.argv[4:]):
    data = chain.make(1000 * port + i, size)
    res = "ERR timeout"
    for t in range(3):
        s.sendto(data, (vip, port))
        try:
            r = s.recv(65535)
        except socket.timeout:
            continue
        res = "OK" if r == data else "ERR differs (%d bytes back)" % len(r)
        break
    print(res, size, flush=True)
PY

# scapy: one datagram to VIP:port as fragments of fragsize bytes, sent in
# the order given ("rev" or "shuf"); the echo is read on a plain socket.
cat >"$T/ooo.py" <<'PY'
import random, socket, sys
sys.path.insert(0, sys.argv[1])
import chain
from scapy.all import IP, UDP, Raw, fragment, send
vip, port, size, order = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 0))
s.settimeout(2.0)
data = chain.make(7 * port + size, size)
p = IP(dst=vip, id=random.randint(1, 65535), flags=0) / UDP(sport=s.getsockname()[1], dport=port) / Raw(data)
frags = fragment(p, fragsize=1000)
if order == "rev":
    frags = list(reversed(frags))
else:
    frags = frags[1:] + frags[:1]
    random.shuffle(frags)
res = "ERR timeout"
for t in range(3):
    send(frags, verbose=0)
    try:
        r = s.recv(65535)
    except socket.timeout:
        continue
    res = "OK" if r == data else "ERR differs"
    break
print(res, len(frags), "fragments")
PY

# n first fragments (MF, offset 0) with random ids to VIP:port, built by
# scapy and sent on one raw socket: scapy's send() looks up a route per
# packet and on a loaded 2-core host took longer than the 2 s reassembly
# timeout, so the flood never filled the tables.
cat >"$T/flood.py" <<'PY'
import random, socket, sys, time
from scapy.all import IP, UDP, Raw
vip, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pkts = [bytes(IP(dst=vip, id=random.randint(1, 65535), flags="MF", frag=0) /
              UDP(sport=random.randint(1024, 65535), dport=port, len=4008) / Raw(b"f" * 992))
        for _ in range(n)]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for p in pkts:
    for _ in range(100):
        try:
            s.sendto(p, (vip, 0))
            break
        except OSError:	# ENOBUFS: the veth queue is full, try again
            time.sleep(0.001)
PY

# dpvsd on net_pcap, not net_af_packet: DPDK 22.11's af_packet joins its
# socket to a fanout group with PACKET_FANOUT_FLAG_DEFRAG, so the kernel
# reassembles fragments before the PMD (and truncates a datagram longer than
# the ring's frame): dpvsd would never see a fragment.  libpcap's socket is
# no fanout member.  Otherwise as ipvs_dpvsd_start (two workers).
pcap_dpvsd_start() {
	local lab
	lab=$("$ROOT/scripts/lab.sh" config --prefix "$LAB_P" |
		sed 's/"net_af_packet\([01]\),iface=\([^",]*\)[^"]*"/"net_pcap\1,iface=\2"/')
	grep -q 'net_pcap1,iface=' <<<"$lab" || fail "could not switch the ports to net_pcap: $lab"
	dpvsd_config "$T/d.conf" "$lab"
	sed -i 's/^\(    { id = 1; role = "fwd_worker";\) }$/\1 cpu = 1; },\n    { id = 2; role = "fwd_worker"; cpu = 0; }/' \
		"$T/d.conf"
	grep -q 'id = 2; role = "fwd_worker"' "$T/d.conf" || fail "could not add a second fwd_worker"
	dpvsd_start "$T/d.conf"
}

VIP=$IPVS_VIP
ipvs_lab_up 1
pcap_dpvsd_start
RS=${RS_IP[0]}
DPVS_IP=${LAB_NET}.1.1
setsid ip netns exec "${RS_NS[0]}" /usr/bin/python3 "$T/srv.py" "$T" "$T/srv.log" \
	</dev/null >"$T/srv.out" 2>&1 &
on_exit "kill -TERM -- -$! ; kill -TERM $!"
wait_for 10 "[ -e '$T/srv.log' ]" || fail "UDP server did not start: $(cat "$T/srv.out")"

"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add laddr"
"$IPVSADM" -A -u "$VIP:7000" -s rr || fail "ipvsadm -A fnat"
"$IPVSADM" -a -u "$VIP:7000" -r "$RS:7000" -b || fail "ipvsadm -a fnat"
"$IPVSADM" -P -u "$VIP:7000" -z "$IPVS_LADDR1" -F dpdk1 || fail "add-laddr"
"$IPVSADM" -A -u "$VIP:7001" -s rr || fail "ipvsadm -A nat"
"$IPVSADM" -a -u "$VIP:7001" -r "$RS:7000" -m || fail "ipvsadm -a nat"

stat() {	# name -> value from dpip ip stats ipv4
	"$DPIP" ip stats ipv4 | awk -v n="$1" '$1 == n {print $2}'
}
in_use() {
	"$DPIP" stats | sed -n 's/^mbuf pool: [0-9]* mbufs, \([0-9]*\) in use.*/\1/p'
}
cli() {	# port sizes...
	ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 "$T/cli.py" "$T" "$VIP" "$@"
}

# ---- 4 kB and 60 kB datagrams, FNAT and NAT, both ways ----
ok0=$(stat reasm_ok)
for port in 7000 7001; do
	out=$(cli "$port" 4000 60000 4000 60000 1400)
	echo "$out" | sed "s/^/VIP:$port /"
	echo "$out" | grep -q "^ERR" && "$DPIP" ip stats ipv4 | grep -v ' 0$'
	expect_eq "$(echo "$out" | grep -vc '^OK')" 0 "VIP:$port datagrams echoed intact"
done
expect_eq "$(grep -vc '^OK' "$T/srv.log")" 0 "the server got every datagram intact"
expect_eq "$(grep -c '^OK 60000 ' "$T/srv.log")" 4 "60 kB datagrams at the server"
expect_eq "$(grep -c "^OK 60000 $IPVS_LADDR1\$" "$T/srv.log")" 2 "FNAT: seen from the local address"
expect_eq "$(grep -c "^OK 60000 $LAB_CLIENT_IP\$" "$T/srv.log")" 2 "NAT: seen from the client"
ok1=$(stat reasm_ok)
# 4 big datagrams per service, each reassembled twice (request and echo)
[ "$ok1" -ge $((ok0 + 16)) ] || fail "reasm_ok grew by $((ok1 - ok0)), expected >= 16"
expect_eq "$(stat reasm_overlap)" 0 "reasm_overlap"
expect_eq "$(stat reasm_bad)" 0 "reasm_bad"
[ "$(stat frags_out)" -gt 0 ] || fail "no fragments made on output"

# ---- out of order (scapy) ----
for port in 7001 7000; do
	for order in rev shuf; do
		r=$(ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 "$T/ooo.py" "$T" "$VIP" "$port" 5000 "$order" 2>&1 | tail -1)
		echo "VIP:$port $order: $r"
		expect_match "$r" "^OK 6 fragments" "VIP:$port fragments in $order order"
	done
done

# ---- local delivery: a big ping to dpvsd ----
ip netns exec "$LAB_NS_CLIENT" ping -c 2 -W 2 -s 4000 "$DPVS_IP" >"$T/bigping.out" ||
	fail "4000-byte ping to $DPVS_IP: $(cat "$T/bigping.out")"

# ---- TCP fragments are dropped ----
tcpf0=$(stat drop_fragment)
ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 -c "
from scapy.all import IP, TCP, Raw, fragment, send
send(fragment(IP(dst='$VIP')/TCP(dport=80, flags='S')/Raw(b't' * 3000), fragsize=1000), verbose=0)
" || fail "scapy TCP fragments"
wait_for 5 "[ \$(stat drop_fragment) -ge $((tcpf0 + 4)) ]" ||
	fail "TCP fragments not counted as drop_fragment ($tcpf0 -> $(stat drop_fragment))"

# ---- a flood of first fragments ----
sleep 3	# what the tests above left in reassembly has expired
base=$(in_use)
full0=$(stat reasm_table_full)
to0=$(stat reasm_timeout)
ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 "$T/flood.py" "$VIP" 7001 3000 ||
	fail "scapy flood"
held=$(stat reasm_mbufs_held)
full1=$(stat reasm_table_full)
echo "flood: held $held mbufs, table_full +$((full1 - full0)), pool in use $base -> $(in_use)"
# 2 workers x 512 datagrams (inet.ipv4_reasm_max default)
[ "$held" -le 1024 ] || fail "reassembly holds $held mbufs, above its bound"
[ "$full1" -gt "$full0" ] || fail "a 3000-fragment flood did not fill the tables"
wait_for 10 "[ \$(stat reasm_mbufs_held) -eq 0 ]" ||
	fail "mbufs still held after the timeout: $(stat reasm_mbufs_held)"
to1=$(stat reasm_timeout)
[ "$to1" -gt "$to0" ] || fail "reasm_timeout did not grow ($to0 -> $to1)"
wait_for 5 "[ \$(in_use) -le $((base + 32)) ]" ||
	fail "mbufs in use did not come back: $base before the flood, $(in_use) now"
ip netns exec "$LAB_NS_CLIENT" ping -c 2 -W 2 "$DPVS_IP" >/dev/null || fail "no ping after the flood"
out=$(cli 7001 60000)
expect_eq "$out" "OK 60000" "a 60 kB datagram after the flood"

# ---- reload: the mbuf bound and the timeout change at run time, the
# table size needs a restart ----
reasm_conf() {	# extra inet keys
	sed "s/^inet = {\$/inet = {\n    $1/" "$T/d.conf.orig" >"$T/d.conf"
}
cp "$T/d.conf" "$T/d.conf.orig"
reasm_conf "ipv4_reasm_max = 64;"
rc=0
out=$("$DPIP" cfg reload 2>&1) || rc=$?
expect_eq "$rc" 1 "reload changing ipv4_reasm_max"
expect_match "$out" "inet.ipv4_reasm_max: changed: needs a restart" "reload names the key"
reasm_conf "ipv4_reasm_mbufs = 100; ipv4_reasm_timeout_ms = 500;"
"$DPIP" cfg reload >/dev/null || fail "reload with a smaller mbuf bound and timeout"
ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 "$T/flood.py" "$VIP" 7001 500 ||
	fail "scapy flood 2"
held=$(stat reasm_mbufs_held)
echo "flood after reload: held $held mbufs"
[ "$held" -le 200 ] || fail "reassembly holds $held mbufs, above the reloaded bound 2 x 100"
wait_for 2 "[ \$(stat reasm_mbufs_held) -eq 0 ]" ||
	fail "mbufs still held 2 s after a flood with a 500 ms timeout: $(stat reasm_mbufs_held)"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
