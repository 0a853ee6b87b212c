"""Real-glyph recombination for the Iranian reader: new training plates cut from real ones.

With about a thousand real training crops the reader learns whole plates by heart (100%
on its training split, 87% held out) and, for the letter, leans on what else is on the
plate instead of the letter's shape: held out, a third of its misses were س/ص and ه/ی.
Splicing takes the left part of one real training crop and the right part of another at
a boundary between two character slots (or a middle part, e.g. only the letter, from a
second crop), so every real letter and digit is seen beside many neighbours, in the
plate's own typeface, which no installed font draws.

The cut positions come from the crop's dark connected components, checked with a reader
trained on the training split only (`main.py align`), and are kept in
`training/splits/ir-plates-cuts.tsv`: one row per training crop, the seven cuts between
its eight characters as fractions of the crop width.  Validation crops are never aligned.
"""
import os
import random

import cv2
import numpy as np
import torch

from .charsets import greedy_decode
from .preprocess import gray_to_input
from .realdata import SPLITS_DIR, load_gray

SLOTS = 8    # 2 digits, letter, 3 digits, 2-digit region code


def segment(gray: np.ndarray, n: int = SLOTS):
    """Cut positions (fractions of the width) between the n characters of a rectified
    crop, from its dark connected components, or None unless exactly n character-sized
    groups are found (dots and marks above or below a glyph join it; frame lines, the
    blue strip and the small "ایران" are left out by size and position)."""
    H, W = gray.shape
    blur = cv2.GaussianBlur(gray, (3, 3), 0)
    _, ink = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    spans = []
    for x, y, w, h, area in stats[1:count]:
        cy = y + h / 2
        if h < 0.12 * H or h > 0.85 * H or w > 0.16 * W or area < 0.004 * H * W:
            continue
        if cy < 0.2 * H or cy > 0.85 * H or (h > 0.7 * H and w < 0.03 * W):
            continue
        spans.append([x, x + w])
    groups = []
    for x0, x1 in sorted(spans):
        if groups and x0 < groups[-1][1] - 0.3 * (x1 - x0):
            groups[-1][1] = max(groups[-1][1], x1)
        else:
            groups.append([x0, x1])
    if len(groups) != n:
        return None
    return [round((a[1] + b[0]) / 2 / W, 4) for a, b in zip(groups, groups[1:])]


def align(model, cfg, rows, trials=6, seed=1) -> dict:
    """file -> seven cut fractions for the training crops whose cuts can be trusted.

    A crop's cuts come from `segment`; they are kept when `model` (a reader trained on
    the training split only) reads at least 3 in 4 of the plates spliced from that crop
    and random partners as their spliced text: a cut through a glyph makes the spliced
    plate unreadable."""
    items = []
    for r in rows:
        if len(r.text) != SLOTS:
            continue
        gray = load_gray(r)
        cuts = segment(gray)
        if cuts:
            items.append((gray, r.text, cuts, r.file))
    state = random.getstate()      # splice() draws from the module's generator: seed it, then put it back
    random.seed(seed)
    tally = {it[3]: [0, 0] for it in items}
    model.eval()
    for _ in range(trials):
        pairs = [(a, random.choice(items)) for a in items]
        for i in range(0, len(pairs), 128):
            chunk = pairs[i:i + 128]
            made = [splice(a[:3], b[:3]) for a, b in chunk]
            x = np.stack([gray_to_input(g, cfg["width"], cfg["height"]) for g, _ in made])
            with torch.no_grad():
                best = model(torch.from_numpy(x)).argmax(2).numpy()
            for (a, b), (_, text), path in zip(chunk, made, best):
                ok = greedy_decode(path, cfg["charset"]) == text
                for f in (a[3], b[3]):
                    tally[f][0] += ok
                    tally[f][1] += 1
    random.setstate(state)
    return {it[3]: it[2] for it in items if tally[it[3]][0] >= 0.75 * tally[it[3]][1]}


def write_cuts(path: str, cuts: dict):
    with open(path, "w", encoding="utf-8") as f:
        f.write("file\tcuts\n")
        for k in sorted(cuts):
            f.write(k + "\t" + " ".join(f"{c:.4f}" for c in cuts[k]) + "\n")


def cuts_path(set_name: str) -> str:
    """training/splits/<set>-cuts.tsv."""
    return os.path.join(SPLITS_DIR, f"{set_name}-cuts.tsv")


def read_cuts(set_name: str) -> dict:
    """file -> cut fractions of a set's aligned training crops; empty when it has none."""
    path = cuts_path(set_name)
    if not os.path.exists(path):
        return {}
    out = {}
    with open(path, encoding="utf-8") as f:
        f.readline()
        for line in f:
            name, values = line.rstrip("\n").split("\t")
            out[name] = [float(v) for v in values.split()]
    return out


def _match(part: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Part's gray levels moved to the reference crop's mean and contrast."""
    p = part.astype(np.float32)
    sp, sr = p.std() + 1e-3, ref.std() + 1e-3
    out = (p - p.mean()) * (sr / sp) + ref.mean()
    return np.clip(out, 0, 255).astype(np.uint8)


def splice(a, b):
    """A new crop and text from two aligned real crops `a`, `b` = (gray, text, cuts):
    one seam (left of a, right of b) or two (b's middle slots inside a)."""
    (ga, ta, ca), (gb, tb, cb) = a, b
    if gb.shape[0] != ga.shape[0]:
        gb = cv2.resize(gb, (max(1, int(gb.shape[1] * ga.shape[0] / gb.shape[0])), ga.shape[0]))
    wa, wb = ga.shape[1], gb.shape[1]
    if random.random() < 0.5:
        k = random.randint(1, SLOTS - 1)                  # seam after slot k-1
        xa, xb = int(ca[k - 1] * wa), int(cb[k - 1] * wb)
        right = _match(gb[:, xb:], ga)
        return np.hstack([ga[:, :xa], right]), ta[:k] + tb[k:]
    i = random.randint(1, SLOTS - 2)
    j = random.randint(i + 1, min(SLOTS - 1, i + 3))    # b's slots i..j-1 replace a's
    if random.random() < 0.5:
        i, j = 2, 3                                        # the letter alone: the case that matters most
    a0, a1 = int(ca[i - 1] * wa), int(ca[j - 1] * wa)
    b0, b1 = int(cb[i - 1] * wb), int(cb[j - 1] * wb)
    mid = _match(gb[:, b0:b1], ga[:, a0:a1])
    return np.hstack([ga[:, :a0], mid, ga[:, a1:]]), ta[:i] + tb[i:j] + ta[j:]
