#!/usr/bin/python3
"""Writes bilinear.json: what OpenCV's cv2.resize(..., INTER_LINEAR) makes of a small 8-bit gray image.

Run with Debian's python3-opencv:  /usr/bin/python3 make_bilinear_fixture.py
The output is committed (about 30 KB); BilinearTests compares Bilinear.Resize with it. Rerun only to add cases.
The image is 13x7 (odd sizes, so no scale is a round number) of a gradient plus seeded noise; each case
resizes the whole image or a sub-region of it, up and down, including the exact 2x2 halving that OpenCV
routes through INTER_AREA and the stretch to the plate readers' 160x32 input.
"""
import json
import os

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
WIDTH, HEIGHT = 13, 7

rng = np.random.RandomState(20251121)
ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH]
gradient = 10 + 15 * xs + 8 * ys
image = np.clip(gradient + rng.randint(-40, 41, size=(HEIGHT, WIDTH)), 0, 255).astype(np.uint8)

# (x, y, width, height) of the source region, then the destination width and height.
CASES = [
    ((0, 0, WIDTH, HEIGHT), 26, 14),    # exactly 2x up
    ((0, 0, WIDTH, HEIGHT), 31, 9),     # up, uneven factors
    ((0, 0, WIDTH, HEIGHT), 160, 32),   # the Iranian reader's input
    ((0, 0, WIDTH, HEIGHT), 64, 16),    # 5x up, 16:9-ish
    ((0, 0, WIDTH, HEIGHT), 6, 3),      # down, uneven
    ((0, 0, WIDTH, HEIGHT), 4, 5),      # down across, up-ish down
    ((0, 0, WIDTH, HEIGHT), 1, 1),      # one pixel
    ((0, 0, WIDTH, HEIGHT), 13, 7),     # same size: a copy
    ((2, 1, 9, 5), 20, 8),              # sub-region, up
    ((3, 2, 7, 4), 5, 3),               # sub-region, down
    ((0, 0, 12, 6), 6, 3),              # sub-region, exactly 2x down (OpenCV uses INTER_AREA)
    ((12, 0, 1, 7), 3, 10),             # last column only, both ways up
    ((4, 6, 5, 1), 11, 2),              # last row only
]

cases = []
for (x, y, w, h), dw, dh in CASES:
    region = image[y:y + h, x:x + w]
    resized = cv2.resize(region, (dw, dh), interpolation=cv2.INTER_LINEAR)
    cases.append({"region": [x, y, w, h], "width": dw, "height": dh, "pixels": resized.flatten().tolist()})

fixture = {
    "made": "make_bilinear_fixture.py, cv2.resize INTER_LINEAR, OpenCV " + cv2.__version__,
    "width": WIDTH,
    "height": HEIGHT,
    "pixels": image.flatten().tolist(),
    "cases": cases,
}
with open(os.path.join(HERE, "bilinear.json"), "w", encoding="utf-8") as f:
    json.dump(fixture, f, separators=(",", ":"))
    f.write("\n")
