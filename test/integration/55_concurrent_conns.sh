#!/bin/bash
# 55_concurrent_conns.sh - tens of thousands of concurrent TCP connections
# through dpvsd without loss (issue 4): FNAT over 2 FWD_WORKERs, 3 real
# servers running an asyncio line echo server, 2 local addresses.
#   - 4 python3 asyncio clients open N (default 20000, env CONC_N) TCP
#     connections to VIP:9000 together and hold them all open;
#   - while they are held: `ipvsadm -Ln` ActiveConn summed over the servers
#     and the ESTABLISHED lines of `ipvsadm -lnc` both equal N, and the
#     servers together hold N connections;
#   - a line is echoed on every connection (each gets its own line back),
#     then all are closed: no connect failure, no lost or wrong answer;
#   - afterwards the conns leave ESTABLISHED (no conn stuck active).
# Bounded: the client gives up after 90 s; a run takes ~30-60 s.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"

N=${CONC_N:-20000}
PORT=9000

ipvs_lab_up 3
# conn_max per worker: N conns spread over 2 workers plus TIME_WAIT/CLOSE
# conns of earlier steps; the default 262144 is ample, say it explicitly.
ipvs_dpvsd_start "ipvs = { conn_max = 65536; timeouts = { time_wait = 5; }; };"

# ---- servers: an asyncio echo server per real server, many fds ----
cat >"$T/echo_srv.py" <<'EOF2'
import asyncio, os, resource, sys
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
port, status = int(sys.argv[1]), sys.argv[2]
live = 0
async def handle(r, w):
    global live
    live += 1
    try:
        while True:
            line = await r.readline()
            if not line:
                break
            w.write(line)
            await w.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        live -= 1
        w.close()
async def report():
    while True:
        with open(status + ".tmp", "w") as f:
            f.write("%d\n" % live)
        os.replace(status + ".tmp", status)
        await asyncio.sleep(0.2)
async def main():
    srv = await asyncio.start_server(handle, "0.0.0.0", port, backlog=4096)
    asyncio.ensure_future(report())
    async with srv:
        await srv.serve_forever()
asyncio.run(main())
EOF2
for i in 0 1 2; do
	ip netns exec "${RS_NS[$i]}" sysctl -qw net.core.somaxconn=4096 \
		net.ipv4.tcp_max_syn_backlog=8192 || fail "sysctl in ${RS_NS[$i]}"
	setsid ip netns exec "${RS_NS[$i]}" /usr/bin/python3 "$T/echo_srv.py" "$PORT" \
		"$T/live$i" </dev/null >"$T/srv$i.log" 2>&1 &
	on_exit "kill -TERM -- -$! ; kill -TERM $!"
done
ip netns exec "$LAB_NS_CLIENT" sysctl -qw net.ipv4.ip_local_port_range="10000 65000" ||
	fail "sysctl ip_local_port_range in the client namespace"
for i in 0 1 2; do
	wait_for 10 "ip netns exec ${RS_NS[$i]} ss -ltn | grep -q ':$PORT '" ||
		fail "echo server $i did not start: $(cat "$T/srv$i.log")"
done

"$DPIP" addr add "$IPVS_LADDR1/24" dev dpdk1 || fail "dpip addr add laddr1"
"$DPIP" addr add "$IPVS_LADDR2/24" dev dpdk1 || fail "dpip addr add laddr2"
"$IPVSADM" -A -t "$IPVS_VIP:$PORT" -s rr || fail "ipvsadm -A"
for i in 0 1 2; do
	"$IPVSADM" -a -t "$IPVS_VIP:$PORT" -r "${RS_IP[$i]}:$PORT" -b || fail "ipvsadm -a rs$i"
done
"$IPVSADM" -P -t "$IPVS_VIP:$PORT" -z "$IPVS_LADDR1" -F dpdk1 || fail "add-laddr 1"
"$IPVSADM" -P -t "$IPVS_VIP:$PORT" -z "$IPVS_LADDR2" -F dpdk1 || fail "add-laddr 2"

# ---- the clients: open N, report, wait for "go", echo on all, close ----
# CLIENTS processes of N/CLIENTS connections each (the fd hard limit here may
# be as low as 20000 per process).
cat >"$T/conc_cli.py" <<'EOF2'
import asyncio, os, resource, sys, time
vip, port, n, d, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
sem = asyncio.Semaphore(256)
async def opener(i):
    async with sem:
        for attempt in range(3):
            try:
                return await asyncio.wait_for(asyncio.open_connection(vip, port), 10)
            except (OSError, asyncio.TimeoutError) as e:
                err = e
        sys.stderr.write("connect %d failed: %r\n" % (i, err))
        return None
