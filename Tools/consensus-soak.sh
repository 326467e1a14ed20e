#!/usr/bin/env bash
# Soak the consensus core: run the deterministic cluster simulator over many seeded schedules
# (default one million) in release mode. Every failure prints its seed and a one-line replay
# command; a crash prints the seeds that were in flight.
#
#   Tools/consensus-soak.sh                      # 1,000,000 schedules from a random seed base
#   PARASOL_SIM_RUNS=50000 Tools/consensus-soak.sh
#   PARASOL_SIM_SEED_BASE=123 PARASOL_SIM_WORKERS=8 Tools/consensus-soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."

export PARASOL_SIM_RUNS="${PARASOL_SIM_RUNS:-1000000}"
if [[ -z "${PARASOL_SIM_SEED_BASE:-}" ]]; then
    PARASOL_SIM_SEED_BASE="$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')"
fi
export PARASOL_SIM_SEED_BASE
export PARASOL_SIM_WORKERS="${PARASOL_SIM_WORKERS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}"

echo "consensus soak: ${PARASOL_SIM_RUNS} schedules, seed base ${PARASOL_SIM_SEED_BASE}, ${PARASOL_SIM_WORKERS} workers"
start=$(date +%s)
swift test -c release -Xswiftc -enable-testing --filter ParasolConsensusTests.SwarmTests
echo "consensus soak: passed in $(( $(date +%s) - start )) s"
