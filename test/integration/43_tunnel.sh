#!/bin/bash
# 43_tunnel.sh - TUNNEL (IPIP) through 2 FWD_WORKERs.  This kernel has no
# IPIP, so each real server decapsulates in user space (as lab-notes.md
# describes): a python3 raw socket for protocol 4 reads the encapsulated
# packets and writes the inner packet into a tun device that holds the
# VIP; the server's kernel answers the client directly over the switch
# (lab --direct).  Checks, for TCP (curl, wrk) and UDP: every request
# answered; rr distribution; the servers see the client address; the outer
# header comes from dpvsd's address on the servers' network; wrk without
# errors; OutPkts 0.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing (no tun devices for the decapsulator)"

cat >"$T/decap.py" <<'EOF2'
# user-space IPIP decapsulator: raw protocol-4 socket -> tun device
import fcntl, os, socket, struct, sys
TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454ca, 0x0001, 0x1000
tun, log = sys.argv[1], sys.argv[2]
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", tun.encode(), IFF_TUN | IFF_NO_PI))
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 4)
n = 0
with open(log, "w") as f:
    while True:
        pkt = s.recv(65535)
        ihl = (pkt[0] & 0x0F) * 4
        if n == 0:
            f.write("outer %s -> %s\n" % (socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20])))
            f.flush()
        n += 1
        os.write(fd, pkt[ihl:])
EOF2

ipvs_lab_up 3 --direct
for i in 0 1 2; do
	ns=${RS_NS[$i]}
	ip -n "$ns" tuntap add dev tv0 mode tun || fail "tun device in $ns"
	ip -n "$ns" addr add "$IPVS_VIP/32" dev tv0
	ip -n "$ns" link set tv0 up
	for k in all default tv0; do
		ip netns exec "$ns" sysctl -qw "net.ipv4.conf.$k.rp_filter=0"
	done
	setsid ip netns exec "$ns" /usr/bin/python3 "$T/decap.py" tv0 "$T/decap$i.log" \
		</dev/null >"$T/decap$i.out" 2>&1 &
	on_exit "kill -TERM -- -$! ; kill -TERM $!"
	ipvs_nginx_start "$i"
done
ipvs_dpvsd_start

"$IPVSADM" -A -t "$IPVS_VIP:80" -s rr || fail "ipvsadm -A"
for ip in "${RS_IP[@]}"; do
	"$IPVSADM" -a -t "$IPVS_VIP:80" -r "$ip" -i || fail "ipvsadm -a $ip"
done
expect_match "$("$IPVSADM" -Ln)" "Tunnel" "ipvsadm -Ln shows TUNNEL real servers"

ipvs_curl_n 30 "http://$IPVS_VIP/" >"$T/curl.out"
expect_eq "$(ipvs_count ERR "$T/curl.out")" 0 "failed requests"
c0=$(ipvs_count rs0 "$T/curl.out"); c1=$(ipvs_count rs1 "$T/curl.out"); c2=$(ipvs_count rs2 "$T/curl.out")
ipvs_expect_even rr "$c0" "$c1" "$c2"

for i in 0 1 2; do
	expect_eq "$(cat "$T/decap$i.log")" "outer $LAB_DPVS_IP1 -> ${RS_IP[$i]}" "outer IPIP header at rs$i"
done
cat "$T"/ngx*/access.log >"$T/access.all"
bad=$(awk -v c="$LAB_CLIENT_IP" '$1 != c' "$T/access.all" | head -3)
[ -z "$bad" ] || fail "servers did not see the client address: $bad"

ipvs_wrk 3 8 "http://$IPVS_VIP/"
echo "wrk: $WRK_REQS requests, $WRK_ERRS errors"
[ "${WRK_REQS:-0}" -gt 100 ] || fail "wrk made only ${WRK_REQS:-0} requests: $(cat "$T/wrk.out")"
expect_eq "$WRK_ERRS" 0 "wrk errors"

# ---- UDP, and no reply through dpvsd ----
ipvs_udp_direct_check -i TUNNEL

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
