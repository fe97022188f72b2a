#!/usr/bin/python3
"""make_corpus.py - write the seed corpora of the libFuzzer targets into
test/fuzz/corpus/<target>/ (small files, committed).  Packets are built
with scapy for the topology of fuzz_env.h; run again after changing it:
    /usr/bin/python3 test/fuzz/make_corpus.py
"""
import os
import struct
import sys

from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, Raw, fragment  # noqa: E402
from scapy.layers.sctp import (SCTP, SCTPChunkInit, SCTPChunkInitAck,  # noqa: E402
                               SCTPChunkParamStateCookie, SCTPChunkCookieEcho,
                               SCTPChunkCookieAck, SCTPChunkData, SCTPChunkShutdown,
                               SCTPChunkShutdownAck, SCTPChunkShutdownComplete)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
CLI_MAC = "02:00:00:00:00:02"
RS_MAC = "02:00:00:00:00:10"
PORT_IP, LADDR = "10.0.0.1", "10.0.1.1"
FNAT, NAT, CLIENT, RS1 = "10.0.0.100", "10.0.0.101", "10.0.0.2", "10.0.1.10"


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def pkt(name, p, ctl=1):
    """ctl bit 0: the harness sets the destination MAC to the port's."""
    write("fuzz_packet", name, bytes([ctl]) + bytes(p))


SEP = b"\xde\xad\xbe\xef"


def seq(name, *frames):
    """Several frames in one input (fuzz_packet.c splits at SEP)."""
    write("fuzz_packet", name, SEP.join(bytes([1]) + bytes(f) for f in frames))


def sequences():
    e, r = Ether(src=CLI_MAC), Ether(src=RS_MAC)
    c = IP(src=CLIENT, dst=NAT)
    s = IP(src=RS1, dst=CLIENT)
    for rs in (RS1, "10.0.1.11"):
        s = IP(src=rs, dst=CLIENT)
        seq("nat_flow_" + rs[-2:],
            e / c / TCP(sport=41000, dport=80, flags="S", seq=100),
            r / s / TCP(sport=8080, dport=41000, flags="SA", seq=900, ack=101),
            e / c / TCP(sport=41000, dport=80, flags="A", seq=101, ack=901),
            e / c / TCP(sport=41000, dport=80, flags="PA", seq=101, ack=901) / Raw(b"GET /"),
            r / s / ICMP(type=3, code=4, nexthopmtu=600) /
            Raw(bytes(IP(src=CLIENT, dst=rs) / TCP(sport=41000, dport=8080))[:28]),
            e / c / ICMP(type=3, code=3) /
            Raw(bytes(IP(src=NAT, dst=CLIENT) / TCP(sport=80, dport=41000))[:28]),
            r / s / TCP(sport=8080, dport=41000, flags="FA", seq=901, ack=106),
            e / c / TCP(sport=41000, dport=80, flags="R", seq=106))
        seq("nat_udp_flow_" + rs[-2:],
            e / c / UDP(sport=41001, dport=53) / Raw(b"q"),
            r / s / UDP(sport=8080, dport=41001) / Raw(b"a"))
    for vip, back, name in ((NAT, IP(src=RS1, dst=CLIENT), "nat"),
                            (FNAT, IP(src=RS1, dst=LADDR), "fnat")):
        dport = 41002 if vip == NAT else 1024
        seq(name + "_sctp_assoc",
            e / IP(src=CLIENT, dst=vip) / SCTP(sport=41002, dport=3868, tag=0) /
            SCTPChunkInit(init_tag=7, a_rwnd=65535, n_out_streams=1, n_in_streams=1, init_tsn=1),
            r / back / SCTP(sport=8080, dport=dport, tag=7) /
            SCTPChunkInitAck(init_tag=9, a_rwnd=65535, n_out_streams=1, n_in_streams=1,
                             init_tsn=5, params=[SCTPChunkParamStateCookie(cookie=b"c" * 8)]),
            e / IP(src=CLIENT, dst=vip) / SCTP(sport=41002, dport=3868, tag=9) /
            SCTPChunkCookieEcho(cookie=b"c" * 8) / SCTPChunkData(tsn=1, data=b"d"),
            r / back / SCTP(sport=8080, dport=dport, tag=7) / SCTPChunkCookieAck(),
            e / IP(src=CLIENT, dst=vip) / SCTP(sport=41002, dport=3868, tag=9) /
            SCTPChunkShutdown(cumul_tsn_ack=5),
            r / back / SCTP(sport=8080, dport=dport, tag=7) / SCTPChunkShutdownAck(),
            e / IP(src=CLIENT, dst=vip) / SCTP(sport=41002, dport=3868, tag=9) /
            SCTPChunkShutdownComplete())
    f = IP(src=CLIENT, dst=FNAT)
    for lport in (1024, 1025, 1026):
        b = IP(src=RS1, dst=LADDR)
        seq("fnat_flow_%d" % lport,
            e / f / TCP(sport=42000, dport=81, flags="S", seq=100),
            r / b / TCP(sport=8080, dport=lport, flags="SA", seq=900, ack=101,
                        options=[("MSS", 1460), ("SAckOK", b"")]),
            e / f / TCP(sport=42000, dport=81, flags="A", seq=101, ack=901),
            e / f / TCP(sport=42000, dport=81, flags="PA", seq=101, ack=901) / Raw(b"GET /"),
            r / b / TCP(sport=8080, dport=lport, flags="A", seq=901, ack=134,
                        options=[("SAck", (120, 130))]),
            r / b / ICMP(type=3, code=4, nexthopmtu=600) /
            Raw(bytes(IP(src=LADDR, dst=RS1) / TCP(sport=lport, dport=8080))[:28]))


