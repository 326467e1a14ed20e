#!/usr/bin/env bash
# `make demo`: the local 3-node cluster (Cluster/local.yaml) as separate processes, two
# Fashion-MNIST workers training through it, and one server node killed with SIGKILL midway and
# started again (from its snapshot and write-ahead log) while training goes on.
set -euo pipefail
cd "$(dirname "$0")/.."

parasol=${PARASOL_BIN:-.build/release/parasol}
cluster=Cluster/local.yaml
epochs=${DEMO_EPOCHS:-6}
victim=${DEMO_KILL_NODE:-n2}
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

# Midway through, kill one server node with SIGKILL; `cluster up` starts it again and it
# recovers from its latest snapshot plus the log after it, while the workers retry through it.
for _ in $(seq 1 1200); do
  grep -q "epoch 2" "$logs/worker-0.log" 2>/dev/null && break
  sleep 0.1
done
victim_pid=$(cat "$data/$victim/server.pid")
echo "== kill -9 node $victim (pid $victim_pid) in the middle of training"
kill -9 "$victim_pid"
for _ in $(seq 1 300); do
  grep -q "node $victim .*restarting" "$logs/cluster-up.log" && break
  sleep 0.1
done
sleep 2
echo "== node $victim after its restart:"
grep -E "loaded snapshot|replayed|serving" "$data/$victim/server.log" | tail -n 4 || true

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
