"""Augmentations that turn a clean or tight crop into what the detector hands the reader.

Order matters and mimics the camera: geometry first (perspective, rotation, loose or
tight crop around the plate, as a detector box would be), then the crop is brought to a
random "camera" resolution, photometric damage is applied at that resolution (blur,
noise, JPEG, night/IR looks, glare), and only then is the crop stretched to the model
size with the contract's cv2.resize INTER_LINEAR, exactly as the product does.
"""
import random

import cv2
import numpy as np


def _background(h, w):
    """A random, car-like surround: smooth gray gradient plus texture (made at quarter
    resolution and scaled up, because it is the slowest part of augmenting)."""
    sh, sw = max(2, h // 4), max(2, w // 4)
    base = random.uniform(20, 200)
    gx = np.linspace(random.uniform(-40, 40), random.uniform(-40, 40), sw, dtype=np.float32)[None, :]
    gy = np.linspace(random.uniform(-40, 40), random.uniform(-40, 40), sh, dtype=np.float32)[:, None]
    noise = cv2.GaussianBlur(np.random.randn(sh, sw).astype(np.float32) * 30, (0, 0), random.uniform(0.3, 1.5))
    bg = cv2.resize(base + gx + gy + noise, (w, h), interpolation=cv2.INTER_LINEAR)
    if random.random() < 0.5:   # a bumper edge or a frame line
        y = random.randint(0, h - 1)
        bg[y:y + random.randint(1, max(2, h // 10))] = random.uniform(0, 255)
    return np.clip(bg, 0, 255).astype(np.uint8)


def geometric(gray: np.ndarray, synthetic: bool, out_h: int, jitter: float = 1.0, left_cut: float = 0.0,
              left_pad: float = 0.0, edge_cut: float = 0.0, loose_p: float = 0.0):
    """Perspective + loose/tight crop of a tight plate image; returns a crop out_h px tall.

    `synthetic` plates get a random surround; real crops (already cut from a photo) are
    extended with replicated edges, and crop less loosely, since their true surround is
    unknown.

    `left_cut` (synthetic plates only): with probability 1/2 the box's left edge moves
    inward by up to this fraction of the plate width, like the many real crops that cut
    off part or all of the Iranian blue strip, so the first character sits at the very
    edge of the crop.  `left_pad` (real crops only): with probability 0.3 the left edge
    moves outward by up to this fraction (replicated edge pixels), so the first
    characters are not always in the same output columns.  `edge_cut` (real crops only):
    each side, with probability 0.2, moves inward by up to this fraction of the width,
    like the detector boxes that cut through the first or last digit.

    `loose_p` (synthetic plates only): with this probability the box is a loose one, the
    plate filling only 45-90% of its width and 35-80% of its height, like a crop with a
    margin around the plate (the br-plates crops, a generous detector box or a hand-cut
    crop), so such a crop reads as well as a tight one.
    """
    h0, w0 = gray.shape
    m = int(0.35 * h0) + 2
    loosen = synthetic and loose_p > 0 and random.random() < loose_p
    if synthetic:
        if loosen:
            m = int(0.8 * w0) + 2
        big = _background(h0 + 2 * m, w0 + 2 * m)
        big[m:m + h0, m:m + w0] = gray
    else:
        # Reflecting would mirror a glyph into a wide margin, so wide left margins replicate.
        wide = left_pad > 0 and random.random() < 0.3
        border = cv2.BORDER_REPLICATE if wide else random.choice([cv2.BORDER_REPLICATE, cv2.BORDER_REFLECT])
        if wide:
            m = max(m, int(left_pad * w0) + 2)
        big = cv2.copyMakeBorder(gray, m, m, m, m, border)
    src = np.float32([[m, m], [m + w0, m], [m + w0, m + h0], [m, m + h0]])
    # Perspective: independent corner moves, a small rotation and a horizontal shear.
    s = jitter * h0
    dst = src + np.random.randn(4, 2).astype(np.float32) * np.float32([0.04 * s, 0.04 * s])
    ang = np.deg2rad(random.gauss(0, 3.0 * jitter))
    shear = random.gauss(0, 0.08 * jitter) * h0
    c = dst.mean(0)
    R = np.float32([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
    dst = (dst - c) @ R.T + c
    dst[:2, 0] += shear / 2
    dst[2:, 0] -= shear / 2
    # The crop box around the moved plate, loose or tight on each side like a detector box.
    x0, y0 = dst.min(0)
    x1, y1 = dst.max(0)
    bw, bh = x1 - x0, y1 - y0
    loose = 1.0 if synthetic else 0.5
    x0 -= bw * random.uniform(-0.03, 0.08 * loose) * jitter
    x1 += bw * random.uniform(-0.03, 0.08 * loose) * jitter
    if synthetic and left_cut > 0 and random.random() < 0.5:
        x0 = min(dst[0, 0], dst[3, 0]) + bw * random.uniform(0.0, left_cut) * jitter
    elif not synthetic and left_pad > 0 and wide:
        x0 -= bw * random.uniform(0.0, left_pad) * jitter
    elif not synthetic and edge_cut > 0 and random.random() < 0.2:
        x0 += bw * random.uniform(0.0, edge_cut) * jitter
    if not synthetic and edge_cut > 0 and random.random() < 0.2:
        x1 -= bw * random.uniform(0.0, edge_cut) * jitter
    y0 -= bh * random.uniform(-0.06, 0.2 * loose) * jitter
    y1 += bh * random.uniform(-0.06, 0.2 * loose) * jitter
    if loosen:
        fill_w, fill_h = random.uniform(0.45, 0.9), random.uniform(0.35, 0.8)
        ex, ey = bw * (1 / fill_w - 1), bh * (1 / fill_h - 1)
        sx, sy = random.uniform(0.3, 0.7), random.uniform(0.3, 0.7)
        x0, x1 = x0 - ex * sx, x1 + ex * (1 - sx)
        y0, y1 = y0 - ey * sy, y1 + ey * (1 - sy)
    out_w = max(8, int(round(out_h * (x1 - x0) / max(1.0, y1 - y0))))
    # Anti-alias first if the plate shrinks a lot (a camera integrates, it does not skip).
    k = out_h / max(1.0, (y1 - y0))
    if k < 0.5:
        sigma = 0.5 / k
        big = cv2.GaussianBlur(big, (0, 0), sigma * random.uniform(0.4, 0.8))
    box = np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    to_box = cv2.getPerspectiveTransform(dst, src)           # moved plate -> flat plate
    # Map output pixels -> box in the "moved" frame -> flat source frame.
    out_pts = np.float32([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]])
    M_out_to_moved = cv2.getPerspectiveTransform(out_pts, box)
    M = to_box @ M_out_to_moved
    border = cv2.BORDER_REPLICATE
    return cv2.warpPerspective(big, M, (out_w, out_h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderMode=border)


def photometric(img: np.ndarray, binarize_p: float = 0.0) -> np.ndarray:
    """Camera damage on an 8-bit gray crop at camera resolution."""
    f = img.astype(np.float32)
    h, w = f.shape
    if random.random() < 0.8:                       # brightness / contrast
        f = (f - 128) * random.uniform(0.5, 1.3) + 128 + random.uniform(-50, 50)
    if random.random() < 0.15:                      # night / IR: low-contrast gray
        f = f.mean() + (f - f.mean()) * random.uniform(0.3, 0.6) + random.uniform(-40, 40)
    if random.random() < 0.15:                      # shadow over part of the plate
        xs = random.uniform(0, w)
        mask = (np.arange(w)[None, :] > xs) if random.random() < 0.5 else (np.arange(w)[None, :] < xs)
        f = np.where(mask, f * random.uniform(0.4, 0.8), f)
    if random.random() < 0.15:                      # glare / headlight bloom
        cy, cx = random.uniform(0, h), random.uniform(0, w)
        r = random.uniform(0.2, 0.8) * h
        yy, xx = np.mgrid[0:h, 0:w]
        f = f + random.uniform(60, 200) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
    if random.random() < 0.3:                       # gamma
        f = 255 * (np.clip(f, 0, 255) / 255) ** random.uniform(0.6, 1.6)
    f = np.clip(f, 0, 255)
    r = random.random()
    sharpness = min(1.0, h / 40.0)                  # small crops are already soft: blur less
    if r < 0.25:
        f = cv2.GaussianBlur(f, (0, 0), random.uniform(0.3, 0.5 + 0.8 * sharpness))
    elif r < 0.35:                                  # horizontal motion blur
        n = random.randint(2, 2 + int(3 * sharpness))
        f = cv2.filter2D(f, -1, np.ones((1, n), np.float32) / n)
    if random.random() < 0.4:
        f = f + np.random.randn(h, w).astype(np.float32) * random.uniform(2, 12)
    out = np.clip(f, 0, 255).astype(np.uint8)
    if random.random() < binarize_p:                # the binarised Russian/Kazakh crops
        _, out = cv2.threshold(out, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if random.random() < 0.4:
        ok, enc = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, random.randint(15, 75)])
        out = cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE)
    return out


def augment(gray: np.ndarray, synthetic: bool, height_range=(16, 110), binarize_p=0.0,
            jitter=1.0, left_cut=0.0, left_pad=0.0, edge_cut=0.0, loose_p=0.0) -> np.ndarray:
    """Full augmentation of one gray plate image; returns an 8-bit crop ready for the
    contract resize.  A random crop height simulates near and far plates."""
    lo, hi = height_range
    out_h = int(np.exp(random.uniform(np.log(lo), np.log(hi))))
    crop = geometric(gray, synthetic, out_h, jitter, left_cut, left_pad, edge_cut, loose_p)
    return photometric(crop, binarize_p)
