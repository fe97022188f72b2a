#!/bin/bash
# 61_sctp.sh - SCTP services (ipvsadm --sctp-service) in NAT and FNAT
# through 2 FWD_WORKERs.  This kernel has no SCTP (socket(AF_INET,
# SOCK_STREAM, 132) fails with EPROTONOSUPPORT), so both ends are user-space
# peers on raw protocol-132 sockets (a raw socket also keeps the kernel from
# answering with protocol-unreachable): the client crafts INIT, COOKIE ECHO,
# DATA, SACK, SHUTDOWN, SHUTDOWN COMPLETE with scapy; each real server
# answers INIT ACK, COOKIE ACK, SACK + DATA ("rsN saw ADDR:PORT"), SHUTDOWN
# ACK.  Both sides check every packet they receive with a CRC32c written
# here (not scapy's) and its addresses, ports and verification tag.
# Checks: NAT (VIP:3868 -> servers on 3869, so the port rewrite forces a
# CRC recompute both ways), FNAT (VIP:3870, local address as the source
# the server sees) and DR (VIP:3872 in a --direct lab, servers holding the
# VIP and answering from it) complete associations end to end; rr over both servers;
# `ipvsadm -lnc` shows the SCTP conns ESTABLISHED while up and CLOSED after
# the shutdown; -Ln shows "SCTP"; -S prints --sctp-service; a DATA chunk
# without an association never reaches a server.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"
PY=/usr/bin/python3
"$PY" -c 'import scapy.layers.sctp' 2>/dev/null || skip "python3-scapy missing"

cat >"$T/peer.py" <<'EOF2'
# SCTP peers on raw sockets: "server NAME LOG" answers; "client VIP VPORT
# SPORT STATE GO" runs one association; "stray VIP VPORT SPORT" sends DATA
# without one.
import os, random, socket, struct, sys, time
from scapy.layers.sctp import (SCTP, SCTPChunkInit, SCTPChunkInitAck, SCTPChunkParamStateCookie,
    SCTPChunkCookieEcho, SCTPChunkCookieAck, SCTPChunkData, SCTPChunkSACK, SCTPChunkShutdown,
    SCTPChunkShutdownAck, SCTPChunkShutdownComplete)

NAMES = {0: "DATA", 1: "INIT", 2: "INIT_ACK", 3: "SACK", 7: "SHUTDOWN", 8: "SHUTDOWN_ACK",
         10: "COOKIE_ECHO", 11: "COOKIE_ACK", 14: "SHUTDOWN_COMPLETE", 6: "ABORT"}

def crc32c(data):
    c = 0xffffffff
    for x in data:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 & -(c & 1))
    return (~c) & 0xffffffff

def parse(pkt):
    """(src, dst, sport, dport, tag, crc_ok, first chunk type, sctp bytes)"""
    ihl = (pkt[0] & 0x0F) * 4
    s = pkt[ihl:]
    sport, dport, tag = struct.unpack("!HHI", s[:8])
    ok = s[8:12] == crc32c(s[:8] + b"\0\0\0\0" + s[12:]).to_bytes(4, "little")
    return (socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20]), sport, dport, tag, ok,
            s[12] if len(s) > 12 else -1, s)

def sock():
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 132)
    s.settimeout(0.5)
    return s

