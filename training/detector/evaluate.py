"""Measure the detector: recall / precision at IoU 0.5, float vs int8, and latency.

    python3 evaluate.py [--int8 ../../models/plate-detector.onnx] [--float out/plate-detector-float.onnx]
                        [--out out/eval.json] [--no-latency]
    python3 evaluate.py --markdown out/eval.json     (the model card's accuracy table)

Sets: `val` = held-out ir-scenes split; `br` = br-scenes (never trained on; only
its one labelled plate per image is scored, other detections are reported as
"other detections per image", not as errors). Frames are letterboxed exactly as
in the contract, run through ONNX Runtime 1.30 (onnxruntime-node, CPU, one
intra-op thread) and decoded with decode.py. Writes out/eval.json.
"""
import argparse
import json
import os
import time

import cv2
import numpy as np
import torch

import common
import decode

IOU = 0.5


def match(dets, gts):
    """Greedy by score: each detection takes the best unmatched GT with IoU >= 0.5.
    dets: [(x1,y1,x2,y2,s)], gts: [N,4] xywh. Returns (matched GT flags, matched det flags)."""
    g = [(x, y, x + w, y + h) for x, y, w, h in gts]
    used = [False] * len(g)
    tp = []
    for d in dets:
        best, bi = IOU, -1
        for j, gb in enumerate(g):
            if not used[j]:
                v = decode.iou(d, gb)
                if v >= best:
                    best, bi = v, j
        if bi >= 0:
            used[bi] = True
        tp.append(bi >= 0)
    return used, tp


BUCKETS = (0, 32, 64, 128, 10000)   # plate width in model-input pixels


def score(results, which):
    """results: [(dets in frame pixels, gt boxes, letterbox scale)] -> metrics dict."""
    n_gt = sum(len(r[1]) for r in results)
    n_det = sum(len(r[0]) for r in results)
    n_tp = 0
    missed = []
    by_size = [[0, 0] for _ in BUCKETS[:-1]]
    for k, (d, g, s) in enumerate(r[:3] for r in results):
        used, tp = match(d, g)
        n_tp += sum(used)
        if sum(used) < len(g):
            missed.append(k)
        for hit, gb in zip(used, g):
            b = max(i for i in range(len(BUCKETS) - 1) if gb[2] * s >= BUCKETS[i])
            by_size[b][0] += hit
            by_size[b][1] += 1
    r = {"images": len(results), "plates": n_gt, "detections": n_det, "recall": n_tp / max(n_gt, 1)}
    r["recall_by_input_width"] = {f"{BUCKETS[i]}-{BUCKETS[i + 1]}px": f"{h}/{n}" for i, (h, n) in enumerate(by_size)}
    if which == "br":   # other plates are visible but unlabelled: not errors
        r["other_detections_per_image"] = (n_det - n_tp) / max(len(results), 1)
    else:
        r["precision"] = n_tp / max(n_det, 1)
        r["fp_per_image"] = (n_det - n_tp) / max(len(results), 1)
    r["missed_images"] = missed
    if results and len(results[0]) > 3:
        r["missed_files"] = [os.path.basename(results[k][3]) for k in missed]
    return r


def frames(which, limit=None):
    items = common.load_split(which)
    if limit:
        items = items[:limit]
    for path, gts in items:
        gray = common.read_gray(path)
        x, s = common.letterbox(gray)
        yield path, gray.shape, x, s, gts


def run_set(infer, which, thr, nms, limit=None):
    res = []
    for path, (h, w), x, s, gts in frames(which, limit):
        out = infer(x)
        dets = decode.to_frame(decode.decode(out["heatmap"], out["box"], 4, thr, nms), s, w, h)
        res.append((dets, gts, s, path))
    return res


@torch.no_grad()
def eval_torch(net, which, limit=None, thr=0.3, nms=0.45):
    from model import ExportWrapper
    was = net.training
    wrap = ExportWrapper(net).eval()

    def infer(x):
        hm, box = wrap(torch.from_numpy(x)[None, None])
        return {"heatmap": hm.numpy(), "box": box.numpy()}

    r = score(run_set(infer, which, thr, nms, limit), which)
    r.setdefault("precision", float("nan"))
    r.setdefault("fp_per_image", float("nan"))
    net.train(was)
    return r


def eval_onnx(path, which, thr, nms):
    from ort import OrtSession
    with OrtSession(path, threads=1) as sess:
        return score(run_set(lambda x: sess.run({"image": x[None, None]}), which, thr, nms), which)


