#!/usr/bin/env python3
"""Reads one side-by-side run (iperf3.json, pingpong.json, redis.csv, parasol.json in a folder),
prints every Parasol figure next to the loopback ceiling and Redis, the issue's targets as
PASS/MISS lines (decided on the unrounded values), and writes summary.md and plot.svg there.

    python3 Tools/bench/report.py data/bench/<timestamp>
"""
import csv
import json
import math
import os
import sys

MIB = 1 << 20


def load(folder):
    with open(os.path.join(folder, "iperf3.json")) as f:
        iperf = json.load(f)
    tcp_mbps = iperf["end"]["sum_received"]["bits_per_second"] / 8 / 1e6
    with open(os.path.join(folder, "pingpong.json")) as f:
        pingpong = json.load(f)
    disk = None
    if os.path.exists(os.path.join(folder, "disk.json")):
        with open(os.path.join(folder, "disk.json")) as f:
            disk = json.load(f)
    redis = {}
    with open(os.path.join(folder, "redis.csv")) as f:
        for row in csv.reader(f):
            if len(row) < 10 or row[2] == "test":
                continue
            size, pipeline, test = int(row[0]), int(row[1]), row[2]
            redis[(test, size, pipeline)] = {"rps": float(row[3]), "p50ms": float(row[6]), "p99ms": float(row[8])}
    with open(os.path.join(folder, "parasol.json")) as f:
        parasol = json.load(f)
    nodisk = None
    if os.path.exists(os.path.join(folder, "parasol-nodisk.json")):
        with open(os.path.join(folder, "parasol-nodisk.json")) as f:
            nodisk = json.load(f)
    return tcp_mbps, pingpong, disk, redis, parasol, nodisk


def size_name(n):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift} {unit}"
    return f"{n} B"


def find(figures, **keys):
    for figure in figures:
        if all(figure.get(k) == v for k, v in keys.items()):
            return figure
    return None


class Targets:
    def __init__(self):
        self.lines = []

    def check(self, label, measured, limit, passed, detail):
        if measured is None:
            self.lines.append(("NOT MEASURED", label, detail))
        else:
            self.lines.append(("PASS" if passed else "MISS", label, detail))


