#!/bin/bash
# 23_golden.sh - replayable golden packets on a net_pcap port: an input
# pcap (written here with scapy) holds an ARP request, an ICMP echo
# request, a packet of an unknown protocol and an IPv4 fragment for
# dpvsd's address; the output pcap must hold exactly the gratuitous ARP of
# the configured address, the ARP reply, the echo reply and the ICMP
# protocol unreachable, byte for byte as built here, and the fragment (a
# first fragment of 8 payload bytes) must be refused by the reassembly as a
# tiny fragment (RFC 1858; reasm_tiny), holding no mbuf and sending nothing.
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
$PY -c 'import scapy.all' 2>/dev/null || skip "python3-scapy is not installed (apt-get install python3-scapy)"

CMAC=02:00:00:00:c1:02
$PY - "$T/in.pcap" "$CMAC" <<'PYEOF' || fail "writing the input pcap"
import sys
from scapy.all import Ether, IP, ICMP, ARP, Raw, wrpcap
out, cmac = sys.argv[1:3]
bc = 'ff:ff:ff:ff:ff:ff'
pkts = [
    Ether(src=cmac, dst=bc) / ARP(op=1, hwsrc=cmac, psrc='10.9.0.2', pdst='10.9.0.1'),
    Ether(src=cmac, dst=bc) / IP(src='10.9.0.2', dst='10.9.0.1', id=0x1234, ttl=61) /
        ICMP(type=8, id=0x42, seq=1) / Raw(b'dpvsd-golden-0123456789'),
    Ether(src=cmac, dst=bc) / IP(src='10.9.0.2', dst='10.9.0.1', id=0x99, proto=253) /
        Raw(b'unknown-protocol'),
    Ether(src=cmac, dst=bc) / IP(src='10.9.0.2', dst='10.9.0.1', flags='MF') / ICMP(),
]
wrpcap(out, pkts)
PYEOF

dpvsd_config "$T/d.conf" "
netif = { ports = ( { name = \"dpdk0\"; vdev = \"net_pcap0,rx_pcap=$T/in.pcap,tx_pcap=$T/out.pcap\"; } ); };
inet = { addresses = ( { dev = \"dpdk0\"; addr = \"10.9.0.1/24\"; } ); };"
dpvsd_start "$T/d.conf"
MAC=$("$DPIP" -j link show dpdk0 | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])') ||
	fail "dpip link show"
wait_for 5 "[ \"\$(\"$DPIP\" -j ip stats | $PY -c 'import json,sys; print(json.load(sys.stdin)[\"icmp\"][\"out_errors\"])')\" = 1 ]" ||
	fail "the input pcap was not processed"
frag=$("$DPIP" -j ip stats | $PY -c 'import json,sys; d=json.load(sys.stdin)["ipv4"]; print(d["frags_in"], d["reasm_tiny"], d["reasm_mbufs_held"])')
expect_eq "$frag" "1 1 0" "tiny fragment: seen, refused as tiny, nothing held"
sleep 0.5
dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"

$PY - "$T/out.pcap" "$CMAC" "$MAC" <<'PYEOF' || fail "output pcap differs from the golden packets"
import sys
from scapy.all import Ether, IP, ICMP, ARP, Raw, rdpcap
path, cmac, mac = sys.argv[1:4]
bc = 'ff:ff:ff:ff:ff:ff'
orig_unknown = IP(src='10.9.0.2', dst='10.9.0.1', id=0x99, proto=253) / Raw(b'unknown-protocol')
golden = {
    'gratuitous ARP': Ether(dst=bc, src=mac) /
        ARP(op=1, hwsrc=mac, psrc='10.9.0.1', hwdst='00:00:00:00:00:00', pdst='10.9.0.1'),
    'ARP reply': Ether(dst=cmac, src=mac) /
        ARP(op=2, hwsrc=mac, psrc='10.9.0.1', hwdst=cmac, pdst='10.9.0.2'),
    'echo reply': Ether(dst=cmac, src=mac) /
        IP(src='10.9.0.1', dst='10.9.0.2', id=0x1234, ttl=64, flags=0) /
        ICMP(type=0, id=0x42, seq=1) / Raw(b'dpvsd-golden-0123456789'),
    'protocol unreachable': Ether(dst=cmac, src=mac) /
        IP(src='10.9.0.1', dst='10.9.0.2', tos=0xc0, id=0, ttl=64, flags=0) /
        ICMP(type=3, code=2) / Raw(bytes(orig_unknown)),
}
want = {bytes(p): name for name, p in golden.items()}
got = [bytes(p) for p in rdpcap(path)]
bad = 0
for b in got:
    if b not in want:
        print('unexpected packet:', b.hex()); bad = 1
for b, name in want.items():
    n = got.count(b)
    if n != 1:
        print(f'{name}: found {n} times, expected once:', b.hex()); bad = 1
sys.exit(bad)
PYEOF