def server(name, log):
    s = sock()
    peers, out_socks = {}, {}
    def reply_sock(addr):	# answer from the address asked (the VIP in DR)
        if addr not in out_socks:
            o = socket.socket(socket.AF_INET, socket.SOCK_RAW, 132)
            o.bind((addr, 0))
            out_socks[addr] = o
        return out_socks[addr]
    with open(log, "a", buffering=1) as f:
        f.write("ready\n")
        while True:
            try:
                pkt = s.recv(65535)
            except socket.timeout:
                continue
            src, dst, sport, dport, tag, ok, ctype, raw = parse(pkt)
            f.write("%s %s src=%s:%d dst=%s:%d tag=%d crc=%s\n" % (name, NAMES.get(ctype, ctype),
                    src, sport, dst, dport, tag, "ok" if ok else "BAD"))
            if not ok:
                continue
            p = SCTP(raw)
            out = None
            if p.haslayer(SCTPChunkInit):
                a = p[SCTPChunkInit].init_tag
                peers[(src, sport)] = a
                out = SCTPChunkInitAck(init_tag=0x5e5e0000 + dport, a_rwnd=65535, n_out_streams=1,
                        n_in_streams=1, init_tsn=1000,
                        params=[SCTPChunkParamStateCookie(cookie=("%s:%d" % (name, a)).encode())])
            elif p.haslayer(SCTPChunkCookieEcho):
                out = SCTPChunkCookieAck()
            elif p.haslayer(SCTPChunkData):
                tsn = p[SCTPChunkData].tsn
                out = SCTPChunkSACK(cumul_tsn_ack=tsn, a_rwnd=65535) / SCTPChunkData(tsn=1000,
                        stream_id=0, stream_seq=0, proto_id=0,
                        data=("%s saw %s:%d" % (name, src, sport)).encode())
            elif p.haslayer(SCTPChunkShutdown):
                out = SCTPChunkShutdownAck()
            if out is not None and (src, sport) in peers:
                reply_sock(dst).sendto(bytes(SCTP(sport=dport, dport=sport,
                                                  tag=peers[(src, sport)]) / out), (src, 0))

def client(vip, vport, sport, state, go):
    s = sock()
    a = random.randint(1, 0xffffffff)
    def send(tag, chunk):
        s.sendto(bytes(SCTP(sport=sport, dport=vport, tag=tag) / chunk), (vip, 0))
    def wait(layer, what, resend=None):
        for _ in range(3):
            if resend:
                resend()
            end = time.time() + 2
            while time.time() < end:
                try:
                    pkt = s.recv(65535)
                except socket.timeout:
                    continue
                src, dst, sp, dp, tag, ok, ctype, raw = parse(pkt)
                if dp != sport:
                    continue
                if not ok:
                    sys.exit("%s: bad CRC32c from %s:%d" % (what, src, sp))
                if src != vip or sp != vport or tag != a:
                    sys.exit("%s: from %s:%d tag %d, want %s:%d tag %d" % (what, src, sp, tag,
                             vip, vport, a))
                p = SCTP(raw)
                if p.haslayer(layer):
                    return p
        sys.exit("%s: nothing came" % what)
    p = wait(SCTPChunkInitAck, "INIT ACK", lambda: send(0, SCTPChunkInit(init_tag=a,
             a_rwnd=65535, n_out_streams=1, n_in_streams=1, init_tsn=1)))
    b = p[SCTPChunkInitAck].init_tag
    cookie = [x.cookie for x in p[SCTPChunkInitAck].params
              if isinstance(x, SCTPChunkParamStateCookie)][0]
    wait(SCTPChunkCookieAck, "COOKIE ACK", lambda: send(b, SCTPChunkCookieEcho(cookie=cookie)))
    p = wait(SCTPChunkData, "DATA", lambda: send(b, SCTPChunkData(tsn=1, stream_id=0,
             stream_seq=0, proto_id=0, data=b"hello")))
    send(b, SCTPChunkSACK(cumul_tsn_ack=p[SCTPChunkData].tsn, a_rwnd=65535))
    print(p[SCTPChunkData].data.decode())
    sys.stdout.flush()
    with open(state, "w") as f:
        f.write("up\n")
    end = time.time() + 20
    while not os.path.exists(go) and time.time() < end:
        time.sleep(0.05)
    wait(SCTPChunkShutdownAck, "SHUTDOWN ACK", lambda: send(b, SCTPChunkShutdown(cumul_tsn_ack=1000)))
    send(b, SCTPChunkShutdownComplete())

if sys.argv[1] == "server":
    server(sys.argv[2], sys.argv[3])
elif sys.argv[1] == "client":
    client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6])
