"""Synthetic Latin-script plates for the Latin reader: US-style, Russian, Kazakh and a
generic European-style plate.

US plates are the hardest real set (busy backgrounds, state names, slogans, stickers,
coloured ink), so they get most of the variety here.  Russian and Kazakh plates use
only Latin look-alikes of Cyrillic letters in the canonical text, as the real labels do.
"""
import random

import numpy as np

from . import synth_common as sc
from .charsets import DIGITS, LATIN_LETTERS, RU_LETTERS
from .fonts import DECOR_FONTS, LATIN_FONTS, available

_F = {}

STATES = ["ALABAMA", "ALASKA", "ARIZONA", "ARKANSAS", "California", "COLORADO", "Connecticut",
          "DELAWARE", "Florida", "GEORGIA", "Hawaii", "IDAHO", "Illinois", "INDIANA", "IOWA",
          "KANSAS", "Kentucky", "Louisiana", "MAINE", "Maryland", "Massachusetts", "Michigan",
          "MINNESOTA", "Mississippi", "MISSOURI", "MONTANA", "Nebraska", "NEVADA",
          "New Hampshire", "New Jersey", "NEW MEXICO", "New York", "NORTH CAROLINA",
          "NORTH DAKOTA", "OHIO", "OKLAHOMA", "OREGON", "Pennsylvania", "Rhode Island",
          "SOUTH CAROLINA", "South Dakota", "TENNESSEE", "TEXAS", "UTAH", "VERMONT",
          "Virginia", "WASHINGTON", "West Virginia", "Wisconsin", "WYOMING", "ONTARIO"]
SLOGANS = ["SUNSHINE STATE", "Garden State", "THE SILVER STATE", "Live Free or Die",
           "GREEN MOUNTAIN STATE", "Land of Lincoln", "FIRST IN FLIGHT", "Great Lakes",
           "Aloha State", "EMPIRE STATE", "Famous Potatoes", "Lone Star State", "DEALER",
           "TRUCK", "Wild Wonderful", "Virginia is for Lovers", "10,000 lakes", "Ocean State",
           "COUNTY", "Discover the Spirit", "PEACE GARDEN STATE", "Vacationland",
           "America's Dairyland", "Heart of Dixie", "MY OLD KENTUCKY HOME", "Sportsman's Paradise",
           "Taxation without Representation", "Greatest Snow on Earth", "Centennial"]


def _fonts(kind):
    if kind not in _F:
        _F[kind] = available({"latin": LATIN_FONTS, "decor": DECOR_FONTS}[kind])
    return _F[kind]


def _pick(alphabet, n):
    return "".join(random.choice(alphabet) for _ in range(n))


# ---------------------------------------------------------------- US

def us_text():
    """Common US serial patterns, plus random vanity strings (groups separated later)."""
    L, D, A = LATIN_LETTERS, DIGITS, LATIN_LETTERS + DIGITS
    patterns = [
        lambda: [_pick(L, 3), _pick(D, 3)], lambda: [_pick(D, 3), _pick(L, 3)],
        lambda: [_pick(L, 3), _pick(D, 4)], lambda: [_pick(D, 1) + _pick(L, 3), _pick(D, 3)],
        lambda: [_pick(D, 3), _pick(L, 2) + _pick(D, 1)], lambda: [_pick(L, 2), _pick(D, 4)],
        lambda: [_pick(L, 2) + _pick(D, 1), _pick(D, 2) + _pick(L, 1)],
        lambda: [_pick(D, 2) + _pick(L, 1), _pick(D, 3)], lambda: [_pick(D, 3), _pick(D, 3)],
        lambda: [_pick(L, 1) + _pick(D, 2), _pick(D, 2) + _pick(L, 2)],
        lambda: [_pick(L, 4), _pick(D, 3)], lambda: [_pick(D, random.randint(4, 6))],
        lambda: [_pick(A, random.randint(2, 8))], lambda: [_pick(L, random.randint(3, 7))],
        lambda: [_pick(A, random.randint(3, 4)), _pick(A, random.randint(2, 4))],
    ]
    weights = [8, 8, 8, 6, 4, 4, 3, 3, 2, 3, 3, 3, 4, 3, 4]
    return random.choices(patterns, weights)[0]()


