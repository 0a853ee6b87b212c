"""Synthetic Iranian plates: 2 digits + letter + 3 digits, region code in a box at right.

Layout (fractions of the plate width, measured on real 640x128 rectified crops): a blue
strip with the flag and "I.R. IRAN" at the left (0-8.5%), the six main characters from
about 10% to 74%, a separator line and a box from about 76% with "ایران" above the
two-digit region code.  The canonical text is visual left-to-right with ASCII digits,
e.g. "81و63813".
"""
import random

import numpy as np

from . import synth_common as sc
from .charsets import IR_LETTERS
from .fonts import PERSIAN_FONTS, SYMBOL_FONTS, available

_PERSIAN = None
_SYMBOL = None
IRAN_WORD = "\u0627\u06cc\u0631\u0627\u0646"  # ایران


def _fonts():
    global _PERSIAN, _SYMBOL
    if _PERSIAN is None:
        _PERSIAN = available(PERSIAN_FONTS)
        _SYMBOL = available(SYMBOL_FONTS)
    return _PERSIAN, _SYMBOL


def fa_digit(d: str) -> str:
    return chr(0x06F0 + int(d))


def random_text() -> str:
    digits = lambda n: "".join(random.choice("0123456789") for _ in range(n))
    first = random.choice("123456789") + random.choice("0123456789")
    region = random.choice("123456789") + random.choice("0123456789")
    text = first + random.choice(IR_LETTERS) + digits(3) + region
    # Equal neighbours are the hard case for CTC (a blank column must separate them), and
    # the two-digit groups sit at the crop edges where columns are scarce: make equal
    # pairs more common than chance (the first pair, e.g. 22, about twice as common).
    if random.random() < 0.25:
        k = random.choice([0, 0, 3, 4, 6])
        text = text[:k + 1] + text[k] + text[k + 2:]
    return text


def render(text: str = None):
    """Render one plate.  Returns (RGB uint8 image, canonical text)."""
    persian, symbol = _fonts()
    text = text or random_text()
    W = random.randint(300, 560)
    H = int(W / random.uniform(4.5, 5.1))
    r = random.random()
    if r < 0.78:
        bg, ink = sc.rand_color((238, 240, 240), 15), sc.rand_color((20, 20, 20), 20)
    elif r < 0.90:   # taxi
        bg, ink = sc.rand_color((240, 200, 40), 20), sc.rand_color((20, 20, 20), 15)
    elif r < 0.95:   # public transport / agricultural
        bg, ink = sc.rand_color((200, 220, 200), 25), sc.rand_color((20, 20, 20), 15)
    else:            # police / government: light ink on a dark plate
        bg, ink = sc.rand_color(random.choice([(30, 60, 140), (160, 30, 30), (30, 110, 60)]), 20), \
            sc.rand_color((240, 240, 240), 10)
    img = sc.plate_canvas(W, H, bg)

    # Blue strip with the flag and I.R. IRAN.
    strip = W * random.uniform(0.075, 0.095)
    sc.rect(img, 0, 0, strip, H - 1, sc.rand_color((20, 50, 150), 25))
    fy, fh = H * 0.12, H * random.uniform(0.22, 0.3)
    for k, col in enumerate([(35, 150, 60), (245, 245, 245), (220, 40, 40)]):
        sc.rect(img, strip * 0.2, fy + k * fh / 3, strip * 0.8, fy + (k + 1) * fh / 3, col)
    latin = available(["truetype/dejavu/DejaVuSans-Bold.ttf"])[0]
    sc.draw_fit(img, "I.R.", latin, strip * 0.1, strip * 0.9, H * 0.62, H * 0.1, "I", (240, 240, 240))
    sc.draw_fit(img, "IRAN", latin, strip * 0.05, strip * 0.95, H * 0.80, H * 0.1, "I", (240, 240, 240))

    # Six main characters.
    f = random.choice(persian)
    squeeze = random.uniform(0.85, 1.35)
    ch_h = H * random.uniform(0.55, 0.72)
    baseline = H * random.uniform(0.5, 0.56) + ch_h / 2
    x_start, x_end = W * random.uniform(0.10, 0.13), W * random.uniform(0.72, 0.75)
    # Relative cell widths: digits 1, letter 1.5, a gap around the letter.
    cells = [1, 1, 0.25, 1.5, 0.25, 1, 1, 1]
    unit = (x_end - x_start) / sum(cells)
    x = x_start
    centers = []
    for c in cells:
        centers.append(x + c * unit / 2)
        x += c * unit
    glyph_centers = [centers[0], centers[1], centers[3], centers[5], centers[6], centers[7]]
    main = text[:6]
    for k, (ch, cx) in enumerate(zip(main, glyph_centers)):
        cx += random.uniform(-0.06, 0.06) * unit
        if ch.isdigit():
            sc.draw_centered(img, fa_digit(ch), f, cx, baseline, ch_h, "\u06f8", ink, squeeze)
        elif ch == "\u267f":
            sc.draw_centered(img, ch, random.choice(symbol), cx, baseline, ch_h * 0.8, ch, ink, 1.0)
        else:
            # Letters are drawn to a box, as on real plates, whatever their natural size.
            lh = ch_h * random.uniform(0.55, 0.85)
            sc.draw_box(img, ch, f, cx, baseline - ch_h / 2 + random.uniform(-0.05, 0.08) * ch_h,
                        lh, ink, squeeze * random.uniform(0.9, 1.3))

    # Region box: separator line, "ایران", two digits.
    bx = W * random.uniform(0.755, 0.785)
    lw = max(1, int(H * 0.02))
    sc.rect(img, bx, H * 0.06, bx + lw, H * 0.94, ink)
    sc.draw_fit(img, IRAN_WORD, f, bx + W * 0.03, W * 0.97, H * 0.2, H * 0.16, "\u0627", ink)
    rh = H * random.uniform(0.45, 0.58)
    rbase = H * 0.93 - (H * 0.62 - rh) / 2
    reg_w = (W - bx) * 0.8
    for k, ch in enumerate(text[6:8]):
        cx = bx + (W - bx) * (0.5 + (k - 0.5) * 0.42)
        sc.draw_centered(img, fa_digit(ch), f, cx, rbase, rh, "\u06f8", ink, squeeze)

    sc.rounded_border(img, (25, 25, 25), max(1, int(H * random.uniform(0.015, 0.04))), int(H * 0.08))
    return img, text


