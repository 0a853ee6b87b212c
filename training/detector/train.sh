#!/bin/sh
# Plate detector: split -> train -> export int8 ONNX -> evaluate, end to end.
#
#   training/detector/train.sh            (from anywhere; ~60-90 min on one core)
#
# Environment:
#   EDGEANPR_DATA  data folder (default: <repo>/../shared/data)
#   DET_OUT        intermediates (default: training/detector/out)
#   DET_ITERS      training iterations (default 6000, batches of 16)
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
$NICE $PY train.py --iters "${DET_ITERS:-6000}" --out "$DET_OUT/model.pt" 2>&1 | tee "$DET_OUT/train.log"
$NICE $PY export.py --ckpt "$DET_OUT/model.pt" --out "$REPO/models/plate-detector.onnx" \
    --float-out "$DET_OUT/plate-detector-float.onnx"
$NICE $PY evaluate.py --int8 "$REPO/models/plate-detector.onnx" --float "$DET_OUT/plate-detector-float.onnx" \
    --out "$DET_OUT/eval.json" 2>&1 | tee "$DET_OUT/eval.log"
