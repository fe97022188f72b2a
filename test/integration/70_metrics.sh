#!/bin/bash
# 70_metrics.sh - the Prometheus /metrics endpoint (src/metrics*.c) on a
# UDP FNAT service with real traffic through 2 FWD_WORKERs.  Checks: the
# text passes `promtool check metrics`; node_ipvs_* totals and the real
# server's backend gauges (node_exporter's names and labels) equal what
# `ipvsadm -Ln --stats --exact` shows, and the connections equal the flows
# the client got answers for (independent of dpvsd); dpvsd's own families
# are there (build info, per-port, per-lcore job, ipv4 drop, conn table,
# FNAT local address, reload counters); HEAD answers 200 with no body, other
# paths 404, POST 405; a real Prometheus server scraping every second
# reports the same node_ipvs_connections_total through its HTTP API; a
# reload moving `listen` moves the socket; a reload onto a taken port fails
# and keeps the old socket; a bad metrics section is refused by `dpvsd -t`
# with file:line: key.
# run_all: san
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ipvs_lib.sh"
need_cmd promtool prometheus curl

MPORT=$((20000 + 0x$TAG % 20000))
PPORT=$((MPORT + 1))
MPORT2=$((MPORT + 2))
URL="http://127.0.0.1:$MPORT/metrics"

# Value of the sample with exactly this name{labels} (labels as printed).
metric() {
	awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print "absent" }' "$2"
}

ipvs_udp_fnat_one "metrics = { listen = \"127.0.0.1:$MPORT\"; };"

ipvs_udp_client 6 5353 1 >"$T/udp.out"
answered=$(grep -vc '^ERR' "$T/udp.out")
echo "answered flows: $answered of 6"
[ "$answered" -ge 1 ] || fail "no UDP flow was answered"

curl -sf -o "$T/m.txt" -D "$T/m.hdr" "$URL" || fail "curl $URL"
expect_match "$(cat "$T/m.hdr")" "Content-Type: text/plain; version=0.0.4" "content type"
promtool check metrics <"$T/m.txt" >"$T/promtool.out" 2>&1 ||
	fail "promtool check metrics: $(cat "$T/promtool.out")"

# The IPVS families against ipvsadm's exact counters and the client's count.
st=$("$IPVSADM" -Ln --stats --exact -u "$IPVS_VIP:5353") || fail "ipvsadm --stats --exact"
echo "$st"
read -r conns inp outp inb outb <<<"$(echo "$st" | awk '$1 == "UDP" {print $3, $4, $5, $6, $7}')"
expect_eq "$conns" "$answered" "ipvsadm Conns (client's count)"
expect_eq "$(metric node_ipvs_connections_total "$T/m.txt")" "$conns" "node_ipvs_connections_total"
expect_eq "$(metric node_ipvs_incoming_packets_total "$T/m.txt")" "$inp" "incoming packets"
expect_eq "$(metric node_ipvs_outgoing_packets_total "$T/m.txt")" "$outp" "outgoing packets"
expect_eq "$(metric node_ipvs_incoming_bytes_total "$T/m.txt")" "$inb" "incoming bytes"
expect_eq "$(metric node_ipvs_outgoing_bytes_total "$T/m.txt")" "$outb" "outgoing bytes"
be="{local_address=\"$IPVS_VIP\",local_port=\"5353\",remote_address=\"${RS_IP[0]}\",remote_port=\"5353\",proto=\"UDP\",local_mark=\"\"}"
l=$("$IPVSADM" -Ln -u "$IPVS_VIP:5353" | awk '$1 == "->" && $2 ~ /:5353$/ {print $4, $5, $6}')
read -r weight act inact <<<"$l"
expect_eq "$(metric "node_ipvs_backend_weight$be" "$T/m.txt")" "$weight" "backend weight"
expect_eq "$(metric "node_ipvs_backend_connections_active$be" "$T/m.txt")" "$act" "active conns"
expect_eq "$(metric "node_ipvs_backend_connections_inactive$be" "$T/m.txt")" "$inact" \
	"inactive conns"

# dpvsd's own families.
expect_eq "$(metric 'dpvsd_build_info{version="0.1.0"}' "$T/m.txt")" 1 "build info"
rx=$(metric 'dpvsd_port_receive_packets_total{port="dpdk0"}' "$T/m.txt")
[ "$rx" != absent ] && [ "$rx" -ge "$answered" ] || fail "dpdk0 rx packets $rx < $answered"
for lc in 0 1 2; do
	grep -q "^dpvsd_job_calls_total{lcore=\"$lc\"," "$T/m.txt" || fail "no job calls of lcore $lc"
	grep -q "^dpvsd_lcore_busy_ratio{lcore=\"$lc\"," "$T/m.txt" || fail "no busy ratio of lcore $lc"
done
grep -q '^dpvsd_job_calls_total{lcore="0",role="master",job="metrics"} [1-9]' "$T/m.txt" ||
	fail "the master's metrics job has not run"
grep -q '^dpvsd_ipv4_drops_total{reason="bad_checksum"} ' "$T/m.txt" || fail "ipv4 drop reasons"
new=$(grep '^dpvsd_conn_created_total{' "$T/m.txt" | awk '{ s += $2 } END { print s + 0 }')
expect_eq "$new" "$answered" "conns created, summed over the workers"
grep -q '^dpvsd_conn_table_capacity{lcore="1"} [1-9]' "$T/m.txt" || fail "conn table capacity"
grep -q "^dpvsd_fnat_laddr_connections{.*laddr=\"$IPVS_LADDR1\"} " "$T/m.txt" ||
	fail "FNAT local address family"
