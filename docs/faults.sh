#!/usr/bin/env bash
# Faults against a run folder: kills, signals, a second writer, a copied checkpoint, a full disk.
# For each, what happened and whether anything was lost or silently changed, as the Markdown
# table of docs/bad-inputs.md ("Faults").
#   bash docs/faults.sh [crbp.jar] > /tmp/faults-table.md
# Needs the built jar; a full disk needs root (a small tmpfs is mounted and removed). About 3 min.
set -u
JAR=$(readlink -f "${1:-crbp-examples/target/crbp.jar}")
W=$(mktemp -d /tmp/crbp-faults.XXXXXX)
cd "$W" || exit 1
crbp() { java -jar "$JAR" "$@"; }
# three epochs of 8 batches: long enough to be killed in the middle
RUN=(--channels 2 --kernel 3 --steps 3 --neumann-terms 2 --batch 4 --train-size 32 --val-size 4
     --test-size 8 --epochs 3 --no-pictures --time-budget 0 -q)
# the test scores and every epoch's loss: what must not change
figures() {
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['iou'], r['f1'], [round(h['loss'], 9) for h in r['history']])" "$1"
}
row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3"; }
# waits until a run folder holds a checkpoint of epoch 1 and a few batches of epoch 2
wait_mid() {
  for _ in $(seq 1 600); do
    [ -d "$1/checkpoints/epoch-001" ] && [ "$(grep -c '^2,' "$1/metrics.csv" 2> /dev/null)" -ge 3 ] && return
    sleep 0.1
  done
}

crbp train --out clean "${RUN[@]}" > /dev/null 2>&1
want=$(figures clean/report.json)

echo '| fault | what crbp did | lost or silently changed |'
echo '|---|---|---|'
for sig in KILL TERM INT; do
  # a background job of a script starts with SIGINT ignored: restore the default first
  python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
    java -jar "$JAR" train --out "sig-$sig" "${RUN[@]}" > /dev/null 2>&1 &
  pid=$!
  wait_mid "sig-$sig"
  kill -s "$sig" "$pid"; wait "$pid" 2> /dev/null; rc=$?
  last=$(ls "sig-$sig/checkpoints" | grep '^epoch' | tail -1)
  crbp train --out "sig-$sig" --resume > /dev/null 2> "err-$sig.txt"
  got=$(figures "sig-$sig/report.json" 2> /dev/null)
  row "SIG$sig in epoch 2, then \`--resume\`" "exit $rc, then resumed from $last: exit 0" \
    "$([ "$got" = "$want" ] && echo 'nothing: test scores and every epoch loss equal the uninterrupted run' || echo "CHANGED: $got vs $want")"
done

# a second writer on a folder in use
java -jar "$JAR" train --out busy "${RUN[@]}" > /dev/null 2>&1 &
pid=$!
wait_mid busy
crbp train --out busy "${RUN[@]}" > /dev/null 2> err-busy.txt; rc=$?
wait "$pid"
got=$(figures busy/report.json 2> /dev/null)
row "a second \`train\` on the same \`--out\` while the first runs" "second: exit $rc, \`$(grep -m1 '^crbp: error' err-busy.txt | sed 's|'"$W"'/||g')\`" \
  "$([ "$got" = "$want" ] && echo 'nothing: the first run finished with the uninterrupted figures' || echo "CHANGED: $got")"

# a checkpoint copied in from another run (same settings, another seed)
crbp train --out other "${RUN[@]}" --seed 2 > /dev/null 2>&1
cp -r clean mine
before=$(cat mine/metrics.csv mine/report.json | sha256sum)
rm -rf mine/checkpoints/epoch-003; cp -r other/checkpoints/epoch-003 mine/checkpoints/
crbp train --out mine --resume --epochs 4 > /dev/null 2> err-copy.txt; rc=$?
after=$(cat mine/metrics.csv mine/report.json | sha256sum)
row "another run's checkpoint copied in, then \`--resume --epochs 4\`" "exit $rc, \`$(grep -m1 '^crbp: error' err-copy.txt | sed 's|'"$W"'/||g' | cut -c1-160)…\`" \
  "$([ "$before" = "$after" ] && [ ! -d mine/checkpoints/epoch-004 ] && echo 'nothing: metrics.csv and report.json unchanged, no epoch trained' || echo 'CHANGED')"

# killed before its first checkpoint, then --resume without options
java -jar "$JAR" train --out early "${RUN[@]}" --lr 0.02 > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 300); do [ -s early/config.json ] && break; sleep 0.05; done
kill -KILL "$pid"; wait "$pid" 2> /dev/null
crbp train --out early --resume > /dev/null 2>&1; rc=$?
lr=$(python3 -c "import json; print(json.load(open('early/report.json'))['config']['lr'])" 2> /dev/null)
row "kill -9 before the first checkpoint, then \`--resume\` alone" "exit $rc; trained with the run's settings (lr $lr)" \
  "$([ "$lr" = "0.02" ] && echo 'nothing: config.json kept, not replaced by defaults' || echo "CHANGED: lr $lr")"

# a full disk in the middle of a run, then more space and --resume
if [ "$(id -u)" = 0 ]; then
  mkdir -p small
  mount -t tmpfs -o size=32k tmpfs small
  crbp train --out small/run "${RUN[@]}" > /dev/null 2> err-full.txt; rc=$?
  good=$(ls small/run/checkpoints 2> /dev/null | grep -c '^epoch')
  cp -r small/run bigger; umount small
  crbp train --out bigger --resume > /dev/null 2>&1; rc2=$?
  got=$(figures bigger/report.json 2> /dev/null)
  row "the disk fills up during the run, then the folder moved to a larger disk and \`--resume\`" \
    "exit $rc, \`$(grep -m1 '^crbp: error' err-full.txt | sed 's|'"$W"'/||g')\`; $good intact checkpoint(s); resume: exit $rc2" \
    "$([ "$got" = "$want" ] && echo 'nothing: the resumed run ends with the uninterrupted figures' || echo "CHANGED: $got")"
fi
rm -rf "$W"
