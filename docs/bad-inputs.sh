#!/usr/bin/env bash
# Runs the crbp program on bad inputs and writes the Markdown table of docs/bad-inputs.md:
# what was tried, the exit code and the one error line it printed.
#   bash docs/bad-inputs.sh [crbp.jar] > /tmp/bad-inputs-table.md
# Needs the built jar (mvn -B -q -DskipTests package). Takes a few minutes (one JVM per case).
set -u
JAR=$(readlink -f "${1:-crbp-examples/target/crbp.jar}")
W=$(mktemp -d /tmp/crbp-bad-inputs.XXXXXX)
cd "$W" || exit 1
# JOPTS: options of the JVM for one case (empty otherwise)
JOPTS=()
crbp() { nice -n 19 java "${JOPTS[@]}" -jar "$JAR" "$@"; }
TINY=(--channels 2 --kernel 3 --steps 3 --neumann-terms 2 --batch 4 --train-size 4 --val-size 4
      --test-size 8 --no-pictures)
# TINY without the training set's size, for cases that set it
TINY_SIZED=(--channels 2 --kernel 3 --steps 3 --neumann-terms 2 --batch 4 --val-size 4
      --test-size 8 --no-pictures)
n=0
# case DESCRIPTION -- ARGS...: runs crbp ARGS, prints a table row
case_() {
  local what=$1; shift; shift
  n=$((n + 1))
  crbp "$@" > out.txt 2> err.txt
  local rc=$?
  local lines msg
  lines=$(grep -c '^crbp: error:' err.txt)
  msg=$(grep -m1 '^crbp: error:' err.txt | sed "s|$W/||g; s/|/\\\\|/g")
  if [ -z "$msg" ]; then
    msg="(no error) $(grep -v 'INFO\|%' out.txt | tail -1 | sed "s|$W/||g; s/|/\\\\|/g")"
  fi
  local shown
  shown=$(printf '%s ' "$@" | sed "s|$W/||g; s|$JAR|crbp.jar|g; s/|/\\\\|/g")
  printf '| %d | %s | `crbp %s` | %d | %s |\n' "$n" "$what" "${shown% }" "$rc" \
    "$msg$([ "$lines" -gt 1 ] && echo " ($lines error lines)")"
}
copy() { rm -rf "$2"; cp -r "$1" "$2"; }

# fixtures: a small data folder and a one-epoch run with two checkpoints
crbp generate --out data --train-size 4 --val-size 4 --test-size 8 > /dev/null 2>&1
crbp train --out run --epochs 2 "${TINY[@]}" > /dev/null 2>&1
[ -d run/checkpoints/epoch-002 ] || { echo "fixture run failed" >&2; exit 1; }
echo "x" > a-file

