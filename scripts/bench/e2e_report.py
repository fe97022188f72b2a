#!/usr/bin/env python3
"""scripts/bench/e2e_report.py - turns the raw figures of scripts/bench/e2e.sh
into bench-results/e2e.json and a table: median and spread per path and test,
CPU used (DUT CPU busy and softirq share, generator CPU busy, dpvsd process
CPU), ratios against the kernel baselines of the same run, and the target
"end to end no slower than nftables DNAT" marked met or not."""
import argparse
import json
import math
import os
import socket
import statistics
import time

TESTS = [("wrk_close", "req/s"), ("wrk_keepalive", "req/s"), ("iperf3", "Mbit/s")]
NAMES = {
    "kernel": "kernel ip_forward (1 server, routing only)",
    "nft": "nftables DNAT (numgen inc mod N)",
    "xdp": "dpvsd on net_af_xdp",
    "packet": "dpvsd on net_af_packet",
}
HZ = os.sysconf("SC_CLK_TCK")


def parse_snap(s):
    """'ns|gen fields|dut fields|ticks[|worker ticks]' ->
    (seconds, gen list, dut list, process ticks, worker ticks)."""
    parts = s.split("|")
    if len(parts) not in (4, 5):
        return None
    return (int(parts[0]) / 1e9, [int(x) for x in parts[1].split()],
            [int(x) for x in parts[2].split()], int(parts[3]),
            int(parts[4]) if len(parts) == 5 else 0)


def cpu_delta(a, b):
    """Fractions of one CPU between two /proc/stat lines: busy, softirq."""
    d = [y - x for x, y in zip(a, b)]
    total = sum(d[:8]) or 1
    idle = d[3] + d[4]
    return {"busy": (total - idle) / total, "softirq": d[6] / total,
            "user": (d[0] + d[1]) / total, "system": d[2] / total}


def read_raw(path):
    rows = []
    with open(path) as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) < 7:
                continue
            row = {"path": c[0], "test": c[1], "rep": int(c[2]),
                   "value": float(c[3]) if c[3] != "nan" else math.nan,
                   "errors": int(c[4] or 0)}
            s0, s1 = parse_snap(c[5]), parse_snap(c[6])
            if s0 and s1:
                wall = s1[0] - s0[0]
                row["wall_s"] = wall
                row["gen_cpu"] = cpu_delta(s0[1], s1[1])
                row["dut_cpu"] = cpu_delta(s0[2], s1[2])
                row["dpvsd_cpu"] = ((s1[3] - s0[3]) / HZ / wall) if s0[3] or s1[3] else None
                row["worker_cpu"] = ((s1[4] - s0[4]) / HZ / wall) if s0[4] or s1[4] else None
            rows.append(row)
    return rows


def med(xs):
    xs = [x for x in xs if x is not None and not math.isnan(x)]
    return statistics.median(xs) if xs else None


def summarise(rows):
    res = {}
    for r in rows:
        p = res.setdefault(r["path"], {"name": NAMES.get(r["path"], r["path"]),
                                       "setup_failures": 0})
        if r["test"] == "setup":
            p["setup_failures"] += 1
            continue
        t = p.setdefault(r["test"], {"runs": [], "errors": 0, "_rows": []})
        t["runs"].append(None if math.isnan(r["value"]) else r["value"])
        t.setdefault("by_rep", {})[r["rep"]] = t["runs"][-1]
        t["errors"] += r["errors"]
        t["_rows"].append(r)
    for p in res.values():
        for name, unit in TESTS:
            t = p.get(name)
            if not t:
                continue
            vals = [v for v in t["runs"] if v is not None]
            t["unit"] = unit
            t["median"] = med(vals)
            t["min"] = min(vals) if vals else None
            t["max"] = max(vals) if vals else None
            t["spread_pct"] = (100.0 * (t["max"] - t["min"]) / t["median"]
                               if vals and t["median"] else None)
            rs = t.pop("_rows")
            cpu = {
                "dut_busy": med([r["dut_cpu"]["busy"] for r in rs if "dut_cpu" in r]),
                "dut_softirq": med([r["dut_cpu"]["softirq"] for r in rs if "dut_cpu" in r]),
                "gen_busy": med([r["gen_cpu"]["busy"] for r in rs if "gen_cpu" in r]),
                "dpvsd_process": med([r.get("dpvsd_cpu") for r in rs]),
                "dpvsd_worker": med([r.get("worker_cpu") for r in rs]),
            }
            t["cpu"] = {k: (round(v, 3) if v is not None else None) for k, v in cpu.items()}
    return res


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def paired(d, b):
    """Median over repetitions of d/b, each pair measured back to back."""
    if not d or not b:
        return None
    rs = [d["by_rep"][k] / b["by_rep"][k] for k in d.get("by_rep", {})
          if d["by_rep"][k] and b.get("by_rep", {}).get(k)]
    return round(statistics.median(rs), 3) if rs else None


def verdict(dut, base):
    """met: median >= baseline's; within noise: the ranges overlap; else not met."""
    if not dut or not base or dut.get("median") is None or base.get("median") is None:
        return "not measured"
    if dut["median"] >= base["median"]:
        return "met"
    if dut["max"] >= base["min"]:
        return "not met (within noise)"
    return "not met"