def threshold_sweep(path, which, nms, thrs):
    """Recall/precision for several score thresholds from one pass (low threshold, then filter)."""
    from ort import OrtSession
    with OrtSession(path, threads=1) as sess:
        res = run_set(lambda x: sess.run({"image": x[None, None]}), which, min(thrs), nms)
    out = {}
    for t in thrs:
        sub = [([d for d in dets if d[4] >= t], g, s) for dets, g, s, _ in res]
        r = score(sub, which)
        r.pop("missed_images")
        out[str(t)] = r
    return out


def latency(path, n=200):
    """Median ms of one 1280x720 frame: letterbox (cv2, here) + session.run (ORT, 1 thread) + decode."""
    from ort import OrtSession
    rng = np.random.RandomState(0)
    frame = cv2.GaussianBlur(rng.randint(0, 256, (720, 1280)).astype(np.uint8), (5, 5), 0)
    t = []
    for _ in range(50):
        t0 = time.perf_counter()
        x, s = common.letterbox(frame)
        t.append((time.perf_counter() - t0) * 1e3)
    with OrtSession(path, threads=1) as sess:
        run = sess.bench({"image": x[None, None]}, n=n, warmup=20)
        out = sess.run({"image": x[None, None]})
    td = []
    for _ in range(20):
        t0 = time.perf_counter()
        decode.decode(out["heatmap"], out["box"], 4, 0.3, 0.45)
        td.append((time.perf_counter() - t0) * 1e3)
    return {"frame": "1280x720 gray", "letterbox_ms_median_python_cv2": float(np.median(t)),
            "run_ms_median": float(np.median(run)), "run_ms_p90": float(np.percentile(run, 90)),
            "run_ms_min": float(np.min(run)), "runs": n, "decode_ms_median_python": float(np.median(td)),
            "total_ms_median": float(np.median(t) + np.median(run) + np.median(td))}


def markdown(report):
    """The accuracy table of models/plate-detector.md from an eval.json report."""
    lines = ["| model | set | images | plates | found | recall | detections | precision | FP/image |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name in ("float", "int8"):
        for which, label in (("val", "ir-scenes held-out"), ("br", "br-scenes")):
            r = report.get(f"{name}/{which}")
            if r is None:
                continue
            found = round(r["recall"] * r["plates"])
            if which == "br":   # one labelled plate per image: unlabelled plates are not errors
                prec, fp = "n/a", f"{r['other_detections_per_image']:.3f} (other)"
            else:
                prec, fp = f"{r['precision']:.3f}", f"{r['fp_per_image']:.3f}"
            lines.append(f"| {name} | {label} | {r['images']} | {r['plates']} | {found} | "
                         f"{100 * r['recall']:.2f}% | {r['detections']} | {prec} | {fp} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--int8", default=os.path.join(common.REPO, "models", "plate-detector.onnx"))
    ap.add_argument("--float", dest="float_", default=os.path.join(common.OUT, "plate-detector-float.onnx"))
    ap.add_argument("--out", default=os.path.join(common.OUT, "eval.json"))
    ap.add_argument("--no-latency", action="store_true")
    ap.add_argument("--markdown", metavar="EVAL_JSON", help="only print the accuracy table of a written report")
    a = ap.parse_args()
    if a.markdown:
        print(markdown(json.load(open(a.markdown))))
        return
    contract = json.load(open(os.path.splitext(a.int8)[0] + ".json"))
    thr, nms = contract["scoreThreshold"], contract["nmsIou"]
    report = {"scoreThreshold": thr, "nmsIou": nms, "iou": IOU}
    for name, path in (("float", a.float_), ("int8", a.int8)):
        for which in ("val", "br"):
            r = eval_onnx(path, which, thr, nms)
            report[f"{name}/{which}"] = r
            extra = (f"precision {r['precision']:.4f} fp/img {r['fp_per_image']:.3f}" if which != "br"
                     else f"other det/img {r['other_detections_per_image']:.3f}")
            print(f"{name:5s} {which:3s}: {r['images']} images, {r['plates']} plates, recall {r['recall']:.4f} "
                  f"{extra}", flush=True)
    report["int8/val sweep"] = threshold_sweep(a.int8, "val", nms, [0.1, 0.2, 0.3, 0.4, 0.5])
    for t, r in report["int8/val sweep"].items():
        print(f"  int8 val thr {t}: recall {r['recall']:.4f} precision {r['precision']:.4f} "
              f"fp/img {r['fp_per_image']:.3f}")
    if not a.no_latency:
        for name, path in (("float", a.float_), ("int8", a.int8)):
            report[f"latency/{name}"] = latency(path)
            print(name, "latency", json.dumps(report[f"latency/{name}"]))
    report["size_bytes"] = os.path.getsize(a.int8)
    with open(a.out, "w") as f:
        json.dump(report, f, indent=1)
    print(markdown(report))
    print("wrote", a.out)


if __name__ == "__main__":
    main()
