#!/bin/bash
# 30_ipvsadm.sh - ipvsadm against a running dpvsd (one forwarding worker, no
# ports needed): services and real servers with every scheduler, edits,
# local addresses, exact -Ln lines, -S | -R round trip, -C, --set /
# --timeout, -Z, the error texts and exit codes, and "dpvsd is not running"
# when there is no daemon.
source "$(dirname "$0")/lib.sh"

A="$IPVSADM"

# expect_fail CODE REGEX CMD...: CMD exits with CODE and says REGEX on stderr.
expect_fail() {
	local code=$1 re=$2 out rc
	shift 2
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	expect_eq "$rc" "$code" "exit code of: $*"
	expect_match "$out" "$re" "message of: $*"
}

# No daemon yet: a clear message and a non-zero exit.
expect_fail 1 "^dpvsd is not running \(cannot connect to $T/none.sock\)$" \
	"$A" --socket "$T/none.sock" -Ln

dpvsd_config "$T/d.conf"
dpvsd_start "$T/d.conf"

# An empty table.
out=$("$A" -Ln) || fail "ipvsadm -Ln"
expect_match "$out" "^IP Virtual Server version [0-9]+\.[0-9]+\.[0-9]+ \(size=[0-9]+\)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn$" "empty -Ln"

# Every scheduler, each on its own service with a real server.
port=8000
for s in rr wrr lc wlc sh dh sed nq mh conhash fo lblc lblcr ovf twos; do
	port=$((port + 1))
	"$A" -A -t 10.10.0.1:$port -s $s || fail "add service with $s"
	"$A" -a -t 10.10.0.1:$port -r 192.168.10.2:80 -m -w 2 || fail "add server under $s"
	expect_match "$("$A" -Ln -t 10.10.0.1:$port)" "
TCP  10\.10\.0\.1:$port $s
  -> 192\.168\.10\.2:80 +Masq +2 +0 +0 +$" "service with $s"
done
"$A" -C || fail "clear"
expect_eq "$("$A" -Ln | wc -l)" "3" "-C leaves only the header"

# A known table, compared line by line (trailing blanks included).
"$A" -A -t 10.10.0.1:80 -s rr || fail "add tcp"
"$A" -a -t 10.10.0.1:80 -r 192.168.10.3:8080 -m -w 3 || fail "add nat server"
"$A" -a -t 10.10.0.1:80 -r 192.168.10.2 -g || fail "add dr server"
"$A" -a -t 10.10.0.1:80 -r 192.168.10.4:80 -b -x 100 -y 10 || fail "add fnat server"
"$A" -A -u 10.10.0.1:53 -s wlc -p 60 -M 255.255.255.0 || fail "add persistent udp"
"$A" -a -u 10.10.0.1:53 -r 192.168.10.2:5353 -m || fail "add udp server"
"$A" -A -f 7 -s mh || fail "add fwmark"
"$A" -a -f 7 -r 192.168.10.9 -i -w 0 || fail "add tunnel server"
# No port has these addresses: accepted, with a warning saying what happens.
warn=$("$A" -P -t 10.10.0.1:80 -z 192.168.20.1 2>&1) || fail "add laddr"
expect_eq "$warn" "Warning: local address 192.168.20.1 is not configured on any port \
(dpip addr add 192.168.20.1/LEN dev PORT): FNAT connections given it get no replies until it is" \
	"-P warns about an address no port has"
"$A" --add-laddr -t 10.10.0.1:80 -z 192.168.20.2 2>/dev/null || fail "add laddr (long)"

expected="Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.10.0.1:80 rr
  -> 192.168.10.2:80              Route   1      0          0         
  -> 192.168.10.3:8080            Masq    3      0          0         
  -> 192.168.10.4:80              FullNat 1      0          0         
UDP  10.10.0.1:53 wlc persistent 60 mask 255.255.255.0
  -> 192.168.10.2:5353            Masq    1      0          0         
FWM  7 mh
  -> 192.168.10.9:0               Tunnel  0      0          0         "
listing=$("$A" -Ln) || fail "-Ln"
expect_eq "$(echo "$listing" | tail -n +2)" "$expected" "-Ln lines"

out=$("$A" -Ln --stats) || fail "--stats"
expect_eq "$(echo "$out" | sed -n 2,4p)" "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
  -> RemoteAddress:Port
$(printf '%-33s%9s%9s%9s%9s%9s' 'TCP  10.10.0.1:80' 0 0 0 0 0)" "--stats"
out=$("$A" -Ln --rate) || fail "--rate"
expect_match "$out" "
Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS
" "--rate"
out=$("$A" -Ln --thresholds) || fail "--thresholds"
expect_match "$out" "
  -> 192\.168\.10\.4:80              100        10         0          0         " "--thresholds"
