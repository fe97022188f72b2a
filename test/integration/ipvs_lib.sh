# test/integration/ipvs_lib.sh - helpers of the IPVS datapath tests
# (40_fnat .. 45_drain_and_scale).  Source it after lib.sh.
#
# The lab is scripts/lab.sh (prefix "i$TAG"): a client namespace, dpvsd in
# the default namespace on two af_packet ports, N real-server namespaces on
# a switch.  dpvsd runs with 2 FWD_WORKERs (lcores 1 and 2; lcore 2 shares
# CPU 0 with the master), so flows whose owner is the other worker go
# through the redirect rings.
#
#   ipvs_lab_up N [--direct]     lab with N servers; sets LAB_* (lab.sh env),
#                                RS_NS[i], RS_IP[i]; removed on exit
#   ipvs_dpvsd_start [text]      dpvsd on the lab (netif + inet from lab.sh,
#                                2 workers, the ipvs section, extra text)
#   ipvs_nginx_start I [pp]      nginx in server I on ports 80 and 81 (all
#                                addresses) answering "rsI"; with pp, port 80
#                                expects the PROXY protocol.  Access log:
#                                $T/ngxI/access.log, "remote_addr pp_addr"
#   ipvs_udp_start I             UDP server in server I on port 5353 answering
#                                "rsI <client addr>:<port>"; returns once it is
#                                bound (it writes $T/udpI.ready after bind()).
#                                It logs each datagram's length, one a line,
#                                in $T/udpI.rx
#   ipvs_udp_rx_count I [bytes]  datagrams (or payload bytes) server I received
#   ipvs_curl_n N URL            N sequential curls from the client (new
#                                connection each); prints one answer per line
#                                ("ERR" for a failure)
#   ipvs_count WORD FILE         lines of FILE equal to WORD
#   ipvs_wrk SECS CONNS URL      wrk from the client, Connection: close (a new
#                                TCP connection per request); sets WRK_REQS,
#                                WRK_ERRS (socket errors + non-2xx); output in
#                                $T/wrk.out
#   ipvs_udp_client N [port] [tries]  N datagrams from N source ports to
#                                VIP:port (5353); prints the answers, "ERR" for
#                                a lost one
#   ipvs_conns                   `ipvsadm -lnc` lines (connections, not header)
#   ipvs_udp_fnat_one CONF       lab with 1 server answering UDP, dpvsd with the
#                                extra config CONF, a UDP FNAT service
#                                VIP:5353 -> server 0 with local address
#                                IPVS_LADDR1 on dpdk1 (tests 48, 49)
#   ipvs_stat FIELD              sum of a service's counter from --stats
IPVS_VIP=10.77.100.1
IPVS_LADDR1=10.77.2.100
IPVS_LADDR2=10.77.2.101
RS_NS=()
RS_IP=()
IPVS_SERVER_PIDS=()

ipvs_lab_up() {
	local n=$1
	shift
	need_cmd ip ethtool curl python3
	LAB_P="i$TAG"
	on_exit "$ROOT/scripts/lab.sh down --prefix $LAB_P"
	"$ROOT/scripts/lab.sh" up --prefix "$LAB_P" --servers "$n" "$@" >"$T/lab.env" ||
		fail "lab.sh up failed"
	# shellcheck disable=SC1091
	source "$T/lab.env"
	read -ra RS_NS <<<"$LAB_NS_SERVERS"
	read -ra RS_IP <<<"$LAB_SERVER_IPS"
}

# Two FWD_WORKERs: lcore 1 on CPU 1, lcore 2 on CPU 0 (with the master).
ipvs_dpvsd_start() {
	local lab
	lab=$("$ROOT/scripts/lab.sh" config --prefix "$LAB_P")
	dpvsd_config "$T/d.conf" "$lab
$*"
	sed -i 's/^\(    { id = 1; role = "fwd_worker";\) }$/\1 cpu = 1; },\n    { id = 2; role = "fwd_worker"; cpu = 0; }/' \
		"$T/d.conf"
	grep -q 'id = 2; role = "fwd_worker"' "$T/d.conf" || fail "could not add a second fwd_worker"
	dpvsd_start "$T/d.conf"
}