echo '| # | bad input | command | exit | message |'
echo '|---|---|---|---|---|'
# options of train
case_ "unknown preset" -- train --preset pf-99
case_ "unknown option" -- train --bogus
case_ "steps not a number" -- train --steps abc
case_ "steps 0" -- train --steps 0
case_ "negative steps" -- train --steps -3
case_ "unknown model" -- train --model resnet
case_ "unknown method" -- train --method sgd
case_ "lambda 1.5" -- train --lambda 1.5
case_ "negative lambda" -- train --lambda -0.1
case_ "lambda NaN" -- train --lambda NaN
case_ "negative penalty weight" -- train --penalty-weight -1
case_ "Neumann terms 0" -- train --neumann-terms 0
case_ "even kernel" -- train --kernel 4
case_ "kernel 0" -- train --kernel 0
case_ "channels 0" -- train --channels 0
case_ "epochs 0" -- train --epochs 0
case_ "batch 0" -- train --batch 0
case_ "batch larger than the training set" -- train --batch 64 --train-size 16
case_ "training size 0" -- train --train-size 0
case_ "validation size 0" -- train --val-size 0
case_ "test size 0" -- train --test-size 0
case_ "learning rate 0" -- train --lr 0
case_ "negative learning rate" -- train --lr -0.1
case_ "learning rate NaN" -- train --lr NaN
case_ "unknown device" -- train --device tpu
case_ "GPU where there is none" -- train --device gpu "${TINY[@]}" --out gpu-run
case_ "negative time budget" -- train --time-budget -1
case_ "negative analysis steps" -- train --analysis-steps -1
case_ "truncation 0 with tbptt" -- train --method tbptt --truncation 0
case_ "--out is a file" -- train --out a-file "${TINY[@]}"
case_ "--out under a file" -- train --out a-file/sub "${TINY[@]}"
case_ "run folder with checkpoints, no --resume" -- train --out run --epochs 2 "${TINY[@]}"
case_ "resume with another configuration" -- train --out run --resume --epochs 2 --lr 0.02 "${TINY[@]}"
case_ "--resume-from a checkpoint that does not exist" -- train --out run --resume-from epoch-007 --epochs 3 "${TINY[@]}"
# data folders
case_ "--data folder missing" -- train --data no-such-data "${TINY[@]}" --out d1
mkdir -p empty-data
case_ "--data folder without splits" -- train --data empty-data "${TINY[@]}" --out d2
case_ "--data of another preset" -- train --data data --preset pf-mini-20 "${TINY[@]}" --out d3
case_ "--data with fewer images than asked" -- train --data data "${TINY_SIZED[@]}" --train-size 40 --out d4
copy data dm; echo "{ broken" > dm/validation/metadata.json
case_ "metadata.json not JSON" -- train --data dm "${TINY[@]}" --out d5
copy data dn; rm dn/test/metadata.json
case_ "split without metadata.json (interrupted generate)" -- train --data dn "${TINY[@]}" --out d6
copy data dmask; rm dmask/validation/masks/000001.png
case_ "a mask missing" -- train --data dmask "${TINY[@]}" --out d7
for split in train validation test; do
  copy data "dt-$split"; f="dt-$split/$split/images/000002.png"
  head -c $(( $(stat -c %s "$f") - 20 )) "$f" > t.png && mv t.png "$f"
  case_ "truncated PNG in $split" -- train --data "dt-$split" "${TINY[@]}" --out "dt-run-$split"
done
copy data dtext; echo "not a picture" > dtext/test/images/000001.png
case_ "a text file named .png" -- train --data dtext "${TINY[@]}" --out d8
copy data dempty; : > dempty/train/masks/000000.png
case_ "an empty PNG" -- train --data dempty "${TINY[@]}" --out d9
copy data dsize
python3 - <<'PY'
import struct, zlib
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
raw = b''.join(b'\x00' + b'\x00' * 32 for _ in range(32))
png = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 32, 32, 8, 0, 0, 0, 0))
       + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
