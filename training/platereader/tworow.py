"""Two-row plates read by a one-row reader: the crop is unfolded, its top row placed left of
its bottom row, and the result goes through the usual input contract.

Square plates (Russian and Kazakh square plates, Iranian motorcycle plates: three digits
above five, two-row European and US plates) carry their text in two rows, top row first.
The readers are one-row CTC networks that read left to right, so a two-row crop is cut
between its rows and the two halves are laid side by side.  The product cannot know
whether a squarish crop holds one row or two (a US plate is 2:1 and one row), so it reads
such a crop both ways and keeps the better read (in the formats, then the more confident):
see `Recognition/TwoRowUnfold.cs`, which does exactly what `unfold` does here.

Contract (a change here is a contract change):
  gray crop H x W (uint8);
  profile p[y] = mean over x of |I[y, x+1] - I[y, x]| (the vertical strokes of text make
  text rows busy and the gap between the rows quiet);
  smoothed s[y] = mean of p over rows max(0, y-k) .. min(H-1, y+k), k = max(1, H // 16);
  split row y* = the first y in [floor(0.3 H), ceil(0.7 H)] with the smallest s[y];
  top = rows [0, y*), bottom = rows [y*, H);
  each part bilinear-resized (cv2 INTER_LINEAR) to height h = max(8, round(H / 2)) and
  width max(1, round(W * h / part height)) (round: half to even); unfolded = [top | bottom].
"""
import math

import cv2
import numpy as np

# A crop narrower than this (width / height) may hold two rows: the product reads it both ways.
MAX_ASPECT = 2.4

# Training only: a real crop narrower than this is a two-row plate and is shown unfolded.  In
# the shared sets these are the four Argentine motorcycle plates (about 1.1-1.45:1); every
# one-row crop there is 1.9:1 or wider.
REAL_TWO_ROW_ASPECT = 1.6


def split_row(gray: np.ndarray) -> int:
    """The row between the plate's two text rows (see the module's contract)."""
    H, W = gray.shape
    if W < 2:
        return H // 2
    p = np.abs(np.diff(gray.astype(np.float32), axis=1)).mean(axis=1)
    k = max(1, H // 16)
    c = np.concatenate([[0.0], np.cumsum(p, dtype=np.float64)])
    lo = np.maximum(0, np.arange(H) - k)
    hi = np.minimum(H - 1, np.arange(H) + k) + 1
    s = (c[hi] - c[lo]) / (hi - lo)
    a, b = int(math.floor(0.3 * H)), int(math.ceil(0.7 * H))
    b = min(b, H - 1)
    a = max(1, min(a, b))
    return a + int(np.argmin(s[a:b + 1]))


def unfold(gray: np.ndarray) -> np.ndarray:
    """The two rows of a two-row crop side by side, top row first."""
    H, W = gray.shape
    y = split_row(gray)
    h = max(8, int(round(H / 2)))
    parts = []
    for part in (gray[:y], gray[y:]):
        ph = max(1, part.shape[0])
        w = max(1, int(round(W * h / ph)))
        parts.append(cv2.resize(part, (w, h), interpolation=cv2.INTER_LINEAR))
    return np.hstack(parts)