out=$("$A" -Ln --persistent-conn) || fail "--persistent-conn"
expect_match "$out" "Weight    PersistConn ActiveConn InActConn" "--persistent-conn"
out=$("$A" -Lnc) || fail "-Lnc"
expect_eq "$out" "IPVS connection entries
pro expire state       source             virtual            local              destination" "-Lnc"
out=$("$A" -G -n) || fail "-G"
expect_match "$out" "TCP  10\.10\.0\.1:80 +192\.168\.20\.1 " "-G lists the first laddr"
expect_match "$out" "TCP  10\.10\.0\.1:80 +192\.168\.20\.2 " "-G lists the second laddr"
"$A" -Z || fail "-Z"
"$A" -Z -t 10.10.0.1:80 || fail "-Z one service"

# -S | -R restores exactly the same table.
"$A" -S -n >"$T/rules" || fail "-S"
expect_match "$(cat "$T/rules")" "^-A -t 10\.10\.0\.1:80 -s rr
-a -t 10\.10\.0\.1:80 -r 192\.168\.10\.2:80 -g -w 1
" "-S format"
"$A" -C || fail "clear before restore"
expect_eq "$("$A" -Ln | wc -l)" "3" "cleared"
"$A" -R <"$T/rules" 2>/dev/null || fail "-R"
expect_eq "$("$A" -Ln)" "$listing" "-Ln after -S | -R"
expect_eq "$("$A" -G -n)" "$out" "laddrs after -S | -R"

# ipvsadm(8): restore lines may begin with "ipvsadm".
printf 'ipvsadm -A -t 10.10.0.5:80 -s rr\n  ipvsadm -a -t 10.10.0.5:80 -r 192.168.10.5 -m\n' |
	"$A" -R || fail "-R with lines beginning with ipvsadm"
expect_match "$("$A" -Ln -t 10.10.0.5:80)" "TCP  10\.10\.0\.5:80 rr
  -> 192\.168\.10\.5:80 +Masq " "service restored from 'ipvsadm ...' lines"
"$A" -D -t 10.10.0.5:80 || fail "delete the restored service"

# -b: scheduler flags on -A/-E (ipvsadm 1.31), FNAT on -a/-e (DPVS).
"$A" -A -t 10.10.0.6:80 -s sh -b sh-fallback,sh-port || fail "-A -b sched flags"
"$A" -a -t 10.10.0.6:80 -r 192.168.10.6:80 -b || fail "-a -b fullnat"
expect_match "$("$A" -Ln -t 10.10.0.6:80)" "TCP  10\.10\.0\.6:80 sh sched-flags fallback,port
  -> 192\.168\.10\.6:80 +FullNat " "-b on -A and on -a"
expect_match "$("$A" -S -n)" "-A -t 10\.10\.0\.6:80 -s sh --sched-flags fallback,port" "-S flags"
"$A" -E -t 10.10.0.6:80 -s mh -b mh-port || fail "-E -b"
expect_match "$("$A" -Ln -t 10.10.0.6:80)" "TCP  10\.10\.0\.6:80 mh sched-flags port" "-E -b"
"$A" -D -t 10.10.0.6:80 || fail "delete the -b service"

# Edits keep the service and its real servers.
"$A" -E -t 10.10.0.1:80 -s wrr -p 120 || fail "-E"
"$A" -e -t 10.10.0.1:80 -r 192.168.10.3:8080 -m -w 0 || fail "-e weight 0"
out=$("$A" -Ln -t 10.10.0.1:80)
expect_match "$out" "TCP  10\.10\.0\.1:80 wrr persistent 120
  -> 192\.168\.10\.2:80 +Route +1 " "service after -E"
expect_match "$out" "192\.168\.10\.3:8080 +Masq +0 " "quiesced server"
"$A" -d -t 10.10.0.1:80 -r 192.168.10.2 || fail "-d"
"$A" -Q -t 10.10.0.1:80 -z 192.168.20.1 || fail "-Q"
expect_eq "$("$A" -Ln -t 10.10.0.1:80 | grep -c -- '->')" "3" "servers after -d"
"$A" -D -u 10.10.0.1:53 || fail "-D"
expect_fail 1 "^No such service$" "$A" -Ln -u 10.10.0.1:53

# Timeouts.
expect_eq "$("$A" -L --timeout)" "Timeout (tcp tcpfin udp): 900 120 300" "default timeouts"
"$A" --set 100 20 30 || fail "--set"
expect_eq "$("$A" -L --timeout)" "Timeout (tcp tcpfin udp): 100 20 30" "after --set"
"$A" --set 0 60 0 || fail "--set with zeros"
expect_eq "$("$A" --timeout)" "Timeout (tcp tcpfin udp): 100 60 30" "0 leaves a timeout"
expect_fail 1 "timeout out of range" "$A" --set 2000000 0 0
expect_fail 2 "illegal timeout" "$A" --set 99999999 0 0