open('dsize/train/images/000003.png', 'wb').write(png)
PY
case_ "an image of the wrong size" -- train --data dsize "${TINY[@]}" --out d10
# checkpoints
case_ "evaluate: checkpoint path missing" -- evaluate --checkpoint no-such-run
mkdir -p empty-run
case_ "evaluate: folder without checkpoints" -- evaluate --checkpoint empty-run
copy run cs; echo "{ not json" > cs/checkpoints/epoch-002/state.json
case_ "state.json not JSON" -- evaluate --checkpoint cs
copy run cs2; rm cs2/checkpoints/epoch-002/state.json
case_ "state.json missing" -- evaluate --checkpoint cs2/checkpoints/epoch-002
copy run cp1; rm cp1/checkpoints/epoch-002/crbp-0002.params
case_ "parameter file missing" -- evaluate --checkpoint cp1
copy run cp2; head -c $(stat -c %s cp2/checkpoints/epoch-002/crbp-0002.params) /dev/urandom > r.bin && mv r.bin cp2/checkpoints/epoch-002/crbp-0002.params
case_ "parameter file overwritten with random bytes" -- evaluate --checkpoint cp2
copy run cp3; head -c $(stat -c %s cp3/checkpoints/epoch-002/crbp-0002.params) /dev/zero > z.bin && mv z.bin cp3/checkpoints/epoch-002/crbp-0002.params
case_ "parameter file overwritten with zeros" -- evaluate --checkpoint cp3
case_ "resume from zero-filled latest checkpoint" -- train --out cp3 --resume --epochs 3 "${TINY[@]}"
copy run cp4; truncate -s 100 cp4/checkpoints/epoch-002/crbp-0002.params
case_ "parameter file truncated" -- evaluate --checkpoint cp4
copy run cp5; truncate -s 50 cp5/checkpoints/epoch-002/optimizer.bin
case_ "optimizer state truncated, resume" -- train --out cp5 --resume --epochs 3 "${TINY[@]}"
copy run cp6; sed -i 's/"model": "hgru"/"model": "resnet"/' cp6/checkpoints/epoch-002/state.json
case_ "state.json edited (unknown model)" -- evaluate --checkpoint cp6/checkpoints/epoch-002
copy run cp7; sed -i 's/"seed": 1,/"seed": 2,/' cp7/checkpoints/epoch-002/state.json
case_ "state.json edited (still valid JSON)" -- evaluate --checkpoint cp7
copy run cp8; rm cp8/checkpoints/epoch-001/optimizer.bin; head -c 1000 /dev/zero > cp8/checkpoints/epoch-002/crbp-0002.params
case_ "latest and previous checkpoint both corrupt" -- train --out cp8 --resume --epochs 3 "${TINY[@]}"
# evaluate and analyze options
case_ "evaluate: steps 0" -- evaluate --checkpoint run --steps 0
case_ "evaluate: test size 0" -- evaluate --checkpoint run --test-size 0
case_ "evaluate: unknown preset" -- evaluate --checkpoint run --preset pf-7
case_ "evaluate: unknown device" -- evaluate --checkpoint run --device tpu
case_ "evaluate: --out is a file" -- evaluate --checkpoint run --out a-file
case_ "evaluate: --data without test split" -- evaluate --checkpoint run --data empty-data
case_ "analyze: --compare missing" -- analyze --checkpoint run --compare no-such-run
case_ "analyze: steps 0" -- analyze --checkpoint run --steps 0
# generate
case_ "generate: threads -1" -- generate --out g1 --threads -1 --train-size 4 --val-size 4 --test-size 4
case_ "generate: --out is a file" -- generate --out a-file --train-size 4
case_ "generate: all sizes 0" -- generate --out g2 --train-size 0 --val-size 0 --test-size 0
case_ "generate: negative size" -- generate --out g3 --train-size -5
case_ "generate: --out required" -- generate --train-size 4
case_ "generate: other seed over a complete folder" -- generate --out data --seed 9 --train-size 4 --val-size 4 --test-size 8
copy data gi; rm gi/validation/metadata.json gi/validation/images/000003.png
case_ "generate: same command after an interruption (succeeds)" -- generate --out gi --train-size 4 --val-size 4 --test-size 8
# benchmark and reproduce
case_ "benchmark: steps 0" -- benchmark --steps 0
case_ "benchmark: unknown method" -- benchmark --methods sgd
case_ "reproduce: negative budget" -- reproduce --budget -1
# divergence
case_ "learning rate 100 (finite blow-up), --stop-on-divergence" -- train --out lr100 --lr 100 --epochs 2 --stop-on-divergence "${TINY[@]}"

# a run folder is one run
copy run early; rm -rf early/checkpoints early/report.json early/metrics.csv
case_ "resume a run killed before its first checkpoint (succeeds, with its settings)" -- train --out early --resume
copy run early2; rm -rf early2/checkpoints early2/report.json early2/metrics.csv
case_ "a new run over another run's settings, no checkpoint yet" -- train --out early2 --lr 0.03 "${TINY[@]}"
crbp train --out other --epochs 2 "${TINY[@]}" > /dev/null 2>&1
copy run copied; rm -rf copied/checkpoints/epoch-002; cp -r other/checkpoints/epoch-002 copied/checkpoints/
case_ "a checkpoint copied in from another run" -- train --out copied --resume --epochs 3
crbp train --out lstm --model convlstm --epochs 2 "${TINY[@]}" > /dev/null 2>&1
copy run mixed; rm -rf mixed/checkpoints/epoch-002 mixed/run.json; cp -r lstm/checkpoints/epoch-002 mixed/checkpoints/
python3 - <<'PY'
import hashlib, json, re
p = 'mixed/checkpoints/epoch-002/state.json'
t = re.sub(r',\s*"runId": "[^"]*"', '', open(p).read())
open(p, 'w').write(t)
open('mixed/checkpoints/epoch-002/state.sha256', 'w').write(hashlib.sha256(t.encode()).hexdigest() + '  state.json\n')
PY
case_ "a convLSTM checkpoint (no run identity) in an hGRU run" -- train --out mixed --resume --epochs 3
copy run nosum; rm nosum/checkpoints/epoch-002/state.sha256
case_ "state.sha256 removed" -- evaluate --checkpoint nosum
java -jar "$JAR" train --out busy --epochs 50 --train-size 64 --batch 8 --val-size 8 --test-size 8 --no-pictures > /dev/null 2>&1 &
busy=$!
for _ in $(seq 1 100); do [ -s busy/.lock ] && break; sleep 0.2; done
case_ "a second trainer on a folder in use" -- train --out busy "${TINY[@]}"
kill "$busy" 2> /dev/null; wait "$busy" 2> /dev/null
case_ "--out empty" -- train --out "" "${TINY[@]}"
case_ "--out with a leading space" -- train --out " run" "${TINY[@]}"

