"""Synthetic Latin-script plates for the Latin reader: US-style, Russian, Kazakh, Brazilian
(grey/red pre-2018 and white Mercosur) and a generic European-style plate.

US plates are the hardest real set (busy backgrounds, state names, slogans, stickers,
coloured ink), so they get most of the variety here.  Russian and Kazakh plates use
only Latin look-alikes of Cyrillic letters in the canonical text, as the real labels do.

Brazilian pre-2018 plates use the condensed "Mandatory" face, whose O and 0 are narrow
rounded rectangles with straight sides (close to its D) and whose 1 is a plain bar like
its I; no installed font looks like that, so those glyphs are drawn as shapes
(`_shape_glyph`) in most Brazilian plates and a few others, and the reader has to tell
O/D/0 and 1/I apart by their corners and by their place in the text.
"""
import random

import numpy as np

from . import synth_common as sc
from .charsets import DIGITS, LATIN_LETTERS, RU_LETTERS
from .fonts import BR_FONTS, DECOR_FONTS, LATIN_FONTS, available

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


# Share of each kind of plate whose O, 0, D, 1 and I are drawn as shapes (`_shape_glyphs`).
SHAPE_P = {"br": 0.85, "mercosur": 0.15, "us": 0.05, "eu": 0.1}


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
    _draw_line(img, groups, sep, f, x0, x1, cy, ch_h, ink, squeeze=random.uniform(0.55, 1.0),
               shapes=random.random() < SHAPE_P["us"])
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


def _draw_line(img, groups, sep, f, x0, x1, cy, ch_h, ink, squeeze, shapes=False, gap=None,
               emboss=None):
    """Draw groups of characters spread over [x0, x1], centred on cy, with a separator.

    shapes: draw O, 0, D, 1 and I as plain shapes (see `_shape_glyph`) instead of the font's.
    emboss: a colour drawn 1-2 px down-right of each glyph first, like a pressed plate's edge.
    """
    glyph = _shape_glyphs(f, ch_h, squeeze) if shapes else None
    masks = []
    for gi, g in enumerate(groups):
        if gi > 0 and sep:
            masks.append(("sep", None))
        for ch in g:
            m = glyph(ch) if glyph else None
            masks.append(("ch", m or sc.glyph_layer(ch, f, ch_h, "H", squeeze)))
    gap = ch_h * (random.uniform(0.03, 0.15) if gap is None else gap)
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
                decoration(img, x + w * 0.05, cy - ch_h * 0.42, x + w * 0.95, cy + ch_h * 0.42)
            x += w + gap * scale
            continue
        mask, top = m
        if scale < 1.0:
            mask = cv2.resize(mask, (max(1, int(mask.shape[1] * scale)), max(1, int(mask.shape[0] * scale))),
                              interpolation=cv2.INTER_AREA)
            top *= scale
        if emboss is not None:
            d = max(1, ch_h * scale * 0.03)
            sc.paste(img, mask, x + d, base - top + d, emboss)
        sc.paste(img, mask, x, base - top, ink)
        x += mask.shape[1] + gap * scale


def _shape_glyphs(f, ch_h, squeeze):
    """A function ch -> (mask, top) or None: O, 0 and D as rounded rectangles with straight
    sides, 1 and I as plain bars, stroke and widths taken from font `f` at this size."""
    stem = _stem_width(f, ch_h, squeeze) * random.uniform(0.95, 1.2)
    widths = {c: sc.glyph_layer(c, f, ch_h, "H", squeeze)[0].shape[1] - 4 for c in "O0D"}
    radius = random.uniform(0.3, 0.5)
    bar = random.uniform(1.0, 1.25)
    narrow0 = random.uniform(0.8, 1.0)

    def glyph(ch):
        if ch in "1I":
            return _shape_glyph("bar", stem * bar, ch_h, stem, radius)
        if ch in "O0D":
            w = max(widths[ch], widths["O"] * (narrow0 if ch == "0" else 1.0)) * random.uniform(0.9, 1.0)
            w = max(w, stem * 2.6)
            return _shape_glyph("D" if ch == "D" else "O", w, ch_h, stem, radius)
        return None
    return glyph