def render_us():
    W = random.randint(260, 420)
    H = int(W / random.uniform(1.85, 2.15))
    dark = random.random() < 0.1
    if dark:
        bg = sc.rand_color(random.choice([(30, 40, 90), (20, 20, 20), (30, 80, 40), (120, 20, 20)]), 20)
        ink = sc.rand_color((235, 235, 225), 20)
    else:
        bg = sc.rand_color(random.choice([(240, 240, 240), (235, 235, 215), (225, 235, 245),
                                          (245, 240, 200), (250, 220, 160), (215, 230, 215)]), 15)
        ink = sc.rand_color(random.choice([(20, 30, 110), (20, 20, 20), (130, 20, 30),
                                           (20, 80, 40), (60, 30, 90), (10, 50, 120)]), 25)
    img = sc.plate_canvas(W, H, bg)
    _us_background(img, dark)
    decor = _fonts("decor")
    # State name on top, slogan at the bottom.
    top_col = sc.rand_color(random.choice([(180, 30, 40), (20, 40, 130), (30, 30, 30), (20, 100, 50)]), 30)
    if random.random() < 0.9:
        sc.draw_fit(img, random.choice(STATES), random.choice(decor), W * 0.12, W * 0.88,
                    H * random.uniform(0.1, 0.17), H * random.uniform(0.1, 0.17), "H", top_col)
    if random.random() < 0.7:
        sc.draw_fit(img, random.choice(SLOGANS), random.choice(decor), W * 0.12, W * 0.88,
                    H * random.uniform(0.83, 0.9), H * random.uniform(0.07, 0.12), "H", top_col)
    # Stickers in the top corners.
    for cx in (W * 0.08, W * 0.92):
        if random.random() < 0.35:
            sw, sh = W * random.uniform(0.07, 0.12), H * random.uniform(0.1, 0.2)
            col = sc.rand_color(random.choice([(200, 40, 40), (240, 200, 40), (60, 120, 200), (160, 60, 160)]), 30)
            sc.rect(img, cx - sw / 2, H * 0.05, cx + sw / 2, H * 0.05 + sh, col)
            sc.draw_fit(img, _pick(DIGITS, 2), _fonts("latin")[0], cx - sw / 2, cx + sw / 2,
                        H * 0.05 + sh / 2, sh * 0.6, "0", (20, 20, 20))
    groups = us_text()
    text = "".join(groups)
    f = random.choice(_fonts("latin"))
    ch_h = H * random.uniform(0.38, 0.5)
    sep = random.choice([" ", " ", "-", "·", "", "emblem"]) if len(groups) > 1 else ""
    x0, x1 = W * random.uniform(0.06, 0.12), W * random.uniform(0.88, 0.94)
    cy = H * random.uniform(0.47, 0.56)
    # Small characters stacked vertically beside the serial (county codes, "4H", "RTR"):
    # real labels leave them out, so they are drawn but not part of the text.
    if random.random() < 0.15:
        side = random.choice(["left", "right"])
        sx = x0 + W * 0.03 if side == "left" else x1 - W * 0.03
        stack = _pick(random.choice([DIGITS, LATIN_LETTERS, LATIN_LETTERS + DIGITS]), random.randint(2, 3))
        sh = ch_h * random.uniform(0.28, 0.4)
        for k, c in enumerate(stack):
            sc.draw_centered(img, c, f, sx, cy - ch_h / 2 + sh * (k + 1) * 1.1, sh, "H", ink)
        if side == "left":
            x0 += W * 0.07
        else:
            x1 -= W * 0.07
    _draw_line(img, groups, sep, f, x0, x1, cy, ch_h, ink, squeeze=random.uniform(0.55, 1.0))
    if random.random() < 0.5:
        sc.rounded_border(img, sc.rand_color((60, 60, 60), 40), max(1, int(H * 0.02)), int(H * 0.06))
    return img, text


def _us_background(img, dark):
    """Faint scenery: colour bands, arcs and blobs behind the characters."""
    H, W = img.shape[:2]
    if dark:
        return
    from PIL import Image, ImageDraw
    pil = Image.fromarray(img)
    d = ImageDraw.Draw(pil, "RGBA")
    for _ in range(random.randint(0, 4)):
        col = tuple(int(c) for c in np.random.randint(60, 255, 3)) + (random.randint(30, 110),)
        k = random.random()
        if k < 0.35:
            y = random.uniform(0, H)
            d.rectangle([0, y, W, y + random.uniform(H * 0.05, H * 0.3)], fill=col)
        elif k < 0.7:
            cx, cy, r = random.uniform(0, W), random.uniform(0, H), random.uniform(H * 0.2, H)
            d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=col)
        else:
            pts = [(x, H * random.uniform(0.3, 1.0)) for x in np.linspace(0, W, random.randint(3, 7))]
            d.polygon(pts + [(W, H), (0, H)], fill=col)
    img[:] = np.asarray(pil.convert("RGB"))