def render_motorcycle():
    """An Iranian motorcycle plate: three digits above five (canonical text: the eight digits,
    top row first), `ایران` beside the top row, sometimes a thin blue strip at the left.
    Read through `tworow.unfold`, as the product reads square crops."""
    persian, _ = _fonts()
    digits = lambda n: "".join(random.choice("0123456789") for _ in range(n))
    top, bottom = random.choice("123456789") + digits(2), random.choice("123456789") + digits(4)
    W = random.randint(200, 320)
    H = int(W / random.uniform(1.25, 1.6))
    img = sc.plate_canvas(W, H, sc.rand_color((238, 240, 240), 15))
    ink = sc.rand_color((20, 20, 20), 20)
    f = random.choice(persian)
    squeeze = random.uniform(0.85, 1.25)
    x0 = 0.04
    if random.random() < 0.4:
        sc.rect(img, 0, 0, W * 0.07, H - 1, sc.rand_color((20, 50, 150), 25))
        x0 = 0.1
    split = H * random.uniform(0.42, 0.5)
    # Top row: ایران at the right (the plate reads right to left), three digits at the left.
    sc.draw_fit(img, IRAN_WORD, f, W * 0.68, W * 0.95, split * 0.55, split * 0.3, "\u0627", ink)
    ch_h = split * random.uniform(0.6, 0.75)
    for k, ch in enumerate(top):
        cx = W * (x0 + 0.1) + k * W * 0.17
        sc.draw_centered(img, fa_digit(ch), f, cx, split * 0.5 + ch_h / 2, ch_h, "\u06f8", ink, squeeze)
    sc.rect(img, W * 0.05, split, W * 0.95, split + max(1, H * 0.015), ink)
    ch_h = (H - split) * random.uniform(0.6, 0.75)
    unit = W * (0.92 - x0) / 5
    for k, ch in enumerate(bottom):
        cx = W * x0 + unit * (k + 0.5)
        sc.draw_centered(img, fa_digit(ch), f, cx, split + (H - split) * 0.5 + ch_h / 2, ch_h, "\u06f8", ink, min(1.0, squeeze))
    sc.rounded_border(img, (25, 25, 25), max(1, int(H * random.uniform(0.015, 0.035))), int(H * 0.08))
    return img, top + bottom