else:
    sock().sendto(bytes(SCTP(sport=int(sys.argv[4]), dport=int(sys.argv[3]), tag=5) /
                  SCTPChunkData(tsn=1, data=b"stray")), (sys.argv[2], 0))
EOF2

# servers_start LOGPREFIX: the SCTP server of each real server
SERVER_PIDS=()
servers_start() {
	local i
	for i in 0 1; do
		setsid ip netns exec "${RS_NS[$i]}" "$PY" "$T/peer.py" server "rs$i" "$T/$1$i.log" \
			</dev/null >"$T/$1$i.out" 2>&1 &
		SERVER_PIDS[i]=$!
		on_exit "kill -TERM -- -$! 2>/dev/null; kill -TERM $! 2>/dev/null"
	done
	for i in 0 1; do
		wait_for 10 "grep -q ready $T/$1$i.log" ||
			fail "SCTP server $i did not start: $(cat "$T/$1$i.out")"
	done
}

ipvs_lab_up 2
servers_start rs
ipvs_dpvsd_start
"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add laddr"

"$IPVSADM" -A --sctp-service "$IPVS_VIP:3868" -s rr || fail "ipvsadm -A --sctp-service (NAT)"
"$IPVSADM" -A --sctp-service "$IPVS_VIP:3870" -s rr || fail "ipvsadm -A --sctp-service (FNAT)"
"$IPVSADM" -P --sctp-service "$IPVS_VIP:3870" -z "$IPVS_LADDR1" -F dpdk1 || fail "add-laddr"
for ip in "${RS_IP[@]}"; do
	"$IPVSADM" -a --sctp-service "$IPVS_VIP:3868" -r "$ip:3869" -m || fail "ipvsadm -a $ip -m"
	"$IPVSADM" -a --sctp-service "$IPVS_VIP:3870" -r "$ip:3869" -b || fail "ipvsadm -a $ip -b"
done
out=$("$IPVSADM" -Ln)
expect_match "$out" "SCTP  $IPVS_VIP:3868 rr" "ipvsadm -Ln names the SCTP service"
expect_match "$out" "${RS_IP[0]}:3869 +Masq" "NAT server listed"
expect_match "$("$IPVSADM" -Sn)" "-A --sctp-service $IPVS_VIP:3870 -s rr" "ipvsadm -S"

# one association: client port SPORT to VIP:VPORT; the server's answer
# goes to $T/c$SPORT.out; -lnc is checked while it is up and after it ends
assoc() {
	local vport=$1 sport=$2 rport=${3:-3869} line
	setsid ip netns exec "$LAB_NS_CLIENT" "$PY" "$T/peer.py" client "$IPVS_VIP" "$vport" \
		"$sport" "$T/up$sport" "$T/go$sport" </dev/null >"$T/c$sport.out" 2>&1 &
	local pid=$!
	wait_for 15 "[ -s $T/up$sport ] || ! kill -0 $pid" || fail "association $sport never came up"
	[ -s "$T/up$sport" ] || fail "association $sport: $(cat "$T/c$sport.out")"
	line=$("$IPVSADM" -lnc | grep "$LAB_CLIENT_IP:$sport ")
	expect_match "$line" "^SCTP .* ESTABLISHED +$LAB_CLIENT_IP:$sport +$IPVS_VIP:$vport +[^ ]+ +10\.77\.2\.1[01]:$rport" \
		"ipvsadm -lnc while association $sport is up"
	touch "$T/go$sport"
	wait "$pid" || fail "association $sport: $(cat "$T/c$sport.out")"
	line=$("$IPVSADM" -lnc | grep "$LAB_CLIENT_IP:$sport ")
	expect_match "$line" "^SCTP .* CLOSED " "ipvsadm -lnc after association $sport shut down"
	echo "association $sport -> :$vport: $(cat "$T/c$sport.out")"
}

assoc 3868 40001
assoc 3868 40002
assoc 3870 40003
assoc 3870 40004
for sp in 40001 40002; do
	expect_match "$(cat "$T/c$sp.out")" "^rs[01] saw $LAB_CLIENT_IP:$sp$" "NAT: the server sees the client"