ipvs_nginx_start() {
	local i=$1 pp=${2:-} d="$T/ngx$1" listen="listen 80"
	[ -n "$pp" ] && listen="listen 80 proxy_protocol"
	mkdir -p "$d"
	cat >"$d/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    log_format pp '\$remote_addr \$proxy_protocol_addr';
    access_log $d/access.log pp;
    keepalive_requests 100000;
    server {
        $listen reuseport backlog=4096;
        listen 81 reuseport backlog=4096;
        location / { return 200 "rs$i\n"; }
    }
}
EOF
	setsid ip netns exec "${RS_NS[$i]}" nginx -c "$d/nginx.conf" -p "$d" \
		</dev/null >"$d/out.log" 2>&1 &
	IPVS_SERVER_PIDS+=($!)
	on_exit "kill -TERM -- -$! ; kill -TERM $!"
	wait_for 10 "[ -s $d/nginx.pid ] && ip netns exec ${RS_NS[$i]} ss -ltn | grep -q ':80 '" ||
		fail "nginx in ${RS_NS[$i]} did not start: $(cat "$d/out.log" "$d/error.log" 2>/dev/null)"
}

ipvs_udp_start() {
	local i=$1
	cat >"$T/udp_srv.py" <<'EOF'
import os, socket, sys
name, ready, rxlog = sys.argv[1:4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5353))
log = open(rxlog, "a", buffering=1)
with open(ready + ".tmp", "w") as f:
    f.write("%d\n" % os.getpid())
os.rename(ready + ".tmp", ready)
while True:
    data, addr = s.recvfrom(2048)
    log.write("%d\n" % len(data))
    s.sendto(("%s %s:%d" % (name, addr[0], addr[1])).encode(), addr)
EOF
	rm -f "$T/udp$i.ready"
	: >"$T/udp$i.rx"
	setsid ip netns exec "${RS_NS[$i]}" /usr/bin/python3 "$T/udp_srv.py" "rs$i" \
		"$T/udp$i.ready" "$T/udp$i.rx" </dev/null >"$T/udp$i.log" 2>&1 &
	IPVS_SERVER_PIDS+=($!)
	on_exit "kill -TERM -- -$! ; kill -TERM $!"
	wait_for 10 "[ -s '$T/udp$i.ready' ]" ||
		fail "UDP server in ${RS_NS[$i]} did not bind port 5353: $(cat "$T/udp$i.log")"
}

ipvs_udp_rx_count() {
	if [ "${2:-}" = bytes ]; then
		awk '{s += $1} END {print s + 0}' "$T/udp$1.rx"
	else
		wc -l <"$T/udp$1.rx"
	fi
}

ipvs_curl_n() {
	local n=$1 url=$2 i out
	for (( i = 0; i < n; i++ )); do
		out=$(ip netns exec "$LAB_NS_CLIENT" curl -s -m 3 "$url") || out=ERR
		echo "${out:-ERR}"
	done
}

ipvs_count() {
	grep -cx "$1" "$2" || true
}

# ipvs_expect_even LABEL C0 C1 C2: print the per-server counts and fail when
# they differ by more than 2 (each worker has its own rr cursor).
ipvs_expect_even() {
	local what=$1 max min
	shift
	echo "$what distribution: rs0=$1 rs1=$2 rs2=$3"
	max=$(printf '%s\n' "$@" | sort -n | tail -1)
	min=$(printf '%s\n' "$@" | sort -n | head -1)
	[ $((max - min)) -le 2 ] || fail "$what distribution off: $*"
}

