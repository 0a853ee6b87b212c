#!/bin/sh
# Plate detector: split -> train -> export int8 ONNX -> evaluate, end to end.
#
#   training/detector/train.sh            (from anywhere; ~2-2.5 h on one core)
#
# Two stages (the committed model was made exactly so):
#   1. from scratch, cosine LR 3e-3 over 5000 iterations, stopped after 4000
#      (the stopped run's checkpoint is the starting point; --stop keeps the schedule);
#   2. fine-tune from it for 3500 iterations (LR 1.5e-3, 100 warm-up) with
#      plate-size sampling (--size-mix 0.5: far plates and close-ups) and
#      rotations up to 8 degrees.
#
# Environment:
#   EDGEANPR_DATA  data folder (default: <repo>/../shared/data)
#   DET_OUT        intermediates (default: training/detector/out)
#   DET_ITERS      stage-2 iterations (default 3500, batches of 16)
#   DET_THREADS    torch threads (default 1: the machine is shared)
#   ORTNODE_DIR    where onnxruntime-node@1.30.0 is npm-installed (default $DET_OUT/ortnode)
#
# Needs: /usr/bin/python3 with Debian python3-torch python3-onnx python3-opencv
# python3-numpy, libopenblas0-pthread; node + npm (for ONNX Runtime 1.30).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
NICE="nice -n 10"
export DET_OUT="${DET_OUT:-$HERE/out}"
export DET_THREADS="${DET_THREADS:-1}"
export OMP_NUM_THREADS="$DET_THREADS"
mkdir -p "$DET_OUT"
cd "$HERE"

$PY split.py                                   # keeps the committed splits/ lists
$NICE $PY train.py --iters 5000 --stop 4000 --out "$DET_OUT/model-stage1.pt" 2>&1 | tee "$DET_OUT/train-stage1.log"
$NICE $PY train.py --init "$DET_OUT/model-stage1.pt" --iters "${DET_ITERS:-3500}" --lr 1.5e-3 --warmup 100 \
    --size-mix 0.5 --rot 8 --out "$DET_OUT/model.pt" 2>&1 | tee "$DET_OUT/train.log"
$NICE $PY export.py --ckpt "$DET_OUT/model.pt" --out "$REPO/models/plate-detector.onnx" \
    --float-out "$DET_OUT/plate-detector-float.onnx"
$NICE $PY evaluate.py --int8 "$REPO/models/plate-detector.onnx" --float "$DET_OUT/plate-detector-float.onnx" \
    --out "$DET_OUT/eval.json" 2>&1 | tee "$DET_OUT/eval.log"