def main():
    ap = argparse.ArgumentParser()
    for a in ("raw", "out", "mode"):
        ap.add_argument("--" + a, required=True)
    for a in ("duration", "repeat", "gen-cpu", "dut-cpu", "servers", "conns"):
        ap.add_argument("--" + a, type=int, required=True)
    o = ap.parse_args()
    paths = summarise(read_raw(o.raw))
    ratios, target = {}, {}
    for dut in ("xdp", "packet"):
        if dut not in paths:
            continue
        ratios[dut] = {}
        target[dut] = {}
        for name, _ in TESTS:
            d = paths[dut].get(name)
            k = paths.get("kernel", {}).get(name)
            n = paths.get("nft", {}).get(name)
            ratios[dut][name] = {
                "vs_kernel": ratio(d and d.get("median"), k and k.get("median")),
                "vs_nft": ratio(d and d.get("median"), n and n.get("median")),
                "vs_kernel_paired": paired(d, k),
                "vs_nft_paired": paired(d, n),
            }
            target[dut][name] = verdict(d, paths.get("nft", {}).get(name))
    met = {dut: all(v == "met" for v in t.values()) for dut, t in target.items()}
    doc = {
        "part": "e2e",
        "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": {"name": socket.gethostname(), "cpus": os.cpu_count(),
                 "load_avg_1m": os.getloadavg()[0]},
        "note": "figures of a possibly shared machine; compare ratios taken in one run",
        "config": {"duration_s": o.duration, "repeat": o.repeat, "gen_cpu": o.gen_cpu,
                   "dut_cpu": o.dut_cpu, "dpvsd_mode": o.mode, "servers": o.servers,
                   "wrk_connections": o.conns, "wrk_threads": 1,
                   "iperf3": "1 TCP stream, 1 real server"},
        "paths": paths,
        "ratios": ratios,
        "target": {"name": "end to end no slower than nftables DNAT",
                   "per_test": target, "met": met},
    }
    os.makedirs(os.path.dirname(os.path.abspath(o.out)), exist_ok=True)
    with open(o.out, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print_table(doc)


def fmt(v, nd=0):
    return "-" if v is None else f"{v:,.{nd}f}"


def print_table(doc):
    c = doc["config"]
    print(f"\nEnd to end (namespace lab, {c['duration_s']} s x {c['repeat']}, generator CPU "
          f"{c['gen_cpu']}, device under test CPU {c['dut_cpu']}, dpvsd {c['dpvsd_mode']}, "
          f"wrk -c{c['wrk_connections']})")
    hdr = f"{'path':<8} {'test':<14} {'median':>12} {'spread':>8} {'err':>5} " \
          f"{'DUT busy':>8} {'softirq':>8} {'gen busy':>8} {'dpvsd':>6} {'worker':>6} {'/kernel':>8} {'/nft':>6}"
    print(hdr)
    print("-" * len(hdr))
    for pname in ("kernel", "nft", "xdp", "packet"):
        p = doc["paths"].get(pname)
        if not p:
            continue
        if p.get("setup_failures"):
            print(f"{pname:<8} set-up failed {p['setup_failures']} time(s)")
        for name, unit in TESTS:
            t = p.get(name)
            if not t:
                continue
            cpu = t["cpu"]
            r = doc["ratios"].get(pname, {}).get(name, {})
            sp = "-" if t["spread_pct"] is None else f"{t['spread_pct']:.1f}%"
            pct = lambda v: "-" if v is None else f"{100 * v:.0f}%"  # noqa: E731
            print(f"{pname:<8} {name:<14} {fmt(t['median'], 0 if unit == 'req/s' else 1):>12} "
                  f"{sp:>8} {t['errors']:>5} {pct(cpu['dut_busy']):>8} {pct(cpu['dut_softirq']):>8} "
                  f"{pct(cpu['gen_busy']):>8} {pct(cpu['dpvsd_process']):>6} {pct(cpu.get('dpvsd_worker')):>6} "
                  f"{fmt(r.get('vs_kernel'), 2):>8} {fmt(r.get('vs_nft'), 2):>6}")
    print("(req/s for wrk, Mbit/s for iperf3; err: wrk socket errors + non-2xx, iperf3 TCP\n"
          " retransmissions; CPU as a share of one CPU; dpvsd = its process;\n"
          " /kernel and /nft: ratios of the medians; per-repetition ratios in the JSON)")
    starved = [f"{p} {t} {100 * doc['paths'][p][t]['cpu']['dpvsd_worker']:.0f}%"
               for p in ("xdp", "packet") if p in doc["paths"]
               for t, _ in TESTS if doc["paths"][p].get(t, {}).get("cpu", {}).get("dpvsd_worker") is not None
               and doc["paths"][p][t]["cpu"]["dpvsd_worker"] < 0.8]
    if starved:
        print("note: dpvsd's busy-polling worker ran less than 80% of the time ("
              + ", ".join(starved) + "): its CPU was shared (other processes, softirq,\n"
              "      NAPI threads, or the PMD waiting in the kernel); take final figures on a quiet machine")
    for dut, per in doc["target"]["per_test"].items():
        ok = "MET" if doc["target"]["met"][dut] else "NOT MET"
        detail = ", ".join(f"{k}: {v}" for k, v in per.items())
        print(f"target '{doc['target']['name']}' for {dut}: {ok} ({detail})")


if __name__ == "__main__":
    main()