# ipvs_udp_direct_check FLAG MODE: a UDP rr service on port 5353 whose three
# real servers (-g or -i) answer the client directly; every datagram is
# answered, spread evenly, seen with the client's address; and no TCP reply
# packet of the port 80 service went through dpvsd.
ipvs_udp_direct_check() {
	local flag=$1 mode=$2 ip i u0 u1 u2 bad stats conns inpkts outpkts
	for i in 0 1 2; do ipvs_udp_start "$i"; done
	"$IPVSADM" -A -u "$IPVS_VIP:5353" -s rr || fail "ipvsadm -A udp"
	for ip in "${RS_IP[@]}"; do
		"$IPVSADM" -a -u "$IPVS_VIP:5353" -r "$ip" "$flag" || fail "ipvsadm -a udp $ip"
	done
	ipvs_udp_client 30 5353 >"$T/udp.out"
	expect_eq "$(grep -c '^ERR' "$T/udp.out")" 0 "unanswered UDP datagrams"
	u0=$(grep -c '^rs0 ' "$T/udp.out"); u1=$(grep -c '^rs1 ' "$T/udp.out")
	u2=$(grep -c '^rs2 ' "$T/udp.out")
	ipvs_expect_even "UDP rr" "$u0" "$u1" "$u2"
	bad=$(awk -v c="$LAB_CLIENT_IP" '{split($2, a, ":"); if (a[1] != c) print}' "$T/udp.out" | head -3)
	[ -z "$bad" ] || fail "UDP servers did not see the client address: $bad"

	stats=$("$IPVSADM" -Ln --stats -t "$IPVS_VIP:80")
	echo "$stats"
	read -r conns inpkts outpkts <<<"$(echo "$stats" | awk '$1 == "TCP" {print $3, $4, $5}')"
	[ "${conns:-0}" -ge "$WRK_REQS" ] || fail "Conns ${conns:-?} < wrk requests $WRK_REQS"
	expect_eq "$outpkts" 0 "reply packets through dpvsd in $mode"
}

ipvs_wrk() {
	local secs=$1 conns=$2 url=$3
	need_cmd wrk
	ip netns exec "$LAB_NS_CLIENT" timeout $((secs + 20)) wrk -t 1 -c "$conns" -d "${secs}s" \
		-H "Connection: close" "$url" >"$T/wrk.out" 2>&1 || fail "wrk failed: $(cat "$T/wrk.out")"
	WRK_REQS=$(awk '/requests in/ {print $1}' "$T/wrk.out")
	WRK_ERRS=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}
		/Non-2xx/ {print $NF}' "$T/wrk.out" | awk '{s += $1} END {print s + 0}')
}

ipvs_udp_client() {
	local n=$1 port=${2:-5353} tries=${3:-3}
	cat >"$T/udp_cli.py" <<'EOF'
import socket, sys
vip, port, n, tries = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    s.bind(("0.0.0.0", 0))
    ans = "ERR"
    for t in range(tries):
        s.sendto(b"hello %d" % i, (vip, port))
        try:
            ans = s.recv(2048).decode()
            break
        except socket.timeout:
            pass
    print(ans, flush=True)
    s.close()
EOF
	ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 "$T/udp_cli.py" "$IPVS_VIP" "$port" "$n" "$tries"
}

ipvs_conns() {
	"$IPVSADM" -lnc | awk 'NR > 2'
}

ipvs_udp_fnat_one() {
	ipvs_lab_up 1
	ipvs_dpvsd_start "$1"
	ipvs_udp_start 0
	"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add laddr"
	"$IPVSADM" -A -u "$IPVS_VIP:5353" -s rr || fail "ipvsadm -A"
	"$IPVSADM" -a -u "$IPVS_VIP:5353" -r "${RS_IP[0]}:5353" -b || fail "ipvsadm -a"
	"$IPVSADM" -P -u "$IPVS_VIP:5353" -z "$IPVS_LADDR1" -F dpdk1 || fail "add-laddr"
}