def packets():
    e = Ether(src=CLI_MAC, dst="ff:ff:ff:ff:ff:ff")
    pkt("arp_req", e / ARP(op=1, hwsrc=CLI_MAC, psrc=CLIENT, pdst=PORT_IP), ctl=0)
    pkt("arp_reply", Ether(src=RS_MAC) / ARP(op=2, hwsrc=RS_MAC, psrc=RS1, pdst=LADDR))
    e = Ether(src=CLI_MAC)
    pkt("icmp_echo", e / IP(src=CLIENT, dst=PORT_IP) / ICMP() / Raw(b"ping"))
    pkt("ip_opts", e / IP(src=CLIENT, dst=PORT_IP, options=b"\x01\x01\x01\x00") / ICMP())
    syn = TCP(sport=40000, dport=80, flags="S", seq=1000,
              options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)),
                       ("WScale", 7)])
    pkt("fnat_syn", e / IP(src=CLIENT, dst=FNAT) / syn)
    pkt("fnat_ack", e / IP(src=CLIENT, dst=FNAT) /
        TCP(sport=40000, dport=80, flags="A", seq=1001, ack=1))
    pkt("fnat_pp2_syn", e / IP(src=CLIENT, dst=FNAT) /
        TCP(sport=40001, dport=81, flags="S", seq=5))
    pkt("fnat_pp2_data", e / IP(src=CLIENT, dst=FNAT) /
        TCP(sport=40001, dport=81, flags="PA", seq=6, ack=1) / Raw(b"GET / HTTP/1.0\r\n\r\n"))
    pkt("nat_syn", e / IP(src=CLIENT, dst=NAT) / TCP(sport=40002, dport=80, flags="S"))
    pkt("fnat_udp", e / IP(src=CLIENT, dst=FNAT) / UDP(sport=5353, dport=53) / Raw(b"q" * 12))
    pkt("nat_udp", e / IP(src=CLIENT, dst=NAT) / UDP(sport=5354, dport=53) / Raw(b"q" * 12))
    # QUIC to the conhash hash-quic-cid service: RFC 9001 A.2's client Initial
    # (first bytes, padded) and a short header with an 8-byte DCID
    initial = bytes.fromhex("c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec"
                            "11d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd") + bytes(40)
    pkt("nat_quic_initial", e / IP(src=CLIENT, dst=NAT, id=1) / UDP(sport=50000, dport=443) /
        Raw(initial))
    pkt("nat_quic_short", e / IP(src=CLIENT, dst=NAT, id=1) / UDP(sport=50001, dport=443) /
        Raw(bytes.fromhex("4311223344556677880000000161626364")))
    pkt("nat_reply", Ether(src=RS_MAC) / IP(src=RS1, dst=CLIENT) /
        TCP(sport=8080, dport=40002, flags="SA", ack=1))
    pkt("fnat_reply", Ether(src=RS_MAC) / IP(src=RS1, dst=LADDR) /
        TCP(sport=8080, dport=1025, flags="SA", ack=1001,
            options=[("MSS", 1460), ("SAck", (1, 2))]))
    quoted = IP(src=CLIENT, dst=FNAT) / UDP(sport=5353, dport=53)
    pkt("icmp_err", e / IP(src=CLIENT, dst=FNAT) / ICMP(type=3, code=3) / Raw(bytes(quoted)[:28]))
    pkt("icmp_err_rs", Ether(src=RS_MAC) / IP(src=RS1, dst=LADDR) /
        ICMP(type=3, code=4, nexthopmtu=576) / Raw(bytes(IP(src=LADDR, dst=RS1) /
                                                         TCP(sport=1025, dport=8080))[:28]))
    frags = fragment(e / IP(src=CLIENT, dst=FNAT) / UDP(sport=1, dport=53) / Raw(b"x" * 64),
                     fragsize=32)
    pkt("frag0", frags[0])
    pkt("frag1", frags[1])
    # Whole datagrams in fragments (reassembled, then IPVS), last first,
    # every other one arriving on the second worker (ctl bit 4): the owner
    # worker of (src, dst, id, proto) gets them over the redirect ring.
    for vip, name in ((NAT, "nat"), (FNAT, "fnat")):
        fr = fragment(e / IP(src=CLIENT, dst=vip, id=77) / UDP(sport=41003, dport=53) /
                      Raw(b"z" * 900), fragsize=304)
        write("fuzz_packet", name + "_udp_frags",
              SEP.join(bytes([1 | (0x10 if i % 2 else 0)]) + bytes(f)
                       for i, f in enumerate(reversed(fr))))
    pkt("fwd", e / IP(src=CLIENT, dst="10.0.1.10", ttl=1) / UDP(sport=7, dport=7))
    pkt("tcp_badoff", e / IP(src=CLIENT, dst=FNAT) / TCP(sport=1, dport=80, flags="S", dataofs=15))
    pkt("runt", b"\x00" * 10, ctl=0)


