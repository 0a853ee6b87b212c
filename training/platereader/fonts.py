"""Fonts from Debian packages (fonts-farsiweb, fonts-noto-core, fonts-dejavu-core).

Only fonts that exist are used, so the renderer still works when one package is
missing; a missing whole family is an error, because the synthetic data would then
silently lose its variety.
"""
import functools
import os

from PIL import ImageFont

_ROOT = "/usr/share/fonts/truetype"

# Fonts with Persian digits (U+06F0..) and the plate letters.  Nastaliq is left out:
# plates are never written in it.
PERSIAN_FONTS = [
    "farsiweb/titr.ttf",
    "farsiweb/homa.ttf",
    "farsiweb/nazlib.ttf",
    "farsiweb/nazli.ttf",
    "noto/NotoKufiArabic-Bold.ttf",
    "noto/NotoKufiArabic-Regular.ttf",
    "noto/NotoNaskhArabic-Bold.ttf",
    "noto/NotoSansArabic-Bold.ttf",
    "noto/NotoSansArabic-Regular.ttf",
    "dejavu/DejaVuSans-Bold.ttf",
    "dejavu/DejaVuSansCondensed-Bold.ttf",
]

# Fonts with the wheelchair symbol U+267F.
SYMBOL_FONTS = [
    "dejavu/DejaVuSans-Bold.ttf",
    "dejavu/DejaVuSans.ttf",
    "noto/NotoSansSymbols2-Regular.ttf",
]

# Latin plate-like fonts: bold sans first (most plates), a few others for variety.
# Plates mostly use condensed fonts; the renderer also squeezes glyphs horizontally.
LATIN_FONTS = [
    "dejavu/DejaVuSansCondensed-Bold.ttf",
    "dejavu/DejaVuSans-Bold.ttf",
    "dejavu/DejaVuSansMono-Bold.ttf",
    "dejavu/DejaVuSansCondensed.ttf",
    "dejavu/DejaVuSerifCondensed-Bold.ttf",
    "noto/NotoSans-Bold.ttf",
    "noto/NotoSans-Regular.ttf",
    "noto/NotoSansDisplay-Bold.ttf",
    "noto/NotoSansMono-Bold.ttf",
    "noto/NotoSerif-Bold.ttf",
    "noto/NotoMono-Regular.ttf",
]

# Decorative fonts for the small state names / slogans on US plates.
DECOR_FONTS = [
    "dejavu/DejaVuSerif-BoldItalic.ttf",
    "dejavu/DejaVuSerif-Italic.ttf",
    "dejavu/DejaVuSans-BoldOblique.ttf",
    "dejavu/DejaVuSans.ttf",
    "noto/NotoSerif-BoldItalic.ttf",
    "noto/NotoSerif-Italic.ttf",
    "noto/NotoSans-BoldItalic.ttf",
    "noto/NotoSans-Regular.ttf",
]


def available(names: list) -> list:
    """Absolute paths of the fonts in `names` that are installed."""
    paths = [os.path.join(_ROOT, n) for n in names]
    found = [p for p in paths if os.path.exists(p)]
    if not found:
        raise FileNotFoundError(
            "none of these fonts is installed: " + ", ".join(names)
            + " (apt-get install fonts-farsiweb fonts-noto-core fonts-dejavu-core)")
    return found


@functools.lru_cache(maxsize=4096)
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """Cached FreeType font (opening fonts is the slowest part of rendering)."""
    return ImageFont.truetype(path, max(4, int(size)))
