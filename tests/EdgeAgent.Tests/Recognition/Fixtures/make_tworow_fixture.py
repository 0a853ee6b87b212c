#!/usr/bin/python3
"""Writes tworow.json: crops and what training/platereader/tworow.py makes of them (the cut row and the
unfolded pixels), for Recognition/TwoRowUnfoldTests.cs.  Run from the repository root:

    /usr/bin/python3 tests/EdgeAgent.Tests/Recognition/Fixtures/make_tworow_fixture.py
"""
import json
import os
import random
import sys

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "training"))
from platereader import augment, synth_ir, synth_latin, tworow  # noqa: E402

random.seed(11)
np.random.seed(11)
cases = []
for name, render, height in [("square latin plate", synth_latin.render_two_row, 44),
                             ("iranian motorcycle plate", synth_ir.render_motorcycle, 36),
                             ("one-row plate", synth_latin.render_us, 28),
                             ("tiny square", synth_latin.render_two_row, 9)]:
    rgb, text = render()
    crop = augment.augment(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), True, (height, height))
    out = tworow.unfold(crop)
    cases.append({"name": name, "text": text, "width": int(crop.shape[1]), "height": int(crop.shape[0]),
                  "pixels": crop.flatten().tolist(), "split": tworow.split_row(crop),
                  "unfoldedWidth": int(out.shape[1]), "unfoldedHeight": int(out.shape[0]),
                  "unfolded": out.flatten().tolist()})
with open(os.path.join(HERE, "tworow.json"), "w") as f:
    json.dump({"made": f"make_tworow_fixture.py, OpenCV {cv2.__version__}", "cases": cases}, f, separators=(",", ":"))