async def echo(i, c):
    r, w = c
    try:
        w.write(b"conn %d\n" % i)
        await w.drain()
        line = await asyncio.wait_for(r.readline(), 20)
        return line == b"conn %d\n" % i
    except (OSError, asyncio.TimeoutError):
        return False
async def main():
    t0 = time.time()
    conns = await asyncio.gather(*[opener(i) for i in range(n)])
    opened = sum(1 for c in conns if c)
    with open(d + "/opened.tmp" + k, "w") as f:
        f.write("%d %.1f\n" % (opened, time.time() - t0))
    os.replace(d + "/opened.tmp" + k, d + "/opened" + k)
    while not os.path.exists(d + "/go"):
        await asyncio.sleep(0.1)
    ok = 0
    live = [(i, c) for i, c in enumerate(conns) if c]
    for j in range(0, len(live), 2000):
        res = await asyncio.gather(*[echo(i, c) for i, c in live[j:j + 2000]])
        ok += sum(res)
    for i, c in live:
        c[1].close()
    print(opened, ok, "%.1f" % (time.time() - t0))
asyncio.run(main())
EOF2
CLIENTS=4
CLI=()
for (( k = 0; k < CLIENTS; k++ )); do
	nk=$(( N / CLIENTS + (k < N % CLIENTS ? 1 : 0) ))
	setsid ip netns exec "$LAB_NS_CLIENT" timeout 90 /usr/bin/python3 "$T/conc_cli.py" \
		"$IPVS_VIP" "$PORT" "$nk" "$T" "$k" </dev/null >"$T/cli$k.out" 2>"$T/cli$k.err" &
	CLI+=($!)
	on_exit "kill -TERM -- -$! ; kill -TERM $!"
done

sum_files() { cat "$@" 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
wait_for 80 "[ \$(ls $T/opened? 2>/dev/null | wc -l) -eq $CLIENTS ]" ||
	fail "clients did not open their connections: $(cat "$T"/cli?.err | tail -n 3)"
opened=$(sum_files "$T"/opened?)
echo "opened $opened of $N connections in $(awk '{print $2}' "$T"/opened? | sort -n | tail -1) s"
expect_eq "$opened" "$N" "connections opened (failures: $(cat "$T"/cli?.err | head -3))"

# ---- while held: dpvsd and the servers agree on N ----
# A handshake's last ACK may still be on its way (or retransmitted after a
# redirect-ring overflow): give the states a few seconds to settle.
active_now() { "$IPVSADM" -Ln | awk '$1 == "->" && $2 ~ /:/ {s += $5} END {print s + 0}'; }
wait_for 10 "[ \$(active_now) -eq $N ]"
active=$(active_now)
est=$(ipvs_conns | grep -c ' ESTABLISHED ' || true)
wait_for 5 "[ \$(sum_files $T/live0 $T/live1 $T/live2) -eq $N ]" ||
	fail "servers hold $(sum_files "$T"/live?) connections, want $N"
echo "ipvsadm -Ln ActiveConn $active, ipvsadm -lnc ESTABLISHED $est, per server:" \
	"$(cat "$T/live0" "$T/live1" "$T/live2" | tr '\n' ' ')"
expect_eq "$active" "$N" "ipvsadm -Ln ActiveConn while $N connections are held"
expect_eq "$est" "$N" "ipvsadm -lnc ESTABLISHED while $N connections are held"
for i in 0 1 2; do
	l=$(cat "$T/live$i")
	[ "$l" -ge $((N / 3 - 2)) ] || fail "rr: server $i holds only $l of $N"
done

# ---- echo on every connection, then close them all ----
touch "$T/go"
for pid in "${CLI[@]}"; do
	wait "$pid" || fail "a client failed (rc $?): $(cat "$T"/cli?.err | tail -n 3)"
done
ok=$(awk '{s += $2} END {print s + 0}' "$T"/cli?.out)
echo "echoed on $ok of $opened connections; slowest client took" \
	"$(awk '{print $3}' "$T"/cli?.out | sort -n | tail -1) s"
expect_eq "$ok" "$N" "connections that got their own line back"
wait_for 10 "[ \$(ipvs_conns | grep -c ' ESTABLISHED ') -eq 0 ]" ||
	fail "$(ipvs_conns | grep -c ' ESTABLISHED ') conns still ESTABLISHED after all closed"
"$IPVSADM" -Ln --stats

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