def _stem_width(f, ch_h, squeeze):
    """Width in px of the vertical stroke of `I` in font `f` at cap height ch_h."""
    mask, _ = sc.glyph_layer("I", f, ch_h, "H", squeeze)
    row = mask[mask.shape[0] // 2] > 0.5
    return max(1.5, float(row.sum()))


def _shape_glyph(kind, w, h, stem, radius):
    """A glyph drawn as a shape, 4x supersampled: "O" a rounded-rectangle ring, "D" the same
    with square left corners, "bar" a filled bar.  Returns (mask, top) like glyph_layer."""
    from PIL import Image, ImageDraw
    k = 4
    W, H, s = max(1, int(round(w * k))), max(1, int(round(h * k))), max(k, int(round(stem * k)))
    img = Image.new("L", (W + 8 * k, H + 4 * k), 0)
    d = ImageDraw.Draw(img)
    x0, y0 = 2 * k, 2 * k
    if kind == "bar":
        d.rectangle([x0, y0, x0 + W - 1, y0 + H - 1], fill=255)
    else:
        r = max(1, int(min(W, H) * radius))
        ri = max(0, r - s)
        d.rounded_rectangle([x0, y0, x0 + W - 1, y0 + H - 1], radius=r, fill=255)
        d.rounded_rectangle([x0 + s, y0 + s, x0 + W - 1 - s, y0 + H - 1 - s], radius=ri, fill=0)
        if kind == "D":
            # square left corners: fill the outer left corners, re-cut the inner ones
            d.rectangle([x0, y0, x0 + W // 2, y0 + H - 1], fill=255)
            d.rectangle([x0 + s, y0 + s, x0 + W // 2, y0 + H - 1 - s], fill=0)
            d.rounded_rectangle([x0 + s, y0 + s, x0 + W - 1 - s, y0 + H - 1 - s], radius=ri, fill=0)
    img = img.crop((0, 0, W + 4 * k, H + 4 * k)).resize(((W + 4 * k) // k, (H + 4 * k) // k), Image.BOX)
    return np.asarray(img, dtype=np.float32) / 255.0, 2 + h


# ---------------------------------------------------------------- Brazil

BR_CITIES = ["BA-SALVADOR", "BA-CAMACARI", "BA-FEIRA DE SANTANA", "SP-SAO PAULO", "SP-CAMPINAS",
             "SP-SANTOS", "MG-BELO HORIZONTE", "MG-UBERLANDIA", "RJ-RIO DE JANEIRO", "RJ-NITEROI",
             "PR-CURITIBA", "RS-PORTO ALEGRE", "DF-BRASILIA", "ES-VITORIA", "SC-FLORIANOPOLIS",
             "SC-JOINVILLE", "GO-GOIANIA", "PE-RECIFE", "CE-FORTALEZA", "AM-MANAUS", "PA-BELEM",
             "MA-SAO LUIS", "PB-JOAO PESSOA", "RN-NATAL", "AL-MACEIO", "SE-ARACAJU", "PI-TERESINA",
             "MT-CUIABA", "MS-CAMPO GRANDE", "TO-PALMAS", "RO-PORTO VELHO", "AC-RIO BRANCO"]
# Characters the reader confused on br-scenes (measured only), drawn more often than their share.
BR_HARD_LETTERS = "ODJGWMZBIUV"
BR_HARD_DIGITS = "01827"


def _br_chars(kinds):
    """Random text for a pattern of 'L' (letter) and 'D' (digit), confusable ones favoured."""
    out = []
    for k in kinds:
        hard = random.random() < 0.3
        if k == "L":
            out.append(random.choice(BR_HARD_LETTERS if hard else LATIN_LETTERS))
        else:
            out.append(random.choice(BR_HARD_DIGITS if hard else DIGITS))
    return "".join(out)


def _br_fonts():
    if "br" not in _F:
        _F["br"] = available(BR_FONTS)
    return _F["br"]


def render_br():
    """Brazil before Mercosur: grey (red for commercial) plate about 3.1:1, "UF-CITY" on a
    small top line between two bolts, then LLL-DDDD in a heavy condensed face."""
    W = random.randint(280, 460)
    H = int(W / random.uniform(2.9, 3.4))
    kind = random.random()
    if kind < 0.75:                                   # private: grey / silver, black ink
        bg = sc.rand_color(random.choice([(200, 200, 200), (185, 190, 190), (215, 215, 205),
                                          (170, 175, 175)]), 18)
        ink = sc.rand_color((25, 25, 25), 18)
        emboss = sc.rand_color((235, 235, 235), 15)
    elif kind < 0.93:                                 # commercial: red, white ink
        bg = sc.rand_color((170, 30, 35), 25)
        ink = sc.rand_color((235, 235, 230), 15)
        emboss = sc.rand_color((90, 15, 15), 15)
    else:                                             # official / other: white or black plates
        bg, ink = random.choice([((235, 235, 235), (20, 20, 20)), ((30, 30, 30), (220, 220, 220))])
        bg, ink, emboss = sc.rand_color(bg, 12), sc.rand_color(ink, 15), None
    img = sc.plate_canvas(W, H, bg)
    f = random.choice(_br_fonts())
    # Top line: "UF-CITY" between two bolts, sometimes a thin rule under it.
    top_h = H * random.uniform(0.08, 0.12)
    top_y = H * random.uniform(0.1, 0.15)
    if random.random() < 0.9:
        sc.draw_fit(img, random.choice(BR_CITIES), f, W * 0.28, W * 0.72, top_y, top_h, "H", ink,
                    random.uniform(0.8, 1.1))
    if random.random() < 0.4:
        sc.rect(img, W * 0.1, top_y + top_h * 0.8, W * 0.9, top_y + top_h * 0.8 + max(1, H * 0.01), ink)
    for bx in (W * random.uniform(0.15, 0.22), W * random.uniform(0.78, 0.85)):
        if random.random() < 0.8:
            r = H * random.uniform(0.025, 0.045)
            sc.rect(img, bx - r, top_y - r, bx + r, top_y + r, sc.rand_color((90, 80, 60), 40))
    text = _br_chars("LLLDDDD")
    groups = [text[:3], text[3:]]
    ch_h = H * random.uniform(0.5, 0.62)
    cy = H * random.uniform(0.58, 0.64)
    shapes = random.random() < SHAPE_P["br"]
    _draw_line(img, groups, random.choice(["·", "·", "·", "-", " "]), f, W * random.uniform(0.04, 0.08),
               W * random.uniform(0.92, 0.96), cy, ch_h, ink, random.uniform(0.62, 0.9), shapes=shapes,
               gap=random.uniform(0.04, 0.12), emboss=emboss if random.random() < 0.5 else None)
    sc.rounded_border(img, sc.rand_color((50, 50, 50), 30), max(1, int(H * random.uniform(0.02, 0.05))),
                      int(H * 0.06))
    return img, text


def render_mercosur():
    """Brazil's Mercosur plate (2018 on): white, blue band with BRASIL on top, LLLDLDD."""
    W = random.randint(280, 460)
    H = int(W / random.uniform(2.9, 3.3))
    img = sc.plate_canvas(W, H, sc.rand_color((240, 240, 240), 12))
    band = H * random.uniform(0.2, 0.26)
    sc.rect(img, 0, 0, W, band, sc.rand_color((25, 60, 160), 25))
    f = random.choice(_br_fonts())
    white = sc.rand_color((245, 245, 245), 8)
    sc.draw_fit(img, "BRASIL", f, W * 0.3, W * 0.7, band / 2, band * 0.55, "H", white)
    if random.random() < 0.8:                         # flag on the right, Mercosur mark on the left
        fx = W * 0.86
        sc.rect(img, fx, band * 0.2, fx + W * 0.08, band * 0.8, sc.rand_color((30, 140, 60), 20))
        sc.draw_fit(img, "BR", f, W * 0.03, W * 0.1, band * 0.65, band * 0.35, "H", white)
    text = _br_chars("LLLDLDD") if random.random() < 0.85 else _br_chars("LLLDDDD")
    ink = sc.rand_color((20, 20, 20), 15)
    ch_h = H * random.uniform(0.48, 0.58)
    cy = band + (H - band) * random.uniform(0.47, 0.53)
    _draw_line(img, [text], "", f, W * random.uniform(0.05, 0.09), W * random.uniform(0.91, 0.95),
               cy, ch_h, ink, random.uniform(0.7, 0.95), shapes=random.random() < SHAPE_P["mercosur"])
    sc.rounded_border(img, sc.rand_color((40, 40, 40), 30), max(1, int(H * 0.025)), int(H * 0.08))
    return img, text


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


def _kz_flag(img, x0, x1, H, f):
    """The left field of a Kazakh plate: the sky-blue flag (a golden sun over a steppe eagle)
    above `KZ`, or only `KZ` on older or cheaper plates."""
    from PIL import Image, ImageDraw
    w = x1 - x0
    if random.random() < 0.75:
        top, bot = H * 0.1, H * random.uniform(0.45, 0.55)
        sc.rect(img, x0 + w * 0.08, top, x1 - w * 0.08, bot, sc.rand_color((0, 175, 202), 25))
        pil = Image.fromarray(img)
        d = ImageDraw.Draw(pil)
        cx, cy, r = (x0 + x1) / 2, (top + bot) / 2, (bot - top) * 0.28
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=tuple(sc.rand_color((250, 200, 40), 20)))
        d.line([cx - r * 1.4, cy + r * 1.2, cx + r * 1.4, cy + r * 1.2], fill=tuple(sc.rand_color((250, 200, 40), 20)),
               width=max(1, int(r * 0.3)))
        img[:] = np.asarray(pil)
        sc.draw_fit(img, "KZ", f, x0 + w * 0.1, x1 - w * 0.1, H * 0.76, H * 0.28, "K", sc.rand_color((20, 20, 20), 15))
    else:
        sc.draw_fit(img, "KZ", f, x0 + w * 0.1, x1 - w * 0.1, H * 0.72, H * 0.3, "K", sc.rand_color((20, 20, 20), 15))


def render_kz():
    """Kazakh plates as they are on the road (canonical text in the `kz` grammar's formats):

    * 2012 private `DDD LLL RR` and legal-entity `DDD LL RR`: the flag and `KZ` at the left,
      the two-digit region code at the right behind a bar;
    * 1993 `L DDD LLL` (private) and `L DDD LL` (organisations): the region letter first, no
      region code, the flag or only `KZ` at the left."""
    W = random.randint(300, 540)
    H = int(W / random.uniform(4.3, 4.9))
    img = sc.plate_canvas(W, H, sc.rand_color((240, 240, 240), 15))
    ink = sc.rand_color((15, 15, 15), 15)
    f = random.choice(_fonts("latin"))
    sq = random.uniform(0.75, 1.15)
    strip = W * random.uniform(0.09, 0.12)
    _kz_flag(img, 0, strip, H, f)
    kind = random.choices(["2012", "2012-org", "1993", "1993-org"], [0.55, 0.2, 0.15, 0.1])[0]
    if kind.startswith("2012"):
        main = _pick(DIGITS, 3) + _pick(RU_LETTERS if random.random() < 0.3 else LATIN_LETTERS, 3 if kind == "2012" else 2)
        region = "%02d" % random.randint(1, 20)
        bx = W * random.uniform(0.78, 0.82)
        _draw_ru_like(img, main, [1] * len(main), f, strip + W * 0.02, bx - W * 0.02, H, ink, sq)
        sc.rect(img, bx, H * 0.04, bx + max(1, H * 0.03), H * 0.96, ink)
        sc.draw_fit(img, region, f, bx + W * 0.015, W * 0.98, H * 0.5, H * 0.62, "0", ink, sq)
        text = main + region
    else:
        text = random.choice(LATIN_LETTERS) + _pick(DIGITS, 3) + _pick(LATIN_LETTERS, 3 if kind == "1993" else 2)
        _draw_ru_like(img, text, [1] * len(text), f, strip + W * 0.03, W * 0.97, H, ink, sq)
    sc.rounded_border(img, ink, max(1, int(H * random.uniform(0.02, 0.05))), int(H * 0.1))
    return img, text


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
    # Slovak and Czech style: a coat of arms or the two inspection stickers between groups.
    sep = random.choice([" ", "-", "·", "emblem", "emblem"])
    _draw_line(img, groups, sep, f, strip + W * 0.03, W * 0.97,
               H * 0.5, H * random.uniform(0.6, 0.75), ink, random.uniform(0.6, 1.0),
               shapes=random.random() < SHAPE_P["eu"])
    sc.rounded_border(img, ink, max(1, int(H * 0.03)), int(H * 0.1))
    if random.random() < 0.3:
        screws(img)
    return img, "".join(groups)


def decoration(img, x0, y0, x1, y1, kind=None):
    """Something real plates carry between their characters that is not a character: a
    coat of arms (the Slovak double cross on hills, a round crest), the two round
    inspection stickers of Czech plates (stacked coloured discs, which a reader that never
    saw them reads as `8`), or a plain coloured badge.  Drawn inside the box given."""
    from PIL import Image, ImageDraw
    kind = kind or random.choice(["shield", "shield", "discs", "discs", "crest", "badge"])
    w, h = x1 - x0, y1 - y0
    pil = Image.fromarray(img)
    d = ImageDraw.Draw(pil)
    col = lambda base, j=30: tuple(sc.rand_color(base, j))
    if kind == "shield":
        # A heater shield (red) with a white double-armed cross on blue hills.
        sw = min(w, h * 0.8)
        cx = (x0 + x1) / 2
        top, bot = y0, y1
        pts = [(cx - sw / 2, top), (cx + sw / 2, top), (cx + sw / 2, top + (bot - top) * 0.55),
               (cx, bot), (cx - sw / 2, top + (bot - top) * 0.55)]
        d.polygon(pts, fill=col((200, 30, 40)), outline=col((240, 240, 240), 10) if random.random() < 0.5 else None)
        white = col((245, 245, 245), 10)
        bar = max(1, sw * 0.1)
        d.rectangle([cx - bar / 2, top + h * 0.12, cx + bar / 2, top + h * 0.72], fill=white)
        for fy, fw in ((0.28, 0.32), (0.45, 0.42)):
            d.rectangle([cx - sw * fw / 2, top + h * fy - bar / 2, cx + sw * fw / 2, top + h * fy + bar / 2], fill=white)
        d.pieslice([cx - sw * 0.4, top + h * 0.62, cx + sw * 0.4, top + h * 1.02], 180, 360, fill=col((30, 60, 170)))
    elif kind == "discs":
        # Two stacked round stickers (emission / technical inspection), coloured, with a rim.
        r = min(w / 2, h / 4.2)
        cx = (x0 + x1) / 2
        for cy in (y0 + h * 0.27, y0 + h * 0.73):
            d.ellipse([cx - r, cy - r, cx + r, cy + r],
                      fill=col(tuple(int(c) for c in np.random.randint(40, 230, 3)), 0),
                      outline=col((30, 30, 30)) if random.random() < 0.6 else None, width=max(1, int(r * 0.12)))
            if random.random() < 0.5:
                d.line([cx - r * 0.7, cy, cx + r * 0.7, cy], fill=col((20, 20, 20)), width=max(1, int(r * 0.15)))
    elif kind == "crest":
        r = min(w, h) / 2
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=col((40, 120, 200), 60), outline=col((230, 200, 40), 30),
                  width=max(1, int(r * 0.15)))
        d.ellipse([cx - r * 0.45, cy - r * 0.45, cx + r * 0.45, cy + r * 0.45], fill=col((230, 200, 40), 30))
    else:
        d.rectangle([x0 + w * 0.05, y0 + h * 0.15, x1 - w * 0.05, y1 - h * 0.15],
                    fill=col(tuple(int(c) for c in np.random.randint(30, 220, 3)), 0))
    img[:] = np.asarray(pil)


def screws(img, ink=None):
    """Screw or rivet heads near the top and bottom edge (often between the characters)."""
    from PIL import Image, ImageDraw
    H, W = img.shape[:2]
    pil = Image.fromarray(img)
    d = ImageDraw.Draw(pil)
    r = H * random.uniform(0.035, 0.06)
    xs = [W * random.uniform(0.15, 0.3), W * random.uniform(0.7, 0.85)] if random.random() < 0.6 else [W * random.uniform(0.4, 0.6)]
    for x in xs:
        for y in ((H * 0.1, H * 0.9) if random.random() < 0.5 else (H * random.choice([0.1, 0.9]),)):
            c = tuple(sc.rand_color((150, 150, 150), 60))
            d.ellipse([x - r, y - r, x + r, y + r], fill=c, outline=tuple(sc.rand_color((60, 60, 60), 20)))
    img[:] = np.asarray(pil)


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


RENDERERS = [(render_us, 0.45), (render_ru, 0.14), (render_kz, 0.09), (render_eu, 0.15),
             (render_br, 0.12), (render_mercosur, 0.05)]


def render():
    """One random Latin plate: (RGB uint8 image, canonical text)."""
    fn = random.choices([r for r, _ in RENDERERS], [w for _, w in RENDERERS])[0]
    img, text = fn()
    if fn is not render_eu and random.random() < 0.15:
        screws(img)
    return img, text


# ---------------------------------------------------------------- two-row (square) plates

def _row(img, text, f, x0, x1, y0, y1, ink, sq):
    """One text row of a two-row plate, filling the band y0..y1 between x0 and x1."""
    h = (y1 - y0) * random.uniform(0.62, 0.78)
    cy = (y0 + y1) / 2 + (y1 - y0) * random.uniform(-0.03, 0.03)
    split = len(text) >= 4 and random.random() < 0.4
    groups = [text[:len(text) // 2], text[len(text) // 2:]] if split else [text]
    _draw_line(img, groups, " " if split else "", f, x0, x1, cy, h, ink, sq)


def render_two_row():
    """One square two-row plate: (RGB image, canonical text, top row first).

    Russian square plate (`L DDD` above `LL RR(R)`), Kazakh square plate (`DDD` above
    `LL(L) RR`, a flag field left of the bottom row), European two-row plates (letters above
    digits and letters, sometimes a blue strip) and US motorcycle-style plates (a few
    characters above more).  Read through `tworow.unfold`, as the product reads them."""
    kind = random.choices(["ru", "kz", "eu", "us"], [0.3, 0.3, 0.25, 0.15])[0]
    W = random.randint(200, 340)
    H = int(W / random.uniform(1.2, 1.9))
    yellow = kind == "eu" and random.random() < 0.3
    img = sc.plate_canvas(W, H, sc.rand_color((245, 205, 40) if yellow else (240, 240, 240), 12))
    ink = sc.rand_color((15, 15, 15), 15)
    f = random.choice(_fonts("latin"))
    sq = random.uniform(0.7, 1.05)
    top_x0 = bottom_x0 = W * 0.05
    if kind == "ru":
        top = random.choice(RU_LETTERS) + _pick(DIGITS, 3)
        bottom = _pick(RU_LETTERS, 2) + _pick(DIGITS, random.choice([2, 2, 3]))
    elif kind == "kz":
        top = _pick(DIGITS, 3)
        bottom = _pick(LATIN_LETTERS, random.choice([2, 3, 3])) + "%02d" % random.randint(1, 20)
        _kz_flag(img, W * 0.01, W * 0.17, H, f)
        bottom_x0 = W * 0.19
    elif kind == "eu":
        top = _pick(LATIN_LETTERS, random.randint(1, 3))
        bottom = _pick(DIGITS, random.randint(2, 4)) + _pick(LATIN_LETTERS, random.randint(0, 2))
        if random.random() < 0.6:
            sc.rect(img, 0, 0, W * 0.12, H, sc.rand_color((20, 50, 160), 20))
            top_x0 = bottom_x0 = W * 0.15
    else:
        top = _pick(LATIN_LETTERS + DIGITS, random.randint(2, 3))
        bottom = _pick(DIGITS + LATIN_LETTERS, random.randint(3, 4))
    split = H * random.uniform(0.42, 0.55)
    _row(img, top, f, top_x0, W * 0.95, H * 0.04, split, ink, sq)
    _row(img, bottom, f, bottom_x0, W * 0.95, split, H * 0.96, ink, sq)
    sc.rounded_border(img, ink, max(1, int(H * random.uniform(0.015, 0.035))), int(H * 0.06))
    if random.random() < 0.3:
        screws(img)
    return img, top + bottom