grep -q '^dpvsd_mbuf_pool_size [1-9]' "$T/m.txt" || fail "mbuf pool size"
grep -q '^dpvsd_config_reloads_total{result="success"} 0$' "$T/m.txt" || fail "reload counter"

# HTTP: HEAD, unknown path, other method.
h=$(curl -s -I -o "$T/head.hdr" -w '%{http_code} %{size_download}' "$URL")
expect_eq "$h" "200 0" "HEAD /metrics: code and body size"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/")" 404 "GET /"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/metricsx")" 404 \
	"GET /metricsx"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL")" 405 "POST /metrics"
curl -sf "$URL" >"$T/m2.txt" || fail "second scrape"
grep -q '^dpvsd_metrics_http_requests_total{code="404"} 2$' "$T/m2.txt" || fail "404 count"
grep -q '^dpvsd_metrics_http_requests_total{code="405"} 1$' "$T/m2.txt" || fail "405 count"

# A real Prometheus server, scraping every second, on 127.0.0.1 only.
mkdir -p "$T/prom"
cat >"$T/prom.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: dpvsd
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
setsid prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/prom" \
	--web.listen-address="127.0.0.1:$PPORT" </dev/null >"$T/prom.log" 2>&1 &
PROM_PID=$!
on_exit "kill -TERM -- -$PROM_PID 2>/dev/null; kill -TERM $PROM_PID 2>/dev/null; wait $PROM_PID 2>/dev/null"
q="http://127.0.0.1:$PPORT/api/v1/query?query=node_ipvs_connections_total"
wait_for 30 "curl -sf '$q' | grep -q '\"value\":\[[0-9.]*,\"$conns\"\]'" ||
	fail "Prometheus did not report node_ipvs_connections_total $conns: $(curl -s "$q"; tail -5 "$T/prom.log")"
curl -s "$q"
echo
up=$(curl -s "http://127.0.0.1:$PPORT/api/v1/query?query=up")
expect_match "$up" '"job":"dpvsd".*"value":\[[0-9.]*,"1"\]' "Prometheus target up"
kill -TERM "$PROM_PID"
wait_for 10 "! kill -0 $PROM_PID 2>/dev/null" || fail "prometheus did not stop"

# A reload that moves the endpoint.
sed -i "s/127.0.0.1:$MPORT/127.0.0.1:$MPORT2/" "$T/d.conf"
"$DPIP" cfg reload >/dev/null || fail "dpip cfg reload"
curl -sf -o /dev/null "http://127.0.0.1:$MPORT2/metrics" || fail "no endpoint on the new port"
curl -s -o /dev/null "$URL" && fail "the old port still answers"
curl -sf "http://127.0.0.1:$MPORT2/metrics" | grep -q '^dpvsd_config_reloads_total{result="success"} 1$' ||
	fail "reload not counted"

# A reload onto a port that is taken fails, and the old endpoint stays.
MPORT3=$((MPORT + 3))
setsid python3 -c "import socket, time
s = socket.socket(); s.bind(('127.0.0.1', $MPORT3)); s.listen(1)
open('$T/busy.ready', 'w').close(); time.sleep(60)" </dev/null >/dev/null 2>&1 &
BUSY_PID=$!
on_exit "kill -TERM $BUSY_PID 2>/dev/null"
wait_for 10 "[ -e '$T/busy.ready' ]" || fail "port holder did not start"
sed -i "s/127.0.0.1:$MPORT2/127.0.0.1:$MPORT3/" "$T/d.conf"
out=$("$DPIP" cfg reload 2>&1) && fail "reload onto a taken port succeeded: $out"
expect_match "$out" "metrics.listen: cannot listen on 127.0.0.1:$MPORT3" "reload error"
curl -sf "http://127.0.0.1:$MPORT2/metrics" >"$T/m3.txt" || fail "old endpoint gone after a failed reload"
grep -q '^dpvsd_config_reloads_total{result="failure"} 1$' "$T/m3.txt" || fail "failed reload not counted"
kill -TERM "$BUSY_PID"
sed -i "s/127.0.0.1:$MPORT3/127.0.0.1:$MPORT2/" "$T/d.conf"

# A bad metrics section is refused with file:line: key.
cp "$T/d.conf" "$T/bad.conf"
sed -i "s/listen = \"127.0.0.1:$MPORT2\"/listen = \"127.0.0.1:0\"/" "$T/bad.conf"
line=$(grep -n 'listen = "127.0.0.1:0"' "$T/bad.conf" | cut -d: -f1)
out=$("$DPVSD" -t -c "$T/bad.conf" 2>&1) && fail "dpvsd -t accepted port 0: $out"
expect_match "$out" "bad.conf:$line: metrics.listen: expected" "error names file:line: key"
sed -i 's/listen = "127.0.0.1:0"/listen = "127.0.0.1:80"; bogus = 1/' "$T/bad.conf"
out=$("$DPVSD" -t -c "$T/bad.conf" 2>&1) && fail "dpvsd -t accepted an unknown key: $out"
expect_match "$out" "bad.conf:$line: metrics.bogus" "unknown key named"

dpvsd_stop
expect_eq "$DPVSD_RC" 0 "dpvsd exit status"
exit 0