def _draw_line(img, groups, sep, f, x0, x1, cy, ch_h, ink, squeeze):
    """Draw groups of characters spread over [x0, x1], centred on cy, with a separator."""
    masks = []
    for gi, g in enumerate(groups):
        if gi > 0 and sep:
            masks.append(("sep", None))
        for ch in g:
            masks.append(("ch", sc.glyph_layer(ch, f, ch_h, "H", squeeze)))
    gap = ch_h * random.uniform(0.03, 0.15)
    sep_w = ch_h * (random.uniform(0.25, 0.6) if sep != "emblem" else random.uniform(0.5, 0.9))
    total = sum((m[1][0].shape[1] if m[0] == "ch" else sep_w) for m in masks) + gap * (len(masks) - 1)
    scale = min(1.0, (x1 - x0) / max(1, total))
    x = (x0 + x1) / 2 - total * scale / 2
    base = cy + ch_h * scale / 2
    import cv2
    for kind, m in masks:
        if kind == "sep":
            w = sep_w * scale
            if sep == "-":
                sc.rect(img, x + w * 0.2, cy - ch_h * 0.05, x + w * 0.8, cy + ch_h * 0.05, ink)
            elif sep == "·":
                r = ch_h * 0.06
                sc.rect(img, x + w / 2 - r, cy - r, x + w / 2 + r, cy + r, ink)
            elif sep == "emblem":
                col = sc.rand_color(tuple(int(c) for c in np.random.randint(30, 220, 3)), 0)
                sc.rect(img, x + w * 0.1, cy - ch_h * 0.3, x + w * 0.9, cy + ch_h * 0.3, col)
            x += w + gap * scale
            continue
        mask, top = m
        if scale < 1.0:
            mask = cv2.resize(mask, (max(1, int(mask.shape[1] * scale)), max(1, int(mask.shape[0] * scale))),
                              interpolation=cv2.INTER_AREA)
            top *= scale
        sc.paste(img, mask, x, base - top, ink)
        x += mask.shape[1] + gap * scale


# ---------------------------------------------------------------- Russian / Kazakh / EU

def render_ru():
    """Russian: L DDD LL | region (2-3 digits) with RUS and a flag; letters smaller."""
    W = random.randint(300, 540)
    H = int(W / random.uniform(4.3, 4.9))
    img = sc.plate_canvas(W, H, sc.rand_color((240, 240, 240), 15))
    ink = sc.rand_color((15, 15, 15), 15)
    f = random.choice(_fonts("latin"))
    sq = random.uniform(0.75, 1.15)
    text = random.choice(RU_LETTERS) + _pick(DIGITS, 3) + _pick(RU_LETTERS, 2)
    region = _pick(DIGITS, random.choice([2, 2, 3]))
    bx = W * random.uniform(0.74, 0.78)
    _draw_ru_like(img, text, [0, 1, 1, 1, 0, 0], f, W * 0.03, bx - W * 0.02, H, ink, sq)
    sc.rect(img, bx, H * 0.04, bx + max(1, H * 0.03), H * 0.96, ink)
    sc.draw_fit(img, region, f, bx + W * 0.01, W * 0.98, H * 0.38, H * 0.55, "0", ink, sq)
    if random.random() < 0.8:
        sc.draw_fit(img, "RUS", f, bx + W * 0.02, W * 0.85, H * 0.82, H * 0.16, "R", ink)
        fx = W * 0.87
        for k, col in enumerate([(250, 250, 250), (30, 60, 170), (210, 30, 30)]):
            sc.rect(img, fx, H * (0.74 + k * 0.055), fx + W * 0.07, H * (0.74 + (k + 1) * 0.055), col)
    sc.rounded_border(img, ink, max(1, int(H * random.uniform(0.02, 0.05))), int(H * 0.1))
    return img, text + region


