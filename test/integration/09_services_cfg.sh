#!/bin/bash
# 09_services_cfg.sh - services, real servers declared in dpvsd.conf (the
# "services" section, src/ipvs/svc_cfg.c), NAT to 3 nginx servers:
# - `dpvsd -t` accepts the file; traffic flows with no ipvsadm command;
# - a restart with the same file gives a byte-identical `ipvsadm -Sn`;
# - FNAT with a local address on dpdk1 from the file alone;
# - `dpip cfg save` prints the running table as a services section that,
#   as the only services of a new file, restores the same `ipvsadm -Sn`;
# - a reload that edits one service (scheduler, weight, a server removed,
#   one added), adds one and removes one, while a kept-alive connection
#   runs through an unchanged service: the connection survives, the edited
#   service keeps its identity, a service added with ipvsadm is left alone;
# - bad files (a duplicate real server, FNAT servers without a local
#   address, an unknown scheduler, a bad address): `dpvsd -t` names
#   file:line and key for each; a reload with one changes nothing.
# run_all: san
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

ipvs_lab_up 3
for i in 0 1 2; do ipvs_nginx_start "$i"; done

# svc PORT SCHED SERVERS: one NAT service of VIP:PORT; SERVERS is "i:w ...";
# the servers' port is 80 for service 80, else 81 (nginx listens on both).
svc() {
	local port=$1 sched=$2 rs="" i w sep="" rp=81
	[ "$port" = 80 ] && rp=80
	for iw in $3; do
		i=${iw%%:*}; w=${iw##*:}
		rs+="$sep{ addr = \"${RS_IP[$i]}\"; port = $rp; mode = \"nat\"; weight = $w; }"
		sep=", "
	done
	printf '{ proto = "tcp"; vip = "%s"; port = %s; scheduler = "%s"; real_servers = ( %s ); }' \
		"$IPVS_VIP" "$port" "$sched" "$rs"
}
# conf TEXT: the lab's config (2 workers) with FNAT local address
# IPVS_LADDR1 on dpdk1 and TEXT, in $T/d.conf.
conf() {
	local lab
	lab=$("$ROOT/scripts/lab.sh" config --prefix "$LAB_P")
	dpvsd_config "$T/d.conf" "$lab
$*"
	sed -i -e 's/^\(    { id = 1; role = "fwd_worker";\) }$/\1 cpu = 1; },\n    { id = 2; role = "fwd_worker"; cpu = 0; }/' \
		-e "s|^\( *{ dev = \"dpdk1\"; addr = \"[0-9.]*/24\"; }\)$|\1,\n        { dev = \"dpdk1\"; addr = \"$IPVS_LADDR1/24\"; }|" \
		"$T/d.conf"
	grep -q "id = 2; role = \"fwd_worker\"" "$T/d.conf" || fail "could not add a second fwd_worker"
	grep -q "addr = \"$IPVS_LADDR1/24\"" "$T/d.conf" || fail "could not add the local address"
}
# A FNAT service VIP:85 -> server 1's port 81, local address IPVS_LADDR1.
FNAT=$(printf '{ proto = "tcp"; vip = "%s"; port = 85; scheduler = "rr"; local_addresses = [ "%s" ]; local_dev = "dpdk1"; real_servers = ( { addr = "%s"; port = 81; mode = "fnat"; } ); }' \
	"$IPVS_VIP" "$IPVS_LADDR1" "${RS_IP[1]}")
# Services without traffic whose every key dpip cfg save must write back.
EXTRA=$(printf '%s, %s, %s' \
	"{ proto = \"udp\"; vip = \"$IPVS_VIP\"; port = 53; scheduler = \"sh\"; sched_flags = [ \"fallback\", \"port\" ]; one_packet = true; persistent = 300; netmask = \"255.255.255.0\"; real_servers = ( { addr = \"${RS_IP[0]}\"; mode = \"dr\"; weight = 3; u_threshold = 50; l_threshold = 5; } ); }" \
	"{ fwmark = 9; scheduler = \"conhash\"; sched_flags = [ \"hash-sip-sport\" ]; real_servers = ( { addr = \"${RS_IP[2]}\"; mode = \"tunnel\"; tun_type = \"gue\"; tun_port = 6080; tun_csum = true; } ); }" \
	"{ proto = \"tcp\"; vip = \"$IPVS_VIP\"; port = 86; scheduler = \"mh\"; proxy_protocol = \"v2\"; toa = false; local_addresses = [ \"$IPVS_LADDR1\" ]; real_servers = ( { addr = \"${RS_IP[1]}\"; mode = \"fnat\"; } ); }")
services() {
	local IFS=,
	printf 'services = ( %s );\n' "$*"
}

S1=$(services "$(svc 80 wrr "0:1 1:2")" "$(svc 81 rr "0:1 1:1 2:1")" "$(svc 82 wlc "2:1")" "$FNAT" "$EXTRA")
conf "$S1"
dpvsd_start "$T/d.conf"
"$DPVSD" -t -c "$T/d.conf" >"$T/t.out" 2>&1 || fail "dpvsd -t refuses the file: $(cat "$T/t.out")"
cp "$T/d.conf" "$T/good.conf"

# ---- traffic with no ipvsadm command ----
ipvs_curl_n 30 "http://$IPVS_VIP/" >"$T/curl.out"
expect_eq "$(ipvs_count ERR "$T/curl.out")" 0 "failed requests to the file's service"
c0=$(ipvs_count rs0 "$T/curl.out"); c1=$(ipvs_count rs1 "$T/curl.out")
echo "wrr 1:2 over 30: rs0=$c0 rs1=$c1"
[ "$c0" -ge 5 ] && [ "$c1" -ge 15 ] || fail "wrr 1:2 distribution off: rs0=$c0 rs1=$c1"
expect_eq "$(ipvs_curl_n 1 "http://$IPVS_VIP:82/")" rs2 "the third service answers"
expect_eq "$(ipvs_curl_n 1 "http://$IPVS_VIP:85/")" rs1 "the FNAT service answers"
expect_match "$(tail -n 1 "$T"/ngx1/access.log)" "^$IPVS_LADDR1 " "the FNAT server sees the local address"
"$IPVSADM" -Sn >"$T/S.before" || fail "ipvsadm -Sn"
expect_eq "$(grep -c '^-A' "$T/S.before")" 7 "services in ipvsadm -Sn"
cat "$T/S.before"
expect_match "$("$IPVSADM" -G -t "$IPVS_VIP:85" 2>&1)" "$IPVS_LADDR1" "the FNAT service's local address"

# ---- write-back: dpip cfg save gives a services section ----
"$DPIP" cfg save >"$T/saved.conf" || fail "dpip cfg save: $(cat "$T/saved.conf")"
expect_match "$(cat "$T/saved.conf")" "\(dpip cfg save\).services = \(" "dpip cfg save prints a services section"

# ---- restart with the same file: the same table ----
dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status (first run)"
dpvsd_start "$T/d.conf"
"$IPVSADM" -Sn >"$T/S.restart"
cmp -s "$T/S.before" "$T/S.restart" ||
	fail "ipvsadm -Sn differs after a restart: $(diff "$T/S.before" "$T/S.restart")"
expect_match "$("$IPVSADM" -G -t "$IPVS_VIP:85" 2>&1)" "$IPVS_LADDR1 .*dpdk1" "local address after a restart"

# ---- the saved section as the file's services: the same table ----
dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status (restarted)"
conf "$(cat "$T/saved.conf")"
dpvsd_start "$T/d.conf"
"$IPVSADM" -Sn >"$T/S.saved"
cmp -s "$T/S.before" "$T/S.saved" ||
	fail "ipvsadm -Sn differs when started from dpip cfg save: $(diff "$T/S.before" "$T/S.saved")"
expect_match "$("$IPVSADM" -G -t "$IPVS_VIP:85" 2>&1)" "$IPVS_LADDR1 .*dpdk1" "local address from dpip cfg save"
dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status (from dpip cfg save)"
cp "$T/good.conf" "$T/d.conf"
dpvsd_start "$T/d.conf"

# ---- a kept-alive connection through VIP:81 ----
cat >"$T/hold.py" <<'PY'
import os, socket, sys, time
vip, go, out = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.create_connection((vip, 81), timeout=5)
def get():
    s.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(4096)
    head, body = buf.split(b"\r\n\r\n", 1)
    n = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(body) < n:
        body += s.recv(4096)
    return body.decode().strip()
with open(out, "a") as f:
    f.write(get() + "\n")
    f.flush()
    for _ in range(600):
        if os.path.exists(go):
            break
        time.sleep(0.1)
    try:
        f.write(get() + "\n")
    except Exception as e:
        f.write("ERR %s\n" % e)
PY
ip netns exec "$LAB_NS_CLIENT" python3 "$T/hold.py" "$IPVS_VIP" "$T/go" "$T/hold.out" &
HOLD=$!
on_exit "kill $HOLD 2>/dev/null"
wait_for 10 "[ -s $T/hold.out ]" || fail "the kept-alive connection got no first answer"
first=$(head -n 1 "$T/hold.out")

# A service added at run time, not in the file.
"$IPVSADM" -A -t "$IPVS_VIP:83" -s rr || fail "ipvsadm -A 83"
"$IPVSADM" -a -t "$IPVS_VIP:83" -r "${RS_IP[0]}:81" -m || fail "ipvsadm -a 83"
# Connections counted by service 80 (kept by an edit, reset by delete + add).
ipvs_curl_n 6 "http://$IPVS_VIP/" >"$T/curl2.out"
expect_eq "$(ipvs_count ERR "$T/curl2.out")" 0 "failed requests after the restart"

# ---- a bad file changes nothing ----
bad() {	# bad NAME TEXT WANT [PAT]: dpvsd -t and a reload refuse TEXT with WANT
	local name=$1 text=$2 want=$3 rc=0 out	# @L@ in WANT: the line of PAT
	conf "$text"
	[ $# -gt 3 ] && want=${want//@L@/$(line_of "$4")}
	out=$("$DPVSD" -t -c "$T/d.conf" 2>&1) && fail "$name: dpvsd -t accepted the file"
	expect_match "$out" "$want" "$name: dpvsd -t names file:line and key"
	out=$("$DPIP" cfg reload 2>&1) || rc=$?
	expect_eq "$rc" 1 "$name: reload refused"
	"$IPVSADM" -Sn | grep -v ":83" >"$T/S.now"
	cmp -s "$T/S.before" "$T/S.now" || fail "$name: the table changed: $(diff "$T/S.before" "$T/S.now")"
}
line_of() { grep -n "$1" "$T/d.conf" | head -n 1 | cut -d: -f1; }
D=$(svc 80 wrr "0:1 1:2 1:3")
bad duplicate "$(services "$D" "$(svc 81 rr "0:1 1:1 2:1")" "$FNAT")" \
	"d.conf:[0-9]*: services.\[0\].real_servers.\[2\].addr: real server listed twice"
bad fnat "services = ( { proto = \"tcp\"; vip = \"$IPVS_VIP\"; port = 80;
  real_servers = ( { addr = \"${RS_IP[0]}\"; mode = \"fnat\"; } ); } );" \
	"d.conf:[0-9]*: services.\[0\].real_servers.\[0\].mode: a FNAT real server needs local_addresses"
bad sched "services = (
  { proto = \"tcp\"; vip = \"$IPVS_VIP\"; port = 80; scheduler = \"fastest\"; } );" \
	"d.conf:@L@: services.\[0\].scheduler: Scheduler not found: fastest" fastest
bad address "services = (
  { proto = \"tcp\"; vip = \"$IPVS_VIP\"; port = 80; real_servers = ( { addr = \"10.1.2\"; } ); } );" \
	"d.conf:@L@: services.\[0\].real_servers.\[0\].addr: expected an IPv4 address" '"10.1.2"'

# ---- reload: edit 80, keep 81, drop 82, add 84 ----
S2=$(services "$(svc 80 rr "1:5 2:1")" "$(svc 81 rr "0:1 1:1 2:1")" "$(svc 84 rr "0:1")" "$FNAT" "$EXTRA")
conf "$S2"
out=$("$DPIP" cfg reload 2>&1) || fail "reload: $out"
ln=$("$IPVSADM" -Ln)
echo "$ln"
expect_match "$ln" "TCP  $IPVS_VIP:80 rr" "service 80 edited (scheduler)"
expect_match "$ln" "${RS_IP[1]}:80 +Masq +5 " "server 1 of 80 re-weighted"
expect_match "$ln" "${RS_IP[2]}:80 +Masq +1 " "server 2 of 80 added"
[[ "$ln" =~ ${RS_IP[0]}:80 ]] && fail "server 0 of 80 not removed"
[[ "$ln" =~ $IPVS_VIP:82 ]] && fail "service 82 (dropped from the file) still there"
expect_match "$ln" "TCP  $IPVS_VIP:84 rr" "service 84 added"
expect_match "$ln" "TCP  $IPVS_VIP:83 rr" "the ipvsadm service 83 is left alone"
expect_eq "$(ipvs_curl_n 1 "http://$IPVS_VIP:84/")" rs0 "the added service answers"
conns=$("$IPVSADM" -Ln --stats -t "$IPVS_VIP:80" | awk '$1 == "TCP" {print $3}')
[ "${conns:-0}" -ge 6 ] || fail "service 80 was re-created, not edited (Conns ${conns:-?} < 6)"
expect_match "$("$DPIP" cfg show)" "leaves services added at run time" "cfg show says what a reload does"
touch "$T/go"
wait_for 10 "[ \$(wc -l <$T/hold.out) -ge 2 ]" || fail "the kept-alive connection got no second answer"
second=$(sed -n 2p "$T/hold.out")
expect_eq "$second" "$first" "the kept-alive connection through the unchanged service 81 survives"
wait "$HOLD" 2>/dev/null || true

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