# images that a user's own tools write
python3 - <<'PY'
import os, shutil, struct, zlib
def png(path, w, h, depth, ctype, rows):
    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
    raw = b''.join(b'\x00' + r for r in rows)
    data = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, depth, ctype, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
    open(path, 'wb').write(data)
def copy(a, b):
    shutil.rmtree(b, ignore_errors=True); shutil.copytree(a, b)
W = H = 64
copy('data', 'd16')   # 16-bit grey image: accepted, read as value / 65535
png('d16/train/images/000001.png', W, H, 16, 0, [struct.pack('>' + 'H' * W, *([65535] * W)) for _ in range(H)])
copy('data', 'drgb')  # a colour image
png('drgb/validation/images/000000.png', W, H, 8, 2, [bytes([200, 10, 10] * W) for _ in range(H)])
copy('data', 'dgrey') # a mask with grey levels
png('dgrey/test/masks/000002.png', W, H, 8, 0, [bytes(range(0, 256, 4)) for _ in range(H)])
copy('data', 'd01')   # a 0/1 label mask
png('d01/train/masks/000000.png', W, H, 8, 0, [bytes([0, 1] * (W // 2)) for _ in range(H)])
copy('data', 'dalpha') # grey with alpha, half transparent
png('dalpha/train/images/000002.png', W, H, 8, 4, [bytes([128, 128] * W) for _ in range(H)])
PY
case_ "a 16-bit grey image (accepted)" -- train --data d16 "${TINY[@]}" --epochs 1 --out p1
case_ "a colour (RGB) image" -- train --data drgb "${TINY[@]}" --out p2
case_ "a mask with grey levels" -- train --data dgrey "${TINY[@]}" --out p3
case_ "a 0/1 label mask" -- train --data d01 "${TINY[@]}" --out p4
case_ "a half-transparent image" -- train --data dalpha "${TINY[@]}" --out p5

# options that would be recorded without their effect
case_ "recurrent option on the ff model" -- train --model ff --steps 9
case_ "penalty option on a method without the penalty" -- train --method bptt --penalty-weight 100
case_ "truncation above the steps" -- train --method tbptt --steps 6 --truncation 9
case_ "--curriculum with --data" -- train --data data --curriculum 6 "${TINY[@]}" --out n1
case_ "--fresh-data with --data" -- train --data data --fresh-data "${TINY[@]}" --out n2
case_ "a batch that does not divide the training set" -- train --train-size 1000 --batch 16

# sizes that crashed the engine or ran for hours
case_ "kernel larger than the image" -- train --kernel 201
case_ "steps beyond reason" -- train --steps 100000
case_ "channels beyond reason" -- train --channels 100000
case_ "validation set beyond reason" -- train --val-size 50000000
case_ "more memory than the machine has (estimated up front)" -- train --channels 1024 --batch 1024 --train-size 1024
JOPTS=(-Xmx10m)
case_ "Java heap exhausted (-Xmx10m)" -- train "${TINY[@]}" --out small-heap
JOPTS=()
rm -rf "$W"
