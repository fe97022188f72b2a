#!/bin/bash
# 22_bad_packets.sh - crafted bad frames from the client namespace
# (python3-scapy): truncated Ethernet/ARP/IPv4, bad version, bad IHL, bad
# total length, bad checksum, TTL 0, TTL 1 when forwarding, martian source,
# fragments (held by the kernel's af_packet defrag), an unknown protocol, bad ICMP, malformed ARP.  dpvsd must not
# crash, must count each under its reason (exact deltas, read with
# `dpip -j ip stats`), and must still answer ping afterwards.
source "$(dirname "$0")/lib.sh"
need_cmd ip ethtool ping
PY=/usr/bin/python3
need_py scapy.all

P="b$TAG"
LAB="$ROOT/scripts/lab.sh"
"$LAB" up --prefix "$P" --servers 1 >"$T/lab.env" || fail "lab up"
on_exit "'$LAB' down --prefix '$P'"
source "$T/lab.env"
CLI="ip netns exec $LAB_NS_CLIENT"
GW=${LAB_SERVER_IPS%% *}

dpvsd_config "$T/d.conf" "$("$LAB" config --prefix "$P" | sed '/^inet = {/a\
    ipv4_forward = true;\
    routes = ( { dst = "10.77.3.0/24"; via = "'"$GW"'"; dev = "dpdk1"; } );')"
dpvsd_start "$T/d.conf"
$CLI ping -c 1 -W 2 "$LAB_DPVS_IP0" >/dev/null || fail "first ping"

"$DPIP" -j ip stats >"$T/before.json" || fail "dpip ip stats"
DMAC=$(cat "/sys/class/net/$LAB_IF0/address")

$CLI $PY - "${P}c" "$DMAC" "$LAB_CLIENT_IP" "$LAB_DPVS_IP0" <<'PYEOF' || fail "scapy sender"
import sys
from scapy.all import Ether, IP, ICMP, ARP, Raw, sendp
iface, dmac, cli, dpvs = sys.argv[1:5]
E = lambda t=0x0800: Ether(dst=dmac, type=t)
bad = [
    Ether(dst=dmac)[Ether].build()[:12],                      # runt Ethernet (no type)
    E() / Raw(b''),                                             # ipv4 truncated (no header)
    E() / Raw(bytes(IP(src=cli, dst=dpvs))[:10]),              # ipv4 truncated
    E() / Raw(b'\x65' + bytes(IP(src=cli, dst=dpvs))[1:]),     # bad version
    E() / IP(src=cli, dst=dpvs, ihl=4) / ICMP(),               # bad IHL (< 5)
    E() / Raw(b'\x4f' + bytes(IP(src=cli, dst=dpvs))[1:]),     # bad IHL (60 > frame)
    E() / IP(src=cli, dst=dpvs, len=300) / ICMP(),             # total length > frame
    E() / IP(src=cli, dst=dpvs, len=12) / ICMP(),              # total length < IHL
    E() / IP(src=cli, dst=dpvs, chksum=0xdead) / ICMP(),       # bad checksum
    E() / IP(src=cli, dst=dpvs, ttl=0) / ICMP(),               # TTL 0
    E() / IP(src='224.1.1.1', dst=dpvs) / ICMP(),              # martian source
    # Lone fragments: af_packet ports receive through a fanout with the
    # kernel's defrag flag, so these never reach dpvsd (the kernel holds
    # them); they must do no harm.  23_golden.sh counts fragments on a
    # net_pcap port, test_ipv4.cc in process.
    E() / IP(src=cli, dst=dpvs, flags='MF') / ICMP(),          # first fragment
    E() / IP(src=cli, dst=dpvs, frag=100) / Raw(b'x' * 16),    # later fragment
    E() / IP(src=cli, dst='10.77.3.1', ttl=1) / ICMP(),        # TTL 1 when forwarding
    E() / IP(src=cli, dst=dpvs, proto=253) / Raw(b'abcd'),     # unknown protocol
    E() / IP(src=cli, dst=dpvs, proto=1) / Raw(b'\x08\x00'),   # ICMP truncated
    E() / IP(src=cli, dst=dpvs) / ICMP(chksum=0x1234),         # ICMP bad checksum
    E(0x0806) / Raw(b'\x00\x01\x08\x00\x06\x04'),               # ARP truncated
    E(0x0806) / Raw(b'\x00\x06' + bytes(ARP(psrc=cli, pdst=dpvs))[2:]),  # ARP bad hw type
    E(0x0806) / ARP(op=9, psrc=cli, pdst=dpvs),                 # ARP bad opcode
    E(0x0806) / ARP(hwsrc='01:00:5e:00:00:01', psrc=cli, pdst=dpvs),  # ARP multicast sender
]
for p in bad:
    sendp(p if isinstance(p, bytes) else p, iface=iface, verbose=False)
PYEOF

# The check, polled until the worker has drained its queue (the counters
# reach the expected deltas), then once more after a ping has gone through
# the same queue (nothing counted late).
cat >"$T/check.py" <<'PYEOF'
import json, sys
b, a = (json.load(open(f)) for f in sys.argv[1:3])
want = {
    ('ipv4', 'drop_truncated'): 2, ('ipv4', 'drop_bad_version'): 1,
    ('ipv4', 'drop_bad_ihl'): 2, ('ipv4', 'drop_bad_total_length'): 2,
    ('ipv4', 'drop_bad_checksum'): 1, ('ipv4', 'drop_ttl_zero'): 1,
    ('ipv4', 'drop_bad_source'): 1,
    ('ipv4', 'drop_ttl_exceeded'): 1, ('ipv4', 'drop_unknown_protocol'): 1,
    ('icmp', 'drop_bad_checksum'): 1,
    ('arp', 'arp_truncated'): 1, ('arp', 'arp_bad_header'): 1, ('arp', 'arp_bad_op'): 1,
    ('arp', 'arp_bad_sender'): 1,
}
bad = 0
for (g, n), d in want.items():
    got = a[g][n] - b[g][n]
    if got != d:
        print(f"{g}.{n}: expected +{d}, got +{got}")
        bad = 1
# The truncated ICMP header: counted by ICMP, or dropped (and counted) by a
# PRE_ROUTING hook (IPVS parses the L4 header of every packet first).
d = lambda g, n: a[g][n] - b[g][n]
if d('icmp', 'drop_truncated') + d('ipv4', 'drop_hook_drop') != 1:
    print("truncated ICMP not counted once:", d('icmp', 'drop_truncated'),
          d('ipv4', 'drop_hook_drop')); bad = 1
if a['icmp']['out_errors'] - b['icmp']['out_errors'] < 2:   # time exceeded, proto unreachable
    print("ICMP errors not sent"); bad = 1
sys.exit(bad)
PYEOF
counters_ok() {
	"$DPIP" -j ip stats >"$T/after.json" &&
		$PY "$T/check.py" "$T/before.json" "$T/after.json" >"$T/check.out" 2>&1
}
wait_for 10 counters_ok || fail "counters (daemon alive?): $(cat "$T/check.out")"

$CLI ping -c 2 -i 0.3 -W 2 "$LAB_DPVS_IP0" >/dev/null || fail "ping after the bad packets"
counters_ok || fail "counters changed after the ping: $(cat "$T/check.out")"
dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
