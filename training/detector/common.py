"""Shared paths, data reading and the letterbox of the detector contract."""
import csv
import os

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
DATA = os.path.abspath(os.environ.get("EDGEANPR_DATA", os.path.join(REPO, "..", "shared", "data")))
OUT = os.environ.get("DET_OUT", os.path.join(HERE, "out"))
SPLITS = os.path.join(HERE, "splits")

IN_W, IN_H = 640, 384          # model input (width, height)
MIN_BOX = 4                    # boxes narrower/shorter than this (px, stored image) are label noise


def read_boxes(set_name):
    """{file name: [[x, y, w, h], ...]} from DATA/set_name/boxes.tsv (file names without 'img/')."""
    out = {}
    with open(os.path.join(DATA, set_name, "boxes.tsv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            name = os.path.basename(r["file"])
            box = [float(r["x"]), float(r["y"]), float(r["w"]), float(r["h"])]
            lst = out.setdefault(name, [])
            if box[2] >= MIN_BOX and box[3] >= MIN_BOX:
                lst.append(box)
    return out


def image_path(set_name, name):
    return os.path.join(DATA, set_name, "img", name)


def read_split_list(name):
    with open(os.path.join(SPLITS, name), encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip()]


def load_split(which):
    """[(image path, boxes float32 [N,4] xywh in stored-image pixels)].

    train: ir-scenes training split + all of ru-scenes
    val  : ir-scenes held-out split
    br   : br-scenes (measurement only: never train or calibrate on it)
    """
    items = []
    if which == "train":
        parts = [("ir-scenes", read_split_list("ir-train.txt")), ("ru-scenes", read_split_list("ru-train.txt"))]
    elif which == "val":
        parts = [("ir-scenes", read_split_list("ir-val.txt"))]
    elif which == "br":
        b = read_boxes("br-scenes")
        parts = [("br-scenes", sorted(b))]
    else:
        raise ValueError(which)
    for set_name, names in parts:
        boxes = read_boxes(set_name)
        for n in names:
            items.append((image_path(set_name, n), np.array(boxes.get(n, []), np.float32).reshape(-1, 4)))
    return items


def read_gray(path):
    """8-bit gray with OpenCV's BGR2GRAY weights (the contract's gray)."""
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise IOError(path)
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def letterbox_size(w, h):
    """Scale and scaled size of a w x h frame in the 640x384 input."""
    s = min(IN_W / w, IN_H / h)
    return s, min(IN_W, int(round(w * s))), min(IN_H, int(round(h * s)))


def letterbox(gray):
    """The contract: scale by s = min(640/W, 384/H) with bilinear (cv2.INTER_LINEAR),
    place at the top-left of a 640x384 canvas filled with 0, divide by 255.
    Returns (float32 [384, 640], s). A box in input pixels maps back to the frame by /s."""
    h, w = gray.shape
    s, nw, nh = letterbox_size(w, h)
    canvas = np.zeros((IN_H, IN_W), np.uint8)
    canvas[:nh, :nw] = cv2.resize(gray, (nw, nh), interpolation=cv2.INTER_LINEAR)
    return canvas.astype(np.float32) / 255.0, s


def contract(out_h, out_w, score_threshold=0.3, nms_iou=0.45):
    from model import STRIDE
    return {
        "input": "image",
        "inputShape": [1, 1, IN_H, IN_W],
        "width": IN_W,
        "height": IN_H,
        "normalize": "gray/255",
        "gray": "8-bit, OpenCV COLOR_BGR2GRAY weights (0.299 R + 0.587 G + 0.114 B)",
        "letterbox": "top-left,pad 0",
        "letterboxScale": "s = min(640/W, 384/H); scaled size nw = round(W*s), nh = round(H*s) (at most 640x384); "
                          "bilinear as cv2.resize INTER_LINEAR: source x = (dx + 0.5) * W/nw - 0.5 (same for y), "
                          "edge-clamped, no antialiasing; the rest of the 640x384 canvas is 0",
        "outputs": {
            "heatmap": {"shape": [1, 1, out_h, out_w],
                        "meaning": "plate-centre score of each stride cell, sigmoid applied in-graph"},
            "box": {"shape": [1, 4, out_h, out_w],
                    "meaning": "distances left, top, right, bottom from the cell centre, input pixels"},
        },
        "stride": STRIDE,
        "cellCentre": "((col + 0.5) * stride, (row + 0.5) * stride) in input pixels",
        "peak": "3x3 max-pool: a cell is a peak when its score equals the max of its 3x3 neighbourhood",
        "scoreThreshold": score_threshold,
        "nmsIou": nms_iou,
        "maxDetections": 20,
        "boxEncoding": "ltrb-from-cell-centre-pixels",
        "toFrame": "divide input-pixel box coordinates by s, clip to the frame",
        "decoder": "training/detector/decode.py",
    }


def dump_json(obj, path):
    """JSON with short number lists kept on one line."""
    import json
    import re
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    text = re.sub(r"\[\s+([-0-9.,\s]+?)\s+\]", lambda m: "[" + ", ".join(m.group(1).split()).replace(",,", ",") + "]", text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")
