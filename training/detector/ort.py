"""Run ONNX models with ONNX Runtime 1.30 (the product's runtime) from Python.

There is no onnxruntime Python package here, so this talks to a small Node.js
worker (tools/ort_worker.js) that uses the npm package onnxruntime-node@1.30.0.
The npm package is installed under $ORTNODE_DIR (default training/detector/out/ortnode)
by `ensure_ortnode()`.
"""
import json
import os
import struct
import subprocess

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ORT_VERSION = "1.30.0"


def ortnode_dir():
    return os.environ.get("ORTNODE_DIR", os.path.join(HERE, "out", "ortnode"))


def ensure_ortnode():
    d = ortnode_dir()
    if not os.path.isdir(os.path.join(d, "node_modules", "onnxruntime-node")):
        os.makedirs(d, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--ignore-scripts",
                        "--prefix", d, f"onnxruntime-node@{ORT_VERSION}"], check=True)
    return d


class OrtSession:
    def __init__(self, model_path, threads=1):
        env = dict(os.environ, ORTNODE_DIR=ensure_ortnode())
        self.p = subprocess.Popen(["node", os.path.join(HERE, "tools", "ort_worker.js"), model_path,
                                   "--threads", str(threads)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        hello, _ = self._recv()
        if "error" in hello:
            raise RuntimeError(hello["error"])
        self.input_names = hello["inputNames"]
        self.output_names = hello["outputNames"]

    def _read(self, n):
        b = self.p.stdout.read(n)
        if len(b) != n:
            raise RuntimeError("ORT worker died")
        return b

    def _recv(self):
        (hl,) = struct.unpack("<I", self._read(4))
        h = json.loads(self._read(hl))
        outs = {}
        for o in h.get("outputs", []):
            n = int(np.prod(o["dims"]))
            outs[o["name"]] = np.frombuffer(self._read(4 * n), np.float32).reshape(o["dims"])
        return h, outs

    def _send(self, header, arrays):
        h = json.dumps(header).encode()
        self.p.stdin.write(struct.pack("<I", len(h)) + h)
        for a in arrays:
            self.p.stdin.write(np.ascontiguousarray(a, np.float32).tobytes())
        self.p.stdin.flush()

    def run(self, feeds, outputs=None):
        """feeds: {name: float32 array}; returns {name: array}."""
        names = list(feeds)
        self._send({"cmd": "run", "inputs": [{"name": k, "dims": list(feeds[k].shape)} for k in names],
                    "outputs": outputs}, [feeds[k] for k in names])
        h, outs = self._recv()
        if "error" in h:
            raise RuntimeError(h["error"])
        return outs

    def bench(self, feeds, n=100, warmup=10):
        """Times session.run() n times in the worker; returns a list of milliseconds."""
        names = list(feeds)
        self._send({"cmd": "bench", "n": n, "warmup": warmup,
                    "inputs": [{"name": k, "dims": list(feeds[k].shape)} for k in names]},
                   [feeds[k] for k in names])
        h, _ = self._recv()
        if "error" in h:
            raise RuntimeError(h["error"])
        return h["times_ms"]

    def close(self):
        if self.p.poll() is None:
            try:
                self._send({"cmd": "quit", "inputs": []}, [])
            except Exception:
                pass
            self.p.wait(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()