done
for sp in 40003 40004; do
	expect_match "$(cat "$T/c$sp.out")" "^rs[01] saw $IPVS_LADDR1:[0-9]+$" "FNAT: the server sees the local address"
done
n0=$(cat "$T"/c4000[1-4].out | grep -c '^rs0 ')
n1=$(cat "$T"/c4000[1-4].out | grep -c '^rs1 ')
expect_eq "$n0:$n1" "2:2" "rr over both servers (one of each service on each)"

# what the servers received: every packet with a right CRC32c, to port 3869
grep -q "crc=BAD" "$T/rs0.log" "$T/rs1.log" && fail "a server got a bad CRC32c: $(grep -h BAD "$T"/rs*.log)"
cat "$T/rs0.log" "$T/rs1.log" >"$T/rs.log"
for t in INIT COOKIE_ECHO DATA SACK SHUTDOWN SHUTDOWN_COMPLETE; do
	expect_match "$(grep " $t " "$T/rs.log")" "src=$LAB_CLIENT_IP:4000[12] dst=10\.77\.2\.1[01]:3869 tag=[0-9]+ crc=ok" "NAT $t at a server"
	expect_match "$(grep " $t " "$T/rs.log")" "src=$IPVS_LADDR1:[0-9]+ dst=10\.77\.2\.1[01]:3869 tag=[0-9]+ crc=ok" "FNAT $t at a server"
done
expect_match "$(grep ' INIT ' "$T/rs.log" | head -1)" "tag=0 " "INIT with tag 0"

# DATA without an association is dropped by dpvsd
ip netns exec "$LAB_NS_CLIENT" "$PY" "$T/peer.py" stray "$IPVS_VIP" 3868 45999 ||
	fail "stray DATA not sent"
sleep 0.5
grep -q ":45999 " "$T/rs.log" "$T/rs0.log" "$T/rs1.log" && fail "a DATA chunk without association reached a server"
[ -z "$("$IPVSADM" -lnc | grep ":45999 ")" ] || fail "a conn was created for a DATA chunk"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
grep -q "sctp_no_init [1-9]" "$DPVSD_LOG" || fail "sctp_no_init not counted: $(grep sctp_no_init "$DPVSD_LOG")"

# ---- DR: a lab where the servers hold the VIP on lo and answer the client
# directly (from the VIP); dpvsd sees only the client's chunks (IN_ONLY) ----
for pid in "${SERVER_PIDS[@]}"; do
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done
ipvs_lab_up 2 --direct
for i in 0 1; do
	ns=${RS_NS[$i]}
	ip -n "$ns" addr add "$IPVS_VIP/32" dev lo || fail "VIP on lo of $ns"
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
done
servers_start dr
ipvs_dpvsd_start
"$IPVSADM" -A --sctp-service "$IPVS_VIP:3872" -s rr || fail "ipvsadm -A --sctp-service (DR)"
for ip in "${RS_IP[@]}"; do
	"$IPVSADM" -a --sctp-service "$IPVS_VIP:3872" -r "$ip" -g || fail "ipvsadm -a $ip -g"
done
assoc 3872 40005 3872
assoc 3872 40006 3872
n=$(cat "$T"/c4000[56].out | grep -c "^rs[01] saw $LAB_CLIENT_IP:4000[56]$")
expect_eq "$n" 2 "DR: both associations answered, the servers see the client"
expect_eq "$(cat "$T"/c4000[56].out | cut -d' ' -f1 | sort | tr '\n' ' ')" "rs0 rs1 " "DR: rr"
grep -q "crc=BAD" "$T/dr0.log" "$T/dr1.log" && fail "DR: a server got a bad CRC32c"
expect_match "$(cat "$T/dr0.log" "$T/dr1.log")" "DATA src=$LAB_CLIENT_IP:4000[56] dst=$IPVS_VIP:3872 " \
	"DR: the packet reaches the server unchanged (to the VIP)"
dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status (DR)"
exit 0