# Errors: daemon refusals exit 1, bad command lines exit 2.
expect_fail 1 "^Service already exists$" "$A" -A -t 10.10.0.1:80 -s rr
expect_fail 1 "^Scheduler not found: nosuch$" "$A" -A -t 10.10.0.2:80 -s nosuch
expect_fail 1 "^Service not defined$" "$A" -a -t 10.10.0.9:80 -r 192.168.10.2
expect_fail 1 "^Destination already exists$" "$A" -a -t 10.10.0.1:80 -r 192.168.10.4 -b
expect_fail 1 "^No such destination$" "$A" -d -t 10.10.0.1:80 -r 192.168.10.99
expect_fail 1 "^No such service$" "$A" -D -t 10.10.0.9:80
expect_fail 1 "^Local address already exists$" "$A" -P -t 10.10.0.1:80 -z 192.168.20.2
expect_fail 1 "^No such local address$" "$A" -Q -t 10.10.0.1:80 -z 192.168.20.9
expect_fail 1 "^No such interface: nosuch0$" "$A" -P -t 10.10.0.1:80 -z 192.168.20.5 -F nosuch0
expect_fail 1 "not unicast" "$A" -A -t 224.0.0.1:80
expect_fail 1 "not supported" "$A" -A -t [2001:db8::1]:80
expect_fail 2 "^You need to supply the 'service-address' option for the 'add-service' command" \
	"$A" -A -s rr
expect_fail 2 "^illegal virtual server address\[:port\] specified" "$A" -A -t 10.10.0.1:99999
expect_fail 2 "^illegal weight specified" "$A" -a -t 10.10.0.1:80 -r 1.2.3.4 -w 70000
expect_fail 2 "^illegal u_threshold specified \(0\.\.65535\)" \
	"$A" -a -t 10.10.0.1:80 -r 1.2.3.4 -x 65536
expect_fail 2 "^illegal l_threshold specified \(0\.\.65535\)" \
	"$A" -a -t 10.10.0.1:80 -r 1.2.3.4 -y 70000
expect_fail 2 "^-M \(netmask\) only makes sense with -p \(persistent\)" \
	"$A" -A -t 10.10.0.7:80 -M 255.255.255.0
expect_fail 2 "^scheduler flag 'sh-port' does not apply to scheduler 'rr' \(only sh\)" \
	"$A" -A -t 10.10.0.7:80 -s rr --sched-flags sh-port
expect_fail 2 "^-b needs scheduler flags with -A/-E" "$A" -A -t 10.10.0.7:80 -s sh -b
expect_fail 2 "cannot be combined" "$A" -Ln --stats --rate
expect_fail 2 "^multiple commands specified" "$A" -A -D -t 10.10.0.1:80
printf -- '-A -t 10.10.0.3:80 -s rr\n-A -t 10.10.0.3:80 -s rr\n' >"$T/dup"
expect_fail 1 "stopped at line 2" "$A" -R <"$T/dup"
expect_match "$("$A" -Ln)" "TCP  10\.10\.0\.3:80 rr" "lines before the failure were applied"

# Random payloads of the right size for every IPVS request (and one byte
# too many): one reply each, never a crash; the daemon keeps answering.
cat >"$T/fuzz.py" <<'PY'
import random, socket, struct, sys
random.seed(int(sys.argv[2]))
SIZES = {0x1000: 0, 0x1001: 64, 0x1002: 64, 0x1003: 24, 0x1005: 0, 0x1006: 24,
         0x1007: 56, 0x1008: 56, 0x1009: 56, 0x100a: 24, 0x100b: 64, 0x100c: 64,
         0x100d: 32, 0x100e: 32, 0x100f: 0, 0x1010: 16, 0x1011: 16}
def recvn(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(min(65536, n - len(b)))
        if not c:
            sys.exit("connection closed without a full reply")
        b += c
    return b
def call(op, payload):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.sendall(struct.pack("<IHHIiI", 0x44505653, 1, op, 7, 0, len(payload)) + payload)
    magic, ver, rop, seq, status, ln = struct.unpack("<IHHIiI", recvn(s, 20))
    if rop != op or seq != 7:
        sys.exit("reply to another request: op %x seq %d" % (rop, seq))
    recvn(s, ln)
    s.close()
    return status
for op, size in SIZES.items():
    for i in range(40):
        p = bytes(random.getrandbits(8) for _ in range(size))
        if op == 0x1011:
            p = struct.pack("<IIQ", random.randrange(4), random.randrange(20000),
                            random.randrange(1 << 33))
        call(op, p)
    if call(op, b"\0" * (size + 1)) == 0:
        sys.exit("op %x accepted a payload one byte too long" % op)
PY
python3 "$T/fuzz.py" "$DPVSD_SOCK" "$$" || fail "control requests with random payloads"
"$A" -Ln >/dev/null || fail "dpvsd answers after the random requests"
"$A" --set 900 120 300 || fail "restore timeouts"

# -C clears everything; the daemon stops cleanly; then ipvsadm says so.
"$A" -C || fail "final clear"
expect_eq "$("$A" -S -n)" "" "nothing left to save"
sock=$DPVSD_SOCK
dpvsd_stop
expect_eq "$DPVSD_RC" "0" "dpvsd exit code"
expect_fail 1 "^dpvsd is not running \(cannot connect to $sock\)$" "$A" -Ln
exit 0
