#!/bin/sh
# Trains, quantises and evaluates both plate readers and writes models/plate-reader-*.
# Called by `./build.sh --target=Train`.  Runs from a clean clone given the data at
# ../shared/data relative to the repository root (override: EDGEANPR_DATA=/path).
#
#   training/train_all.sh            # both readers (about 80 + 50 min of one CPU core at most; the budgets are wall-clock)
#   training/train_all.sh ir         # only one
#
# Needs: /usr/bin/python3 with python3-torch python3-onnx python3-opencv python3-numpy
# python3-pil, libopenblas0-pthread, fonts-farsiweb fonts-noto-core fonts-dejavu-core,
# node + npm (ONNX Runtime for evaluation comes from npm onnxruntime-node@1.30.0).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
readers=${*:-ir latin}
data=${EDGEANPR_DATA:-$repo/../shared/data}
[ -d "$data/ir-plates" ] || { echo "plate data not found at $data (set EDGEANPR_DATA)" >&2; exit 1; }

# ONNX Runtime for Python-side evaluation (no onnxruntime Python package exists here).
ort="$here/out/ortnode"
if [ -z "${ORT_NODE_MODULES:-}" ] && [ ! -f "$ort/node_modules/onnxruntime-node/package.json" ]; then
    mkdir -p "$ort"
    (cd "$ort" && npm install --no-save --no-audit --no-fund --ignore-scripts onnxruntime-node@1.30.0 >/dev/null)
fi
export ORT_NODE_MODULES=${ORT_NODE_MODULES:-$ort/node_modules}

# One thread, low priority: the machine is shared with the C# builds.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
for r in $readers; do
    nice -n 15 /usr/bin/python3 "$here/main.py" all --reader "$r" --data "$data"
done
