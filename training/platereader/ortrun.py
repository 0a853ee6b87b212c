"""Python side of tools/run_onnx.mjs: runs ONNX models in ONNX Runtime 1.30 (npm) via
a node subprocess, since no onnxruntime Python package exists on this machine."""
import json
import os
import subprocess
import tempfile

import numpy as np

TOOLS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools")
SCRIPT = os.path.join(TOOLS, "run_onnx.mjs")


def _node_env():
    env = dict(os.environ)
    env.setdefault("ORT_NODE_MODULES", os.path.join(os.path.dirname(TOOLS), "out", "ortnode", "node_modules"))
    return env


def run(model_path: str, batch: np.ndarray, threads: int = 1, chunk: int = 512) -> dict:
    """All graph outputs of `model_path` for a float32 NCHW batch, as {name: array}."""
    results = {}
    for start in range(0, len(batch), chunk):
        part = np.ascontiguousarray(batch[start:start + chunk], dtype=np.float32)
        with tempfile.TemporaryDirectory() as tmp:
            inp = os.path.join(tmp, "in.npy")
            np.save(inp, part)
            out = os.path.join(tmp, "out")
            subprocess.run(["node", SCRIPT, "infer", model_path, inp, out, str(threads)],
                           check=True, env=_node_env())
            for o in json.load(open(os.path.join(out, "outputs.json"))):
                arr = np.fromfile(os.path.join(out, o["file"]), dtype=np.float32).reshape(o["dims"])
                results.setdefault(o["name"], []).append(arr)
    return {k: np.concatenate(v) for k, v in results.items()}


def bench(model_path: str, height: int, width: int, runs: int = 2000, threads: int = 1,
          spin: bool = False) -> dict:
    """Single-image latency in ORT: {median_ms, p10_ms, p90_ms, ...}."""
    out = subprocess.run(["node", SCRIPT, "bench", model_path, str(height), str(width), str(runs),
                          str(threads), "1" if spin else "0"],
                         check=True, env=_node_env(), capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def optimized_ops(model_path: str) -> dict:
    """Op-type histogram of the graph after ORT's optimisations (to prove int8 kernels)."""
    import onnx
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "opt.onnx")
        subprocess.run(["node", SCRIPT, "optimized", model_path, out], check=True, env=_node_env())
        m = onnx.load(out)
    hist = {}
    for n in m.graph.node:
        hist[n.op_type] = hist.get(n.op_type, 0) + 1
    return hist