def main(folder):
    tcp_mbps, pingpong, disk, redis, parasol, nodisk = load(folder)
    figures = parasol["figures"]
    machine = parasol["machine"]
    rtt = pingpong["p50us"]
    md = []
    out = []

    def emit(line=""):
        out.append(line)
        print(line)

    header = (f"Machine: {machine.get('cpuModel', '?')}, {machine.get('cores', '?')} cores, "
              f"{machine.get('memoryBytes', 0) / (1 << 30):.0f} GiB, {machine.get('kernel', '?')}; "
              f"commit {machine.get('gitCommit', '?')[:12]}{' (dirty)' if machine.get('gitDirty') else ''}; "
              f"{'quick' if parasol['settings']['quick'] else 'full'} run, durability {parasol['settings']['durability']}")
    emit(header)
    emit(f"Ceiling: iperf3 one TCP stream {tcp_mbps:.0f} MB/s; 64 B TCP ping-pong p50 {rtt:.1f} µs "
         f"(p99 {pingpong['p99us']:.1f} µs)")
    md += [f"# Parasol benchmark {os.path.basename(folder.rstrip('/'))}", "", header, "",
           f"Ceiling: iperf3 one TCP stream **{tcp_mbps:.0f} MB/s**; 64 B TCP ping-pong p50 **{rtt:.1f} µs** "
           f"(p99 {pingpong['p99us']:.1f} µs). MB = 10^6 bytes.", ""]
    if disk:
        # A durable push needs both the network and the disk: these bound what fsync allows.
        line = (f"Disk ceiling (where the servers' logs live, {'O_DIRECT' if disk['directIO'] else 'page cache'}): "
                f"4 MiB write + fdatasync {disk['largeMBps']:.0f} MB/s; 64 B durable append p50 {disk['smallP50us']:.1f} µs "
                f"(p99 {disk['smallP99us']:.1f} µs)")
        emit(line)
        md += [line.replace(f"{disk['largeMBps']:.0f} MB/s", f"**{disk['largeMBps']:.0f} MB/s**")
                   .replace(f"p50 {disk['smallP50us']:.1f} µs", f"p50 **{disk['smallP50us']:.1f} µs**") + ".", ""]

    # Dense push/pull next to the ceiling and Redis (SET ~ push, GET ~ pull; pipeline 1 ~ 1 in
    # flight, pipeline 16 ~ 16 in flight; one connection each).
    emit("")
    emit(f"{'case':<26}{'Parasol MB/s':>13}{'ops/s':>10}{'p50 µs':>10}{'p99 µs':>10}{'% TCP':>8}"
         f"{'Redis MB/s':>12}{'×Redis':>8}{'Redis p50 µs':>14}")
    md += ["## Dense push/pull vs. loopback TCP and Redis", "",
           "| case | Parasol MB/s | ops/s | p50 µs | p99 µs | % of TCP | Redis MB/s | × Redis | Redis p50 µs |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for f in [f for f in figures if f["section"] == "dense"]:
        test = "SET" if f["op"] == "push" else "GET"
        r = redis.get((test, f["sizeBytes"], f["inFlight"]))
        redis_mbps = r["rps"] * f["sizeBytes"] / 1e6 if r else None
        name = f"{f['op']} {size_name(f['sizeBytes'])} rf{f['replication']} x{f['inFlight']}"
        pct = 100 * f["MBps"] / tcp_mbps
        ratio = f"{f['MBps'] / redis_mbps:.2f}" if redis_mbps else "—"
        emit(f"{name:<26}{f['MBps']:>13.1f}{f['opsPerSecond']:>10.0f}{f['p50us']:>10.0f}{f['p99us']:>10.0f}{pct:>7.1f}%"
             f"{(redis_mbps or 0):>12.1f}{ratio:>8}{(r['p50ms'] * 1000 if r else 0):>14.0f}")
        redis_text = f"{redis_mbps:.1f}" if redis_mbps else "—"
        redis_p50 = f"{r['p50ms'] * 1000:.0f}" if r else "—"
        md.append(f"| {name} | {f['MBps']:.1f} | {f['opsPerSecond']:.0f} | {f['p50us']:.0f} | {f['p99us']:.0f} | {pct:.1f} % | "
                  f"{redis_text} | {ratio} | {redis_p50} |")

    md += ["", "## Other figures", "", "| section | case | figures |", "|---|---|---|"]
    emit("")
    for f in figures:
        if f["section"] == "dense":
            continue
        text = describe(f)
        emit(f"{f['section']:<10}{f['name']:<34}{text}")
        md.append(f"| {f['section']} | {f['name']} | {text} |")

    # Targets of the issue, decided on unrounded values.
    t = Targets()
    data_path_targets(t, figures, tcp_mbps, rtt, disk if parasol["settings"]["durability"] == "fsync" else None)
    f = find(figures, section="failover")
    if f:
        ok = f["measuredAck"] == f["kills"] and f["toAckMedianMs"] <= 200 and f["lost"] == 0 and f["duplicated"] == 0
        t.check("failover median ≤ 200 ms kill → first ack, 0 lost, 0 dup", f["toAckMedianMs"], 200, ok,
                f"median {f['toAckMedianMs']:.1f} ms (p90 {f['toAckP90Ms']:.1f}, max {f['toAckMaxMs']:.1f}, "
                f"{f['measuredAck']}/{f['kills']} measured), lost {f['lost']}, dup {f['duplicated']}")
    else:
        t.check("failover median ≤ 200 ms, 0 lost, 0 dup", None, 200, False, "no figure")
    s = find(figures, section="snapshot", name=next((x["name"] for x in figures if x["name"].startswith("write shard")), ""))
    if s:
        size_note = "" if s["uncompressedBytes"] >= 1 << 30 else f" (state {size_name(s['uncompressedBytes'])}; the target is for 1 GiB of weights: run the full suite)"
        t.check("snapshot write ≥ 1 GB/s", s["writeMBps"], 1000, s["writeMBps"] >= 1000, f"{s['writeMBps']:.1f} MB/s{size_note}")
        lz = s.get("lz4Level1Ratio")
        t.check("snapshot compression ratio ≥ lz4 -1", lz, None, lz is not None and s["ratio"] >= lz,
                f"{s['ratio']:.4f} ({s['compressedBytes']} B) vs lz4 -1 {lz:.4f} ({s['lz4Level1Bytes']} B) on the same "
                f"{s['uncompressedBytes']} uncompressed bytes" if lz else "lz4 not measured")
        v = s["pushP99DuringUs"] / s["pushP99QuietUs"]
        t.check("push p99 during snapshot ≤ 2× without", v, 2, v <= 2,
                f"{s['pushP99DuringUs']:.0f} µs / {s['pushP99QuietUs']:.0f} µs = {v:.2f}× ({s['pushCountDuring']} pushes during)")
    else:
        t.check("snapshot targets", None, None, False, "no figure")
    for m in [x for x in figures if x["section"] == "memory"]:
        t.check(f"RSS ≤ 1.25× weights + optimizer state ({m['when']})", m["ratio"], 1.25, m["ratio"] <= 1.25,
                f"{m['rssBytes'] / MIB:.0f} MiB / {m['heldBytes'] / MIB:.0f} MiB = {m['ratio']:.3f}×")

    emit("")
    emit("Targets:")
    md += ["", "## Targets", "", "| result | target | measured |", "|---|---|---|"]
    for verdict, label, detail in t.lines:
        emit(f"  {verdict:<5} {label}: {detail}")
        md.append(f"| **{verdict}** | {label} | {detail} |")
    if nodisk:
        # The same lines once more from a run whose servers do not fdatasync: how much of each
        # miss is the disk and how much the software. A reference, not the targets' verdict.
        n = Targets()
        data_path_targets(n, nodisk["figures"], tcp_mbps, rtt, None)
        emit("")
        emit("The same data-path lines without the disk (durability none; a reference, not the verdict):")
        md += ["", "## The same data-path lines without the disk", "",
               "`parasol bench --durability none` in the same run: the servers acknowledge once a majority "
               "holds an entry in the page cache. The difference between these lines and the ones above is "
               "the disk; what still separates these from the targets is the software.", "",
               "| would be | target | measured without fsync |", "|---|---|---|"]
        for verdict, label, detail in n.lines:
            emit(f"  {verdict:<5} {label}: {detail}")
            md.append(f"| {verdict} | {label} | {detail} |")
    notes = parasol.get("notes", [])
    if notes:
        md += ["", "Notes from `parasol bench`:", ""] + [f"- {n}" for n in notes]
    md += ["", "![throughput and failover](plot.svg)", ""]
    with open(os.path.join(folder, "summary.md"), "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(folder, "plot.svg"), "w") as f:
        f.write(plot(figures, redis, tcp_mbps))
    print(f"\nwrote {os.path.join(folder, 'summary.md')} and plot.svg")



def data_path_targets(t, figures, tcp_mbps, rtt, disk):
    """The targets on the data path: throughput, latency and rate. `disk` (the disk ceiling)
    adds what fsync allows at best; pass None for a run without fsync."""
    for op in ("push", "pull"):
        f = find(figures, section="dense", op=op, sizeBytes=4 * MIB, replication=1, inFlight=1)
        v = f["MBps"] / tcp_mbps if f else None
        disk_note = ""
        if f and disk and op == "push":
            disk_note = f"; the disk alone writes {disk['largeMBps']:.0f} MB/s ({100 * disk['largeMBps'] / tcp_mbps:.0f} % of TCP), push = {100 * f['MBps'] / disk['largeMBps']:.0f} % of that"
        t.check(f"4 MiB {op} RF=1 ≥ 80 % of iperf3 single stream", v, 0.8, v is not None and v >= 0.8,
                f"{f['MBps']:.1f} / {tcp_mbps:.1f} MB/s = {100 * v:.1f} %{disk_note}" if f else "no figure")
    for rf, limit in ((1, 1.3), (3, 3.0)):
        f = find(figures, section="dense", op="push", sizeBytes=64, replication=rf, inFlight=1)
        v = f["p50us"] / rtt if f else None
        floor_note = ""
        if f and disk:
            floor = rtt + disk["smallP50us"]
            floor_note = f"; RTT + one durable append = {floor:.0f} µs = {floor / rtt:.2f}× is the floor with fsync"
        t.check(f"64 B push p50 RF={rf} ≤ {limit}× TCP RTT", v, limit, v is not None and v <= limit,
                f"{f['p50us']:.1f} µs / {rtt:.1f} µs = {v:.2f}×{floor_note}" if f else "no figure")
    f = find(figures, section="smallops", replication=1) or find(figures, section="smallops")
    v = f["opsPerSecond"] if f else None
    t.check("small-op rate ≥ 100 000 ops/s", v, 1e5, v is not None and v >= 1e5,
            f"{v:.0f} ops/s (RF={f['replication']}, {f['clients']}×{f['inFlightPerClient']} in flight)" if f else "no figure")
    f1 = find(figures, section="dense", op="push", sizeBytes=4 * MIB, replication=1, inFlight=1)
    f3 = find(figures, section="dense", op="push", sizeBytes=4 * MIB, replication=3, inFlight=1)
    v = f3["MBps"] / f1["MBps"] if f1 and f3 else None
    t.check("RF=3 4 MiB push ≥ 50 % of RF=1", v, 0.5, v is not None and v >= 0.5,
            f"{f3['MBps']:.1f} / {f1['MBps']:.1f} MB/s = {100 * v:.1f} %" if v is not None else "no figure")

def describe(f):
    s = f["section"]
    if s == "smallops":
        return f"{f['opsPerSecond']:.0f} ops/s, p50 {f['p50us']:.0f} µs, p99 {f['p99us']:.0f} µs"
    if s == "sparse":
        return f"{f['rowsPerSecond'] / 1e6:.2f} M rows/s ({f['MBps']:.1f} MB/s), p50 {f['p50us']:.0f} µs, p99 {f['p99us']:.0f} µs"
    if s == "failover":
        return (f"kill → first ack median {f['toAckMedianMs']:.1f} / p90 {f['toAckP90Ms']:.1f} / max {f['toAckMaxMs']:.1f} ms; "
                f"kill → new primary in /shards median {f['toVisibleMedianMs']:.1f} / p90 {f['toVisibleP90Ms']:.1f} / max {f['toVisibleMaxMs']:.1f} ms; "
                f"acked {f['acknowledged']}, counter {f['counterValue']:.0f}, lost {f['lost']}, dup {f['duplicated']}")
    if s == "snapshot" and "writeMBps" in f:
        lz = f"lz4 -1 {f['lz4Level1Ratio']:.4f}" if "lz4Level1Ratio" in f else "lz4 -1 not measured"
        return (f"write {f['writeMBps']:.1f} MB/s ({size_name(f['uncompressedBytes'])} in {f['writeSeconds']:.2f} s), "
                f"ratio {f['ratio']:.4f} vs {lz}; push p99 quiet {f['pushP99QuietUs']:.0f} µs, during {f['pushP99DuringUs']:.0f} µs")
    if s == "snapshot" and "restoreMBps" in f:
        return f"restore {f['restoreMBps']:.1f} MB/s ({f['restoreSeconds']:.2f} s from kill -9 to first read)"
    if s == "snapshot":
        return f"create {f['createSeconds']:.2f} s, first full push {f['firstPushSeconds']:.2f} s ({f['firstPushMBps']:.1f} MB/s)"
    if s == "memory":
        return f"RSS {f['rssBytes'] / MIB:.0f} MiB / held {f['heldBytes'] / MIB:.0f} MiB = {f['ratio']:.3f}×"
    return ""


def plot(figures, redis, tcp_mbps):
    """Two panels in plain SVG: throughput vs size (log-log), and failover times per kill."""
    w, h = 980, 420
    left, top, pw, ph = 70, 40, 520, 320
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{left}" y="20" font-size="13" font-weight="bold">Throughput vs tensor/value size (one connection)</text>']
    series = []
    for op, rf, inflight, color, dash in (("push", 1, 1, "#1f77b4", ""), ("pull", 1, 1, "#2ca02c", ""), ("push", 3, 1, "#9467bd", ""),
                                           ("push", 1, 16, "#1f77b4", "4,3"), ("pull", 1, 16, "#2ca02c", "4,3")):
        pts = [(f["sizeBytes"], f["MBps"]) for f in figures
               if f["section"] == "dense" and f["op"] == op and f["replication"] == rf and f.get("inFlightRequested", f["inFlight"]) == inflight]
        if pts:
            series.append((f"Parasol {op} RF={rf} x{inflight}", color, dash, sorted(pts)))
    for test, pipeline, color, dash in (("SET", 1, "#d62728", ""), ("GET", 1, "#ff7f0e", ""), ("SET", 16, "#d62728", "4,3")):
        pts = sorted((size, v["rps"] * size / 1e6) for (t, size, p), v in redis.items() if t == test and p == pipeline)
        if pts:
            series.append((f"Redis {test} P{pipeline}", color, dash, pts))
    xs = [x for s in series for x, _ in s[3]] or [64, 64 * MIB]
    ys = [y for s in series for _, y in s[3] if y > 0] + [tcp_mbps]
    x0, x1 = math.log10(min(xs)), math.log10(max(xs))
    y0, y1 = math.floor(math.log10(max(min(ys), 1e-3))), math.ceil(math.log10(max(ys)))
    X = lambda v: left + (math.log10(v) - x0) / max(x1 - x0, 1e-9) * pw
    Y = lambda v: top + ph - (math.log10(max(v, 10 ** y0)) - y0) / max(y1 - y0, 1e-9) * ph
    svg.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
    for e in range(int(y0), int(y1) + 1):
        svg.append(f'<line x1="{left}" x2="{left + pw}" y1="{Y(10 ** e):.1f}" y2="{Y(10 ** e):.1f}" stroke="#eee"/>')
        svg.append(f'<text x="{left - 6}" y="{Y(10 ** e) + 4:.1f}" text-anchor="end">{10 ** e:g}</text>')
    for size in sorted(set(xs)):
        svg.append(f'<text x="{X(size):.1f}" y="{top + ph + 16}" text-anchor="middle">{size_name(size).replace(" ", "")}</text>')
    svg.append(f'<text x="{left + pw / 2}" y="{top + ph + 32}" text-anchor="middle">size</text>')
    svg.append(f'<text x="16" y="{top + ph / 2}" transform="rotate(-90 16 {top + ph / 2})" text-anchor="middle">MB/s (log)</text>')
    svg.append(f'<line x1="{left}" x2="{left + pw}" y1="{Y(tcp_mbps):.1f}" y2="{Y(tcp_mbps):.1f}" stroke="black" stroke-dasharray="6,4"/>')
    svg.append(f'<text x="{left + 4}" y="{Y(tcp_mbps) - 4:.1f}">iperf3 one stream {tcp_mbps:.0f} MB/s</text>')
    for i, (label, color, dash, pts) in enumerate(series):
        path = " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in pts)
        svg.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>')
        for x, y in pts:
            svg.append(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="2.5" fill="{color}"/>')
        ly = top + 10 + 14 * i
        svg.append(f'<line x1="{left + pw + 12}" x2="{left + pw + 36}" y1="{ly}" y2="{ly}" stroke="{color}" stroke-width="2" stroke-dasharray="{dash}"/>')
        svg.append(f'<text x="{left + pw + 40}" y="{ly + 4}">{label}</text>')
    # Failover panel: one dot per kill, both measures, with the 200 ms target.
    f = next((x for x in figures if x["section"] == "failover"), None)
    fx, fy, fw, fh = 790, 230, 170, 130
    svg.append(f'<text x="{fx - 20}" y="{fy - 24}" font-size="13" font-weight="bold">Failover after kill -9 (ms)</text>')
    svg.append(f'<rect x="{fx}" y="{fy}" width="{fw}" height="{fh}" fill="none" stroke="#999"/>')
    if f:
        values = f["toAckMs"] + f["toVisibleMs"] + [200]
        top_ms = max(values) * 1.1
        FY = lambda v: fy + fh - v / top_ms * fh
        svg.append(f'<line x1="{fx}" x2="{fx + fw}" y1="{FY(200):.1f}" y2="{FY(200):.1f}" stroke="black" stroke-dasharray="6,4"/>')
        svg.append(f'<text x="{fx + fw - 2}" y="{FY(200) - 3:.1f}" text-anchor="end">200 ms target</text>')
        for column, (key, color, label) in enumerate((("toAckMs", "#1f77b4", "first ack"), ("toVisibleMs", "#2ca02c", "/shards"))):
            cx = fx + fw * (0.3 + 0.4 * column)
            for j, v in enumerate(sorted(f[key])):
                svg.append(f'<circle cx="{cx + (j % 5 - 2) * 4:.1f}" cy="{FY(v):.1f}" r="3" fill="{color}" fill-opacity="0.7"/>')
            median = sorted(f[key])[len(f[key]) // 2] if f[key] else 0
            svg.append(f'<line x1="{cx - 16:.1f}" x2="{cx + 16:.1f}" y1="{FY(median):.1f}" y2="{FY(median):.1f}" stroke="{color}" stroke-width="2"/>')
            svg.append(f'<text x="{cx:.1f}" y="{fy + fh + 14}" text-anchor="middle">{label}</text>')
        for ms in (0, top_ms / 2, top_ms):
            svg.append(f'<text x="{fx - 4}" y="{FY(ms) + 4:.1f}" text-anchor="end">{ms:.0f}</text>')
    svg.append("</svg>")
    return "\n".join(svg)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report.py RESULTS_FOLDER")
    main(sys.argv[1])
