"""Reference decoder for models/plate-detector.onnx (the C# port mirrors this).

Only numpy, written as plain loops where that makes the rules explicit.

    heatmap: [1,1,H,W] sigmoid scores;  box: [1,4,H,W] l,t,r,b distances in input pixels
    1. peaks: cells whose score >= scoreThreshold and equals the maximum of its
       3x3 neighbourhood (max-pool 3x3, stride 1, padding 1; cells outside the
       map do not count);
    2. each peak (row, col) gives the box, in input pixels,
         cx = (col + 0.5) * stride, cy = (row + 0.5) * stride
         x1 = cx - l, y1 = cy - t, x2 = cx + r, y2 = cy + b
    3. sort by score (descending; ties by row-major cell index, ascending) and
       keep at most maxCandidates (100); greedy NMS: drop a box whose IoU with an
       already kept box is > nmsIou; stop at maxDetections;
    4. back to the frame: divide by the letterbox scale s and clip to [0,W]x[0,H].
"""
import numpy as np

MAX_CANDIDATES = 100


def maxpool3x3(a):
    """3x3 max-pool, stride 1, same size; border cells see only cells inside the map."""
    h, w = a.shape
    p = np.full((h + 2, w + 2), -np.inf, np.float32)
    p[1:-1, 1:-1] = a
    out = np.full((h, w), -np.inf, np.float32)
    for dy in range(3):
        for dx in range(3):
            out = np.maximum(out, p[dy:dy + h, dx:dx + w])
    return out


def iou(a, b):
    """IoU of two boxes (x1, y1, x2, y2)."""
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def decode(heatmap, box, stride=4, score_threshold=0.3, nms_iou=0.45, max_detections=20):
    """Returns a list of (x1, y1, x2, y2, score) in model-input pixels, best first."""
    hm = np.asarray(heatmap, np.float32).reshape(heatmap.shape[-2:])
    bx = np.asarray(box, np.float32).reshape((4,) + hm.shape)
    peaks = (hm >= score_threshold) & (hm == maxpool3x3(hm))
    rows, cols = np.nonzero(peaks)                  # row-major order
    scores = hm[rows, cols]
    order = np.argsort(-scores, kind="stable")[:MAX_CANDIDATES]
    kept = []
    for i in order:
        r, c = rows[i], cols[i]
        cx, cy = (c + 0.5) * stride, (r + 0.5) * stride
        l, t, rr, b = bx[:, r, c]
        cand = (cx - l, cy - t, cx + rr, cy + b, float(scores[i]))
        if all(iou(cand, k) <= nms_iou for k in kept):
            kept.append(cand)
            if len(kept) >= max_detections:
                break
    return [tuple(float(v) for v in k) for k in kept]


def to_frame(dets, scale, frame_w, frame_h):
    """Maps input-pixel detections back to the original frame (letterbox is top-left)."""
    out = []
    for x1, y1, x2, y2, s in dets:
        out.append((min(max(x1 / scale, 0.0), frame_w), min(max(y1 / scale, 0.0), frame_h),
                    min(max(x2 / scale, 0.0), frame_w), min(max(y2 / scale, 0.0), frame_h), s))
    return out


def decode_with_contract(outputs, contract, scale, frame_w, frame_h):
    """outputs: {'heatmap': ..., 'box': ...}; contract: the parsed models/plate-detector.json."""
    dets = decode(outputs["heatmap"], outputs["box"], contract["stride"], contract["scoreThreshold"],
                  contract["nmsIou"], contract.get("maxDetections", 20))
    return to_frame(dets, scale, frame_w, frame_h)
