"""Deterministic ~85/15 train/val split of ir-scenes, by image file.

ir-scenes carries no plate text, so images of the same plate cannot be grouped
by text. Instead near-duplicate photos (same 16x12 gray thumbnail up to a small
distance: re-shots of the same car) are grouped, and a whole group goes to one
side, chosen by a hash of its first file name. All of ru-scenes is training
data. br-scenes is never split: it is the measuring set only.

Writes splits/ir-train.txt, splits/ir-val.txt, splits/ru-train.txt (file names).
Existing lists are kept unless --force: the committed lists are the split.
"""
import argparse
import hashlib
import os

import cv2
import numpy as np

import common

VAL_PERCENT = 15
DUP_DIST = 0.1


def thumb(path):
    g = common.read_gray(path)
    t = cv2.resize(g, (16, 12), interpolation=cv2.INTER_AREA).astype(np.float32).ravel()
    return (t - t.mean()) / (t.std() + 1e-6)


def groups_of(names, set_name):
    T = np.stack([thumb(common.image_path(set_name, n)) for n in names])
    parent = list(range(len(names)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(names)):
        d = ((T[i + 1:] - T[i]) ** 2).mean(1)
        for j in np.nonzero(d < DUP_DIST)[0]:
            a, b = find(i), find(i + 1 + j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups = {}
    for i, n in enumerate(names):
        groups.setdefault(find(i), []).append(n)
    return list(groups.values())


def in_val(key):
    return int(hashlib.md5(key.encode()).hexdigest(), 16) % 100 < VAL_PERCENT


def write(name, lines):
    with open(os.path.join(common.SPLITS, name), "w", encoding="utf-8") as f:
        f.write("\n".join(sorted(lines)) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args()
    os.makedirs(common.SPLITS, exist_ok=True)
    if not a.force and all(os.path.exists(os.path.join(common.SPLITS, f))
                           for f in ("ir-train.txt", "ir-val.txt", "ru-train.txt")):
        print("splits exist (use --force to rebuild)")
        return
    ir = sorted(os.listdir(os.path.join(common.DATA, "ir-scenes", "img")))
    train, val = [], []
    groups = groups_of(ir, "ir-scenes")
    for g in groups:
        (val if in_val(min(g)) else train).extend(g)
    write("ir-train.txt", train)
    write("ir-val.txt", val)
    write("ru-train.txt", sorted(os.listdir(os.path.join(common.DATA, "ru-scenes", "img"))))
    nb = common.read_boxes("ir-scenes")
    print(f"ir-scenes: {len(ir)} images in {len(groups)} groups -> train {len(train)} images "
          f"({sum(len(nb.get(n, [])) for n in train)} boxes), val {len(val)} images "
          f"({sum(len(nb.get(n, [])) for n in val)} boxes)")


if __name__ == "__main__":
    main()
