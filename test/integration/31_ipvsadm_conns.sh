#!/bin/bash
# 31_ipvsadm_conns.sh - `ipvsadm -lnc` against live connections: a UDP FNAT
# service with one real server that answers with the source it saw (the
# local address and port dpvsd chose); the connection's line shows
# client, virtual, local and destination address:port in ipvsadm's columns
# plus "local", byte for byte except the expire time, with no trailing
# blanks.  A NAT connection shows "-" as local.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

ipvs_udp_fnat_one ""

# One datagram from a fixed client port, so the line is known in advance.
cat >"$T/one.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
s.bind(("0.0.0.0", int(sys.argv[3])))
for _ in range(3):
    s.sendto(b"hello", (sys.argv[1], int(sys.argv[2])))
    try:
        print(s.recv(2048).decode())
        break
    except socket.timeout:
        pass
else:
    print("ERR")
PY
ans=$(ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 "$T/one.py" "$IPVS_VIP" 5353 40001)
expect_match "$ans" "^rs0 $IPVS_LADDR1:[0-9]+$" "answer from the real server via the local address"
lsrc=${ans#rs0 }

out=$("$IPVSADM" -lnc) || fail "ipvsadm -lnc"
expect_eq "$(echo "$out" | head -2)" "IPVS connection entries
pro expire state       source             virtual            local              destination" \
	"-lnc title"
line=$(echo "$out" | grep "$LAB_CLIENT_IP:40001 ")
[ -n "$line" ] || fail "no -lnc line for the client's connection: $out"
expect_match "$line" "^UDP 0[45]:[0-5][0-9]  " "protocol and expire"
expect_eq "$(echo "$line" | cut -c12-)" \
	"$(printf '%-11s %-18s %-18s %-18s %s' UDP "$LAB_CLIENT_IP:40001" "$IPVS_VIP:5353" "$lsrc" \
		"${RS_IP[0]}:5353")" "FNAT -lnc line"
if echo "$out" | grep -q ' $'; then
	fail "trailing blanks in -lnc output: $(echo "$out" | grep -n ' $')"
fi

# A NAT service: no local address.
"$IPVSADM" -A -u "$IPVS_VIP:5354" -s rr || fail "ipvsadm -A nat"
"$IPVSADM" -a -u "$IPVS_VIP:5354" -r "${RS_IP[0]}:5353" -m || fail "ipvsadm -a nat"
ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 "$T/one.py" "$IPVS_VIP" 5354 40002 >/dev/null
line=$("$IPVSADM" -lnc | grep "$LAB_CLIENT_IP:40002 ")
[ -n "$line" ] || fail "no -lnc line for the NAT connection"
expect_eq "$(echo "$line" | cut -c12-)" \
	"$(printf '%-11s %-18s %-18s %-18s %s' UDP "$LAB_CLIENT_IP:40002" "$IPVS_VIP:5354" - \
		"${RS_IP[0]}:5353")" "NAT -lnc line"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