def render_kz():
    """Kazakh: [flag KZ] DDD LL(L) | RR; older style L DDD LLL too (region last)."""
    W = random.randint(300, 540)
    H = int(W / random.uniform(4.3, 4.9))
    img = sc.plate_canvas(W, H, sc.rand_color((240, 240, 240), 15))
    ink = sc.rand_color((15, 15, 15), 15)
    f = random.choice(_fonts("latin"))
    sq = random.uniform(0.75, 1.15)
    strip = W * random.uniform(0.08, 0.11)
    if random.random() < 0.7:
        sc.rect(img, 0, 0, strip, H, sc.rand_color((40, 150, 210), 25))
        sc.draw_fit(img, "KZ", f, strip * 0.1, strip * 0.9, H * 0.75, H * 0.2, "K", (245, 245, 245))
    else:
        sc.draw_fit(img, "KZ", f, strip * 0.1, strip * 0.9, H * 0.75, H * 0.2, "K", ink)
    if random.random() < 0.85:
        main = _pick(DIGITS, 3) + _pick(LATIN_LETTERS, random.choice([2, 3, 3]))
        big = [1] * len(main)
    else:
        main = random.choice(LATIN_LETTERS) + _pick(DIGITS, 3) + _pick(LATIN_LETTERS, random.choice([2, 3]))
        big = [1] * len(main)
    region = "%02d" % random.randint(1, 20)
    bx = W * random.uniform(0.78, 0.82)
    _draw_ru_like(img, main, big, f, strip + W * 0.02, bx - W * 0.02, H, ink, sq)
    sc.rect(img, bx, H * 0.04, bx + max(1, H * 0.03), H * 0.96, ink)
    sc.draw_fit(img, region, f, bx + W * 0.015, W * 0.98, H * 0.5, H * 0.62, "0", ink, sq)
    sc.rounded_border(img, ink, max(1, int(H * random.uniform(0.02, 0.05))), int(H * 0.1))
    return img, main + region


def render_eu():
    """Generic European-style plate: blue strip with a country code, 5-8 characters."""
    W = random.randint(300, 540)
    H = int(W / random.uniform(4.2, 5.0))
    bg = sc.rand_color(random.choice([(240, 240, 240), (245, 205, 40)]), 12)
    img = sc.plate_canvas(W, H, bg)
    ink = sc.rand_color((15, 15, 15), 15)
    f = random.choice(_fonts("latin"))
    strip = W * random.uniform(0.07, 0.1)
    sc.rect(img, 0, 0, strip, H, sc.rand_color((20, 50, 160), 20))
    sc.draw_fit(img, _pick(LATIN_LETTERS, random.randint(1, 3)), f, strip * 0.1, strip * 0.9,
                H * 0.75, H * 0.25, "H", (240, 240, 240))
    n = random.randint(2, 3)
    groups = [_pick(random.choice([LATIN_LETTERS, DIGITS, LATIN_LETTERS + DIGITS]), random.randint(1, 4))
              for _ in range(n)]
    _draw_line(img, groups, random.choice([" ", "-", "·"]), f, strip + W * 0.03, W * 0.97,
               H * 0.5, H * random.uniform(0.6, 0.75), ink, random.uniform(0.6, 1.0))
    sc.rounded_border(img, ink, max(1, int(H * 0.03)), int(H * 0.1))
    return img, "".join(groups)


def _draw_ru_like(img, text, big, f, x0, x1, H, ink, sq):
    """Characters spread evenly over [x0, x1]; big[i]=0 draws the character smaller."""
    n = len(text)
    unit = (x1 - x0) / n
    big_h = H * random.uniform(0.58, 0.72)
    small_h = big_h * random.uniform(0.72, 0.85)
    base = H * 0.5 + big_h / 2 + H * random.uniform(-0.03, 0.05)
    for i, ch in enumerate(text):
        h = big_h if big[i] else small_h
        sc.draw_centered(img, ch, f, x0 + unit * (i + 0.5) + random.uniform(-0.05, 0.05) * unit,
                         base, h, "H" if ch.isalpha() else "0", ink, sq)


RENDERERS = [(render_us, 0.55), (render_ru, 0.2), (render_kz, 0.12), (render_eu, 0.13)]


def render():
    """One random Latin plate: (RGB uint8 image, canonical text)."""
    fn = random.choices([r for r, _ in RENDERERS], [w for _, w in RENDERERS])[0]
    return fn()
