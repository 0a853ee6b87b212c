"""Drawing helpers shared by the synthetic plate renderers.

Glyphs are drawn one at a time onto a separate layer and squeezed horizontally, because
plate fonts are narrower than any desktop font installed here; every glyph of one font
is scaled by the same factor (from a reference glyph), so small glyphs such as the
Persian zero keep their true, small size instead of being blown up to full height.
"""
import random

import numpy as np
from PIL import Image, ImageDraw

from .fonts import font


def rand_color(base, jitter=20):
    """An RGB colour near `base`."""
    return tuple(int(np.clip(c + random.uniform(-jitter, jitter), 0, 255)) for c in base)


def glyph_layer(text: str, font_path: str, height: float, ref: str, squeeze: float = 1.0,
                features=None):
    """Render `text` so that `ref` would be `height` px tall.

    Returns (L-mode numpy mask, baseline offset of the mask's top, i.e. the mask's top
    is `ascent` px above the baseline), with the mask squeezed horizontally.
    """
    probe = font(font_path, 100)
    l, t, r, b = probe.getbbox(ref, anchor="ls")
    ref_h = max(1, b - t)
    size = max(6, int(round(100 * height / ref_h)))
    f = font(font_path, size)
    kw = {"features": features} if features else {}
    l, t, r, b = f.getbbox(text, anchor="ls", **kw)
    w, h = max(1, r - l), max(1, b - t)
    img = Image.new("L", (w + 4, h + 4), 0)
    ImageDraw.Draw(img).text((2 - l, 2 - t), text, fill=255, font=f, anchor="ls", **kw)
    if abs(squeeze - 1.0) > 1e-3:
        img = img.resize((max(1, int(round(img.width * squeeze))), img.height), Image.BILINEAR)
    return np.asarray(img, dtype=np.float32) / 255.0, (2 - t)


def paste(canvas: np.ndarray, mask: np.ndarray, x: float, y: float, color) -> None:
    """Alpha-blend a solid `color` through `mask` with its top-left at (x, y), clipped."""
    H, W = canvas.shape[:2]
    h, w = mask.shape
    x0, y0 = int(round(x)), int(round(y))
    x1, y1 = max(0, x0), max(0, y0)
    x2, y2 = min(W, x0 + w), min(H, y0 + h)
    if x2 <= x1 or y2 <= y1:
        return
    m = mask[y1 - y0:y2 - y0, x1 - x0:x2 - x0, None]
    region = canvas[y1:y2, x1:x2].astype(np.float32)
    col = np.array(color, dtype=np.float32)[None, None, :]
    canvas[y1:y2, x1:x2] = (region * (1 - m) + col * m).astype(np.uint8)


def draw_centered(canvas, text, font_path, cx, baseline, height, ref, color, squeeze=1.0,
                  features=None):
    """Draw `text` horizontally centred at cx with its baseline at `baseline`.

    Returns the drawn width in px."""
    mask, top = glyph_layer(text, font_path, height, ref, squeeze, features)
    paste(canvas, mask, cx - mask.shape[1] / 2, baseline - top, color)
    return mask.shape[1]


def draw_fit(canvas, text, font_path, x0, x1, cy, height, ref, color, squeeze=1.0,
             features=None):
    """Draw `text` vertically centred on cy, shrunk if needed to fit between x0 and x1."""
    mask, top = glyph_layer(text, font_path, height, ref, squeeze, features)
    if mask.shape[1] > (x1 - x0) > 0:
        from cv2 import resize, INTER_AREA
        k = (x1 - x0) / mask.shape[1]
        mask = resize(mask, (max(1, int(mask.shape[1] * k)), mask.shape[0]), interpolation=INTER_AREA)
    paste(canvas, mask, (x0 + x1) / 2 - mask.shape[1] / 2, cy - mask.shape[0] / 2, color)


def plate_canvas(w: int, h: int, bg) -> np.ndarray:
    """A plate-sized RGB canvas filled with `bg`, with a faint vertical shading."""
    canvas = np.empty((h, w, 3), np.uint8)
    canvas[:] = bg
    if random.random() < 0.5:
        shade = np.linspace(random.uniform(-25, 10), random.uniform(-25, 10), h)[:, None, None]
        canvas[:] = np.clip(canvas.astype(np.float32) + shade, 0, 255).astype(np.uint8)
    return canvas


def rounded_border(canvas, color, thickness, radius):
    """Draw a rounded rectangle outline around the whole canvas."""
    img = Image.fromarray(canvas)
    d = ImageDraw.Draw(img)
    h, w = canvas.shape[:2]
    d.rounded_rectangle([0, 0, w - 1, h - 1], radius=radius, outline=tuple(color), width=thickness)
    canvas[:] = np.asarray(img)


def rect(canvas, x0, y0, x1, y1, color, outline=None, width=1):
    img = Image.fromarray(canvas)
    ImageDraw.Draw(img).rectangle([x0, y0, x1, y1], fill=tuple(color) if color is not None else None,
                                  outline=tuple(outline) if outline is not None else None, width=width)
    canvas[:] = np.asarray(img)


def draw_box(canvas, text, font_path, cx, cy, height, color, squeeze=1.0):
    """Draw `text` scaled so its own ink is `height` px tall, centred on (cx, cy)."""
    mask, _ = glyph_layer(text, font_path, height, text, squeeze)
    paste(canvas, mask, cx - mask.shape[1] / 2, cy - mask.shape[0] / 2, color)
