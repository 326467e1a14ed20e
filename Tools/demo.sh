#!/usr/bin/env bash
# `make demo`: the local 3-node cluster (Cluster/local.yaml, replication factor 3) as separate
# processes, two Fashion-MNIST workers training through it, and the primary of a shard killed
# with SIGKILL midway: the survivors elect a new primary, training goes on, and the killed node
# is started again and catches up as a replica.
set -euo pipefail
cd "$(dirname "$0")/.."

parasol=${PARASOL_BIN:-.build/release/parasol}
cluster=Cluster/local.yaml
epochs=${DEMO_EPOCHS:-6}
shard=${DEMO_KILL_SHARD:-0}
data=data/local
logs=data/demo
up_pid=""
worker_pids=()

cleanup() {
  for pid in "${worker_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$up_pid" ] && kill -0 "$up_pid" 2>/dev/null; then
    kill -TERM "$up_pid" 2>/dev/null || true
    wait "$up_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

echo "== fresh data for the demo cluster: $data"
rm -rf "$data" "$logs"
mkdir -p "$logs"

echo "== starting the cluster: $parasol cluster up --cluster $cluster"
"$parasol" cluster up --cluster "$cluster" > "$logs/cluster-up.log" 2>&1 &
up_pid=$!
for _ in $(seq 1 600); do
  grep -q "is up" "$logs/cluster-up.log" && break
  kill -0 "$up_pid" 2>/dev/null || { cat "$logs/cluster-up.log"; echo "cluster up failed" >&2; exit 1; }
  sleep 0.1
done
grep -q "is up" "$logs/cluster-up.log" || { cat "$logs/cluster-up.log"; echo "cluster did not come up" >&2; exit 1; }
cat "$logs/cluster-up.log"

echo "== two workers train an MLP on Fashion-MNIST ($epochs epochs each, data split by rank)"
for rank in 0 1; do
  "$parasol" worker --cluster "$cluster" --job fashion-mnist --rank "$rank" --workers 2 --epochs "$epochs" --target-accuracy 0.88 \
    --json-file "$logs/worker-$rank.json" > "$logs/worker-$rank.log" 2>&1 &
  worker_pids+=($!)
done
tail -f "$logs/worker-0.log" &
tail_pid=$!

# Midway through, kill the primary of one shard with SIGKILL. The two other replicas elect a new
# primary within a few hundred milliseconds; the workers' pushes to that shard are retried there.
admin_ports=(7101 7103 7105)
primary_of() {  # the primary of shard $1 as node $2's admin plane reports it (empty if none)
  curl -s --max-time 1 "http://127.0.0.1:$2/shards/$1" | grep -o '"primary":"[^"]*"' | head -n 1 | cut -d'"' -f4 || true
}
for _ in $(seq 1 1200); do
  grep -q "epoch 2" "$logs/worker-0.log" 2>/dev/null && break
  sleep 0.1
done
victim=""
for port in "${admin_ports[@]}"; do
  victim=$(primary_of "$shard" "$port")
  [ -n "$victim" ] && break
done
[ -n "$victim" ] || { echo "no primary known for shard $shard" >&2; exit 1; }
victim_pid=$(cat "$data/$victim/server.pid")
echo "== kill -9 node $victim (pid $victim_pid), the primary of shard $shard, in the middle of training"
killed_at=$(date +%s%N)
kill -9 "$victim_pid"
new_primary=""
while [ -z "$new_primary" ]; do
  for port in "${admin_ports[@]}"; do
    candidate=$(primary_of "$shard" "$port")
    if [ -n "$candidate" ] && [ "$candidate" != "$victim" ]; then new_primary=$candidate; break; fi
  done
  [ $(( ($(date +%s%N) - killed_at) / 1000000 )) -gt 30000 ] && { echo "no new primary after 30 s" >&2; exit 1; }
  [ -n "$new_primary" ] || sleep 0.01
done
echo "== failover: shard $shard primary $victim → $new_primary, visible $(( ($(date +%s%N) - killed_at) / 1000000 )) ms after the kill"
for _ in $(seq 1 300); do
  grep -q "node $victim .*restarting" "$logs/cluster-up.log" && break
  sleep 0.1
done
sleep 2
echo "== node $victim after its restart (a replica now, catching up):"
grep -E "loaded snapshot|recovered term|primary is now|installed snapshot|serving" "$data/$victim/server.log" | tail -n 4 || true

status=0
for index in "${!worker_pids[@]}"; do
  wait "${worker_pids[$index]}" || status=1
done
worker_pids=()
kill "$tail_pid" 2>/dev/null || true
echo "== worker 1:"
tail -n 3 "$logs/worker-1.log"
echo "== results"
for rank in 0 1; do
  [ -f "$logs/worker-$rank.json" ] && echo "worker $rank: $(grep -o '"test_accuracy":[0-9.]*\|"training_seconds":[0-9.]*\|"epochs":[0-9]*' "$logs/worker-$rank.json" | tr '\n' ' ')"
done
[ $status -eq 0 ] || { echo "a worker failed; logs in $logs" >&2; exit 1; }
echo "== stopping the cluster"
exit 0
