#!/bin/bash
# 57_ipvs_rate.sh - `ipvsadm -Ln --rate` against a known send rate: one UDP
# flow at 10 datagrams/s (48-byte IP packets, each answered by the server)
# through a UDP FNAT service on 2 FWD_WORKERs.  After ~30 s the service
# reads InPPS and OutPPS 10 (+-1) and InBPS ~480 (the estimator's fixed
# point; the old integer smoothing settled at 7), and once the flow stops
# the packet rates fall to 0 (they used to stay at 3 for ever).  Then under
# load, 500 datagrams/s: InPPS and InBPS within 5% of the send rate.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

ipvs_udp_fnat_one ""

cat >"$T/pace.py" <<'PYEOF'
import socket, sys, time
vip, secs = sys.argv[1], float(sys.argv[2])
per_tick = int(sys.argv[3]) if len(sys.argv) > 3 else 1	# datagrams per 0.1 s
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
t0 = nxt = time.monotonic()
sent = got = 0
while nxt < t0 + secs:
    for _ in range(per_tick):
        s.sendto(b"x" * 20, (vip, 5353))
    sent += per_tick
    nxt += 0.1
    while True:
        left = nxt - time.monotonic()
        if left <= 0:
            break
        time.sleep(min(left, 0.02))
        try:
            while True:
                s.recv(2048)
                got += 1
        except BlockingIOError:
            pass
print("sent %d answered %d" % (sent, got), flush=True)
PYEOF
setsid ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 "$T/pace.py" "$IPVS_VIP" 34 \
	</dev/null >"$T/pace.out" 2>&1 &
PACE=$!
on_exit "kill -TERM -- -$PACE 2>/dev/null"

rates() {	# CPS InPPS OutPPS InBPS OutBPS of the service
	"$IPVSADM" -Ln --rate --exact | awk -v s="$IPVS_VIP:5353" '$1 == "UDP" && $2 == s {
		print $3, $4, $5, $6, $7 }'
}
sleep 30
read -r cps inpps outpps inbps outbps <<<"$(rates)"
echo "after 30 s at 10/s: CPS $cps InPPS $inpps OutPPS $outpps InBPS $inbps OutBPS $outbps"
[ "${inpps:-0}" -ge 9 ] && [ "${inpps:-0}" -le 11 ] || fail "InPPS $inpps for 10 datagrams/s"
[ "${outpps:-0}" -ge 9 ] && [ "${outpps:-0}" -le 11 ] || fail "OutPPS $outpps for 10 answers/s"
[ "${inbps:-0}" -ge 430 ] && [ "${inbps:-0}" -le 530 ] || fail "InBPS $inbps for 480 bytes/s"
wait "$PACE" || true
cat "$T/pace.out"
start=$(date +%s)
wait_for 60 "[ \"\$(rates | awk '{print \$2, \$3}')\" = '0 0' ]" ||
	fail "packet rates did not decay to 0: $(rates)"
echo "packet rates at 0 $(( $(date +%s) - start )) s after the flow stopped: $(rates)"

# Under load: 500 datagrams/s (50 every 0.1 s) for 34 s; after 30 s the
# service reads InPPS 500 within 5% and InBPS 24000 (500 x 48 bytes) within
# 5%; OutPPS follows the answers the client counted.
setsid ip netns exec "$LAB_NS_CLIENT" /usr/bin/python3 "$T/pace.py" "$IPVS_VIP" 34 50 \
	</dev/null >"$T/pace2.out" 2>&1 &
PACE=$!
on_exit "kill -TERM -- -$PACE 2>/dev/null"
sleep 30
read -r cps inpps outpps inbps outbps <<<"$(rates)"
echo "after 30 s at 500/s: CPS $cps InPPS $inpps OutPPS $outpps InBPS $inbps OutBPS $outbps"
[ "${inpps:-0}" -ge 475 ] && [ "${inpps:-0}" -le 525 ] || fail "InPPS $inpps for 500 datagrams/s"
[ "${inbps:-0}" -ge 22800 ] && [ "${inbps:-0}" -le 25200 ] || fail "InBPS $inbps for 24000 bytes/s"
wait "$PACE" || true
cat "$T/pace2.out"
read -r sent answered <<<"$(awk '{print $2, $4}' "$T/pace2.out")"
[ "${answered:-0}" -ge $(( sent * 95 / 100 )) ] || fail "only $answered of $sent answered at 500/s"
[ "${outpps:-0}" -ge 450 ] && [ "${outpps:-0}" -le 525 ] || fail "OutPPS $outpps for ~500 answers/s"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
