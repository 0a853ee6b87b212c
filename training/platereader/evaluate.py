"""Accuracy of a reader on the held-out validation rows, for the float model (PyTorch
and float ONNX in ONNX Runtime) and the int8 model (ONNX Runtime), plus ORT latency.

Every crop is preprocessed exactly as the product does (platereader.preprocess) from
the stored image file, and decoded greedily.
"""
import numpy as np
import torch

from . import ortrun, realdata
from .charsets import greedy_decode
from .preprocess import load_input


def load_split(data_root, set_name, part, cfg):
    train, val = realdata.split_rows(realdata.load_rows(data_root, set_name))
    rows = val if part == "val" else realdata.with_fixes(train, set_name)
    x = np.stack([load_input(r.path, cfg["width"], cfg["height"]) for r in rows]) if rows else \
        np.zeros((0, 1, cfg["height"], cfg["width"]), np.float32)
    return rows, x


def decode_all(logits, charset):
    return [greedy_decode(p, charset) for p in logits.argmax(2)]


def score(rows, preds):
    """Exact-plate rate, character error rate (edit distance / truth length) and errors."""
    ok = sum(p == r.text for p, r in zip(preds, rows))
    dist = sum(_edit(p, r.text) for p, r in zip(preds, rows))
    chars = sum(len(r.text) for r in rows)
    errors = [(r.file, r.text, p) for p, r in zip(preds, rows) if p != r.text]
    return {"n": len(rows), "exact": ok, "exact_rate": ok / max(1, len(rows)),
            "cer": dist / max(1, chars), "errors": errors}


def _edit(a, b):
    d = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, cb in enumerate(b, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (ca != cb))
    return d[len(b)]


def torch_logits(model, x):
    model.eval()
    with torch.no_grad():
        return np.concatenate([model(torch.from_numpy(x[i:i + 256])).numpy() for i in range(0, len(x), 256)]) \
            if len(x) else np.zeros((0, model.time_steps, 1), np.float32)


def evaluate(cfg, model, float_onnx, int8_onnx, data_root, parts=("val",)):
    """{set: {part: {torch, float_onnx, int8: score}}}"""
    results = {}
    for set_name in cfg["eval_sets"]:
        for part in parts:
            rows, x = load_split(data_root, set_name, part, cfg)
            if not rows:
                continue
            preds = {"torch": decode_all(torch_logits(model, x), cfg["charset"]),
                     "float_onnx": decode_all(ortrun.run(float_onnx, x)["logits"], cfg["charset"]),
                     "int8": decode_all(ortrun.run(int8_onnx, x)["logits"], cfg["charset"])}
            results.setdefault(set_name, {})[part] = {k: score(rows, p) for k, p in preds.items()}
            audit = realdata.read_audit(set_name) if part == "val" else {}
            if audit:
                audited = realdata.with_audit(rows, audit)
                results[set_name]["val_audited"] = {k: score(audited, p) for k, p in preds.items()}
    return results


def calibration_batch(cfg, data_root, limit=400, seed=0):
    """Real crops from the TRAINING split only, preprocessed as the product does,
    spread over the reader's real sets in proportion to their sizes."""
    rows = []
    for name in cfg["train_sets"]:
        train, _ = realdata.split_rows(realdata.load_rows(data_root, name))
        rows += train
    rng = np.random.RandomState(seed)
    pick = rng.choice(len(rows), size=min(limit, len(rows)), replace=False)
    chosen = [rows[i] for i in sorted(pick)]
    return chosen, np.stack([load_input(r.path, cfg["width"], cfg["height"]) for r in chosen])
