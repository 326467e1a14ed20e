#!/usr/bin/env bash
# Side-by-side benchmark: the loopback ceiling (iperf3 single stream, 64-byte TCP ping-pong), the
# disk's (4 MiB direct writes + fdatasync, 64-byte durable appends),
# Redis (SET/GET at Parasol's sizes, pipelining 1 and 16) and `parasol bench --json`, all in one
# run on this machine; then report.py prints ratios and PASS/MISS lines and writes a Markdown
# table and an SVG plot under data/bench/<timestamp>/.
#
#   Tools/bench/run.sh            full suite (about 10 minutes on 2 cores)
#   BENCH_QUICK=1 Tools/bench/run.sh   quick suite (under 2 minutes)
#   PARASOL_BIN=path              the parasol binary (default .build/release/parasol)
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
quick="${BENCH_QUICK:-0}"
parasol="${PARASOL_BIN:-$root/.build/release/parasol}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$root/data/bench/$stamp"
mkdir -p "$out"
log() { printf '[bench] %s\n' "$*" >&2; }

# --- tools: Debian packages, installed when missing (sudo only when not root) ---
need=()
command -v iperf3 >/dev/null || need+=(iperf3)
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-benchmark >/dev/null || need+=(redis-tools)
command -v gcc >/dev/null || need+=(gcc)
command -v lz4 >/dev/null || need+=(lz4)
if ((${#need[@]})); then
    log "installing ${need[*]}"
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
[[ -x "$parasol" ]] || { log "no parasol binary at $parasol (run: make build)"; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

if [[ $quick == 1 ]]; then
    iperf_seconds=2 trips=5000 parasol_flags=(--quick)
    sizes=(64 4096 65536 1048576 4194304 16777216)
else
    iperf_seconds=5 trips=20000 parasol_flags=()
    sizes=(64 4096 65536 1048576 4194304 16777216 67108864)
fi

# --- ceiling 1: raw loopback TCP, one stream ---
port=$(free_port)
iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
pids+=($!)
sleep 0.3
log "iperf3: one TCP stream over loopback for ${iperf_seconds}s"
iperf3 -c 127.0.0.1 -p "$port" -t "$iperf_seconds" -J >"$out/iperf3.json"

# --- ceiling 2: 64-byte TCP ping-pong round trip ---
log "ping-pong: $trips round trips of 64 bytes"
gcc -O2 -o "$out/pingpong" "$root/Tools/bench/pingpong.c"
"$out/pingpong" "$trips" 64 >"$out/pingpong.json"
rm -f "$out/pingpong"

# --- ceiling 3: the disk the servers' logs go to (their data folders are under $TMPDIR) ---
log "disk: 4 MiB O_DIRECT writes + fdatasync, and 64-byte durable appends"
gcc -O2 -o "$out/diskceiling" "$root/Tools/bench/diskceiling.c"
"$out/diskceiling" "${TMPDIR:-/tmp}" "$(( quick == 1 ? 256 : 512 ))" 2000 >"$out/disk.json"
rm -f "$out/diskceiling"

# --- Redis: SET/GET at the same value sizes, one connection, pipelining 1 and 16 ---
port=$(free_port)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    --proto-max-bulk-len 1gb --client-query-buffer-limit 1gb --logfile "$out/redis.log" &
pids+=($!)
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
: >"$out/redis.csv"
budget=$(( quick == 1 ? 128 << 20 : 512 << 20 ))
cap=$(( quick == 1 ? 20000 : 50000 ))
for size in "${sizes[@]}"; do
    requests=$(( budget / size )); (( requests > cap )) && requests=$cap; (( requests < 20 )) && requests=20
    for wanted in 1 16; do
        # Like parasol bench: at most 512 MiB in flight (a 64 MiB value goes 8 deep, not 16).
        pipeline=$(( (512 << 20) / size )); (( pipeline > wanted )) && pipeline=$wanted; (( pipeline < 1 )) && pipeline=1
        log "redis: SET/GET $size B, pipeline $pipeline, $requests requests"
        if ! redis-benchmark -p "$port" -c 1 -P "$pipeline" -d "$size" -n "$requests" -t set,get --csv >"$out/redis-case.csv" 2>/dev/null; then
            log "redis-benchmark failed at $size B, pipeline $pipeline; that case is left out"
            continue
        fi
        sed 1d "$out/redis-case.csv" | sed "s/^/$size,$pipeline,/" >>"$out/redis.csv"
    done
done
rm -f "$out/redis-case.csv"
redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true

# --- Parasol ---
log "parasol bench ${parasol_flags[*]:-(full)}"
"$parasol" bench "${parasol_flags[@]}" --json "$out/parasol.json" | tee "$out/parasol.txt"
# The target cases once more with servers that do not fdatasync: what the disk costs.
log "parasol bench, target cases without the disk (durability none)"
"$parasol" bench "${parasol_flags[@]}" --durability none --only dense,smallops --sizes 64,4MiB --replication 1,3 \
    --json "$out/parasol-nodisk.json" | tee "$out/parasol-nodisk.txt"

python3 "$root/Tools/bench/report.py" "$out"
