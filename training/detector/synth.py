"""Simple synthetic plates pasted into training scenes.

A plate is a light rectangle (sometimes with a dark border) with a line of dark
Latin letters/digits drawn with OpenCV's Hershey fonts, optionally a coloured
strip on the left (as on Iranian/European plates), then slightly rotated /
sheared and blurred. It is no replacement for real data: it adds plate-like
patterns with Latin text and other aspect ratios (br-scenes' Brazilian plates
are never trained on).
"""
import math

import cv2
import numpy as np

CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
FONTS = [cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_PLAIN]


def render_plate(rng, w, h):
    bg = int(rng.uniform(150, 250))
    fg = int(rng.uniform(0, 90))
    p = np.full((h, w), bg, np.uint8)
    x0 = 0
    if rng.rand() < 0.35:                                  # coloured strip (dark in gray)
        sw = int(w * rng.uniform(0.06, 0.12))
        p[:, :sw] = int(rng.uniform(40, 120))
        x0 = sw
    n = rng.randint(5, 9)
    text = "".join(CHARS[rng.randint(len(CHARS))] for _ in range(n))
    if rng.rand() < 0.5:
        k = rng.randint(2, n - 1)
        text = text[:k] + rng.choice(["-", " ", "."]) + text[k:]
    font = FONTS[rng.randint(len(FONTS))]
    (tw, th), _ = cv2.getTextSize(text, font, 1.0, 1)
    scale = min((w - x0) * 0.85 / tw, h * 0.65 / th)
    thick = max(1, int(round(th * scale * rng.uniform(0.08, 0.16))))
    (tw, th), _ = cv2.getTextSize(text, font, scale, thick)
    org = (x0 + int((w - x0 - tw) / 2), int((h + th) / 2))
    cv2.putText(p, text, org, font, scale, fg, thick, cv2.LINE_AA)
    if rng.rand() < 0.6:
        cv2.rectangle(p, (0, 0), (w - 1, h - 1), fg, max(1, h // 25))
    return p


def paste_plates(img, boxes, rng, max_new=2):
    """Returns (image copy, boxes + new plate boxes). Pastes only where no plate is."""
    img = img.copy()
    H, W = img.shape
    out = [b for b in boxes]
    for _ in range(rng.randint(1, max_new + 1)):
        w = int(W * rng.uniform(0.08, 0.35))
        h = max(8, int(w / rng.uniform(2.0, 5.0)))
        if w >= W - 2 or h >= H - 2:
            continue
        plate = render_plate(rng, w, h)
        # small rotation / shear
        ang = rng.uniform(-8, 8)
        sh = rng.uniform(-0.15, 0.15)
        M = cv2.getRotationMatrix2D((w / 2, h / 2), ang, 1.0)
        M[0, 1] += sh
        corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], np.float32) @ M.T
        bx0, by0 = corners.min(0)
        bx1, by1 = corners.max(0)
        M[:, 2] -= [bx0, by0]
        bw, bh = int(math.ceil(bx1 - bx0)), int(math.ceil(by1 - by0))
        if bw >= W or bh >= H:
            continue
        warped = cv2.warpAffine(plate, M, (bw, bh), flags=cv2.INTER_LINEAR)
        mask = cv2.warpAffine(np.ones((h, w), np.float32), M, (bw, bh), flags=cv2.INTER_LINEAR)
        x = rng.randint(0, W - bw)
        y = rng.randint(0, H - bh)
        nb = np.array([x, y, bw, bh], np.float32)
        if any(_overlap(nb, b) for b in out):
            continue
        if rng.rand() < 0.3:
            warped = cv2.GaussianBlur(warped, (3, 3), 0)
        reg = img[y:y + bh, x:x + bw].astype(np.float32)
        light = rng.uniform(0.6, 1.1)
        img[y:y + bh, x:x + bw] = np.clip(mask * warped * light + (1 - mask) * reg, 0, 255).astype(np.uint8)
        out.append(nb)
    return img, np.array(out, np.float32).reshape(-1, 4)


def _overlap(a, b, margin=4):
    return not (a[0] + a[2] + margin < b[0] or b[0] + b[2] + margin < a[0] or
                a[1] + a[3] + margin < b[1] or b[1] + b[3] + margin < a[1])
