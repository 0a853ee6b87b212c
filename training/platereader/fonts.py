"""Fonts from Debian packages (fonts-farsiweb, fonts-noto-core, fonts-dejavu-core).

Only fonts that exist are used, so the renderer still works when one package is
missing; a missing whole family is an error, because the synthetic data would then
silently lose its variety.
"""
import functools
import os

from PIL import ImageFont

_ROOT = "/usr/share/fonts"

# Fonts with Persian digits (U+06F0..) and the plate letters.  Nastaliq is left out:
# plates are never written in it.
PERSIAN_FONTS = [
    "truetype/farsiweb/titr.ttf",
    "truetype/farsiweb/homa.ttf",
    "truetype/farsiweb/nazlib.ttf",
    "truetype/farsiweb/nazli.ttf",
    "truetype/noto/NotoKufiArabic-Bold.ttf",
    "truetype/noto/NotoKufiArabic-Regular.ttf",
    "truetype/noto/NotoNaskhArabic-Bold.ttf",
    "truetype/noto/NotoSansArabic-Bold.ttf",
    "truetype/noto/NotoSansArabic-Regular.ttf",
    "truetype/dejavu/DejaVuSans-Bold.ttf",
    "truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
]

# Fonts with the wheelchair symbol U+267F.
SYMBOL_FONTS = [
    "truetype/dejavu/DejaVuSans-Bold.ttf",
    "truetype/dejavu/DejaVuSans.ttf",
    "truetype/noto/NotoSansSymbols2-Regular.ttf",
]

# Latin plate-like fonts: bold sans first (most plates), a few others for variety.
# Plates mostly use condensed fonts; the renderer also squeezes glyphs horizontally.
LATIN_FONTS = [
    # Optional extra packages (fonts-liberation, fonts-urw-base35, fonts-roboto-unhinted,
    # fonts-bebas-neue, fonts-freefont-ttf, fonts-open-sans): narrow plate-like faces.
    "truetype/liberation/LiberationSansNarrow-Bold.ttf",
    "truetype/liberation/LiberationSansNarrow-Regular.ttf",
    "truetype/liberation/LiberationSans-Bold.ttf",
    "opentype/urw-base35/NimbusSansNarrow-Bold.otf",
    "opentype/urw-base35/NimbusSansNarrow-Regular.otf",
    "opentype/urw-base35/NimbusMonoPS-Bold.otf",
    "truetype/roboto/unhinted/RobotoCondensed-Bold.ttf",
    "truetype/roboto/unhinted/RobotoCondensed-Medium.ttf",
    "opentype/bebas-neue/BebasNeue-Bold.otf",
    "opentype/bebas-neue/BebasNeue-Regular.otf",
    "truetype/freefont/FreeSansBold.ttf",
    "truetype/open-sans/OpenSans-CondBold.ttf",
    "truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
    "truetype/dejavu/DejaVuSans-Bold.ttf",
    "truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "truetype/dejavu/DejaVuSansCondensed.ttf",
    "truetype/dejavu/DejaVuSerifCondensed-Bold.ttf",
    "truetype/noto/NotoSans-Bold.ttf",
    "truetype/noto/NotoSans-Regular.ttf",
    "truetype/noto/NotoSansDisplay-Bold.ttf",
    "truetype/noto/NotoSansMono-Bold.ttf",
    "truetype/noto/NotoSerif-Bold.ttf",
    "truetype/noto/NotoMono-Regular.ttf",
]

# Heavy condensed faces closest to Brazil's "Mandatory" and Mercosur plate fonts
# (a subset of LATIN_FONTS).
BR_FONTS = [
    "truetype/liberation/LiberationSansNarrow-Bold.ttf",
    "opentype/urw-base35/NimbusSansNarrow-Bold.otf",
    "truetype/roboto/unhinted/RobotoCondensed-Bold.ttf",
    "opentype/bebas-neue/BebasNeue-Bold.otf",
    "opentype/bebas-neue/BebasNeue-Regular.otf",
    "truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
    "truetype/open-sans/OpenSans-CondBold.ttf",
]

# Decorative fonts for the small state names / slogans on US plates.
DECOR_FONTS = [
    "truetype/liberation/LiberationSerif-BoldItalic.ttf",
    "opentype/urw-base35/NimbusRoman-BoldItalic.otf",
    "opentype/urw-base35/P052-BoldItalic.otf",
    "truetype/dejavu/DejaVuSerif-BoldItalic.ttf",
    "truetype/dejavu/DejaVuSerif-Italic.ttf",
    "truetype/dejavu/DejaVuSans-BoldOblique.ttf",
    "truetype/dejavu/DejaVuSans.ttf",
    "truetype/noto/NotoSerif-BoldItalic.ttf",
    "truetype/noto/NotoSerif-Italic.ttf",
    "truetype/noto/NotoSans-BoldItalic.ttf",
    "truetype/noto/NotoSans-Regular.ttf",
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
