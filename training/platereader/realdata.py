"""Loaders for the real crop sets in ../shared/data and their train/validation split.

The split is by plate TEXT, so every photo of the same car (same text) lands on the same
side, and it is deterministic (MD5 of the canonical text), so it never depends on file
order, the machine or a random seed.  About 20% of the distinct texts go to validation.
Validation rows are never used for training or for int8 calibration.
"""
import hashlib
import os
from dataclasses import dataclass

import cv2
import numpy as np

from .charsets import canonical_ir, canonical_latin

VAL_PERCENT = 20

# training/splits: the split lists, and the per-set files the training reads beside them
# (cut positions, training-label fixes, the validation audit).
SPLITS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "splits")

# set name -> canonicaliser.  br-scenes is deliberately absent: it is the end-to-end
# yardstick and must never be trained on.
CROP_SETS = {
    "ir-plates": canonical_ir,
    "us-plates": canonical_latin,
    "ru-plates": canonical_latin,
    "kz-plates": canonical_latin,
    "br-plates": canonical_latin,     # loose crops: the plate fills about half the width
    "ar-plates": canonical_latin,
}


@dataclass
class Row:
    set_name: str
    file: str          # relative to the set folder, as in labels.tsv (e.g. img/0.jpg)
    text: str          # canonical text
    path: str          # absolute path of the image


def default_data_root() -> str:
    """../shared/data relative to the repository root, unless EDGEANPR_DATA says otherwise."""
    env = os.environ.get("EDGEANPR_DATA")
    if env:
        return os.path.abspath(env)
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.abspath(os.path.join(repo, "..", "shared", "data"))


def is_validation(text: str) -> bool:
    """Deterministic text-keyed split: True for about VAL_PERCENT% of distinct texts."""
    h = int(hashlib.md5(text.encode("utf-8")).hexdigest()[:8], 16)
    return h % 100 < VAL_PERCENT


def load_rows(data_root: str, set_name: str) -> list:
    """All labelled rows of a crop set (rows with empty text are skipped)."""
    canon = CROP_SETS[set_name]
    folder = os.path.join(data_root, set_name)
    rows = []
    with open(os.path.join(folder, "labels.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        fi, ti = header.index("file"), header.index("text")
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) <= ti:
                continue
            text = canon(parts[ti])
            if not text:
                continue
            rows.append(Row(set_name, parts[fi], text, os.path.join(folder, parts[fi])))
    return rows


def split_rows(rows: list):
    """(train, val) lists; all rows sharing a text go to the same side."""
    train = [r for r in rows if not is_validation(r.text)]
    val = [r for r in rows if is_validation(r.text)]
    return train, val


def write_split_lists(data_root: str, out_dir: str, set_names) -> dict:
    """Write splits/<set>-train.txt and -val.txt (file names only); returns the sizes."""
    os.makedirs(out_dir, exist_ok=True)
    sizes = {}
    for name in set_names:
        train, val = split_rows(load_rows(data_root, name))
        for part, rows in (("train", train), ("val", val)):
            with open(os.path.join(out_dir, f"{name}-{part}.txt"), "w", encoding="utf-8") as f:
                for r in sorted(rows, key=lambda r: r.file):
                    f.write(r.file + "\n")
        sizes[name] = (len(train), len(val), len({r.text for r in train}), len({r.text for r in val}))
    return sizes


def _corrections(name: str, column: str) -> dict:
    path = os.path.join(SPLITS_DIR, name)
    if not os.path.exists(path):
        return {}
    out = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        fi, ti = header.index("file"), header.index(column)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            out[parts[fi]] = parts[ti]
    return out


def read_fixes(set_name: str) -> dict:
    """file -> corrected text, from splits/<set>-fixes.tsv (training rows only)."""
    return _corrections(f"{set_name}-fixes.tsv", "fixed")


def read_audit(set_name: str) -> dict:
    """file -> what the crop shows, from splits/<set>-val-audit.tsv: the validation rows whose
    label, checked by eye against the image, names other characters than the crop shows."""
    return _corrections(f"{set_name}-val-audit.tsv", "shows")


def with_audit(val: list, audit: dict) -> list:
    """Validation rows with the audited texts: a second figure beside the one on the labels
    as given, never instead of it."""
    return _relabelled(val, audit, "the validation audit names rows outside the validation split")


def with_fixes(train: list, set_name: str) -> list:
    """Training rows with the corrected labels of splits/<set>-fixes.tsv.

    A few training labels name a different letter than the crop shows (a ی labelled ه,
    say); trained on as they are, they teach the reader that the two shapes are one.
    Only training rows are corrected, after the split (which stays keyed on the label as
    given), and a fix for a validation row is an error: the held-out figures are measured
    against the labels exactly as the data set has them."""
    return _relabelled(train, read_fixes(set_name), f"{set_name}-fixes.tsv names rows outside the training split")


def _relabelled(rows: list, texts: dict, stray_message: str) -> list:
    """`rows` with the texts `texts` gives by file; a file not among the rows is an error."""
    stray = sorted(set(texts) - {r.file for r in rows})
    if stray:
        raise ValueError(f"{stray_message}: {', '.join(stray)}")
    return [Row(r.set_name, r.file, texts.get(r.file, r.text), r.path) for r in rows]


def load_gray(row: Row) -> np.ndarray:
    """8-bit gray image of a row, converted exactly as the product converts crops."""
    bgr = cv2.imread(row.path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise IOError(f"cannot read {row.path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