def ctl_seeds():
    # byte 0-1: opcode index (mod the registered count), then the payload.
    for i in range(0, 64, 3):
        write("fuzz_ctl", "op%02d_zero" % i, struct.pack("<H", i) + bytes(64))
        write("fuzz_ctl", "op%02d_ones" % i, struct.pack("<H", i) + b"\xff" * 64)


def cfg_seeds():
    sample = os.path.join(os.path.dirname(ROOT), "..", "..", "conf", "dpvsd.conf.sample")
    with open(sample, "rb") as f:
        write("fuzz_cfg", "sample", f.read())
    write("fuzz_cfg", "small",
          b'global = { log_level = "info"; };\n'
          b'lcores = ( { id = 0; role = "master"; }, { id = 1; role = "fwd_worker"; } );\n'
          b'netif = { ports = ( { vdev = "net_ring0"; mtu = 1500; } ); };\n'
          b'inet = { addresses = ( { dev = "dpdk0"; addr = "10.0.0.1/24"; } );\n'
          b'  routes = ( { dst = "0.0.0.0/0"; via = "10.0.0.254"; dev = "dpdk0"; } ); };\n'
          b'ipvs = { conn_max = 1024; timeouts = { udp = 5; }; };\n')


def cli_seeds():
    def words(sel, *w):
        return bytes([sel]) + b"\0".join(x.encode() for x in w)
    lines = [
        ["-A", "-t", "10.0.0.100:80", "-s", "wrr", "-p", "60", "-M", "255.255.255.0"],
        ["-a", "-t", "10.0.0.100:80", "-r", "10.0.1.10:8080", "-b", "-w", "3", "-x", "10", "-y", "5"],
        ["-E", "-u", "[2001:db8::1]:53", "-s", "mh", "--sched-flags", "fallback,port"],
        ["-L", "-n", "-c", "--stats", "--exact"],
        ["--set", "900", "120", "300"],
        ["-P", "-t", "10.0.0.100:80", "-z", "10.0.1.1", "-F", "dpdk0"],
        ["-A", "-f", "7", "-s", "conhash", "--proxy-protocol", "v2"],
    ]
    for i, w in enumerate(lines):
        write("fuzz_cli", "ipvsadm%d" % i, words(0, *w))
        write("fuzz_cli", "restore%d" % i, bytes([2]) + " ".join(w).encode())
    dp = [
        ["link", "set", "dev", "dpdk0", "mtu", "1500"],
        ["addr", "add", "10.0.0.1/24", "dev", "dpdk0"],
        ["route", "add", "0.0.0.0/0", "via", "10.0.0.254", "dev", "dpdk0", "metric", "5"],
        ["neigh", "add", "10.0.0.2", "lladdr", "02:00:00:00:00:02", "dev", "dpdk0"],
        ["log", "set", "dpvsd.*", "debug"],
        ["ip", "stats", "ipv4"],
        ["lcore", "show"],
    ]
    for i, w in enumerate(dp):
        write("fuzz_cli", "dpip%d" % i, words(1, *w))
    write("fuzz_cli", "list_empty", bytes([3]) + bytes(16))


def main():
    packets()
    sequences()
    ctl_seeds()
    cfg_seeds()
    cli_seeds()
    return 0


if __name__ == "__main__":
    sys.exit(main())
