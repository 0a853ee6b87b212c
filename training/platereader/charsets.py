"""Character sets of the two readers.

Class 0 is always the CTC blank (written as "" in the sidecar JSON); class i>0 is
charset[i].  The order is part of the model contract with the C# side, so only ever
append to these lists, and retrain when doing so.
"""

DIGITS = "0123456789"
LATIN_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Letters seen on Iranian civil plates.  The real set (ir-plates) uses 17 of them plus
# the wheelchair symbol; the rest (ث ز ش ف ک گ) only come from the synthetic renderer.
# Farsi yeh is U+06CC (not Arabic yeh U+064A), keheh U+06A9 (not Arabic kaf U+0643).
IR_LETTERS = [
    "\u0627",  # ا alef
    "\u0628",  # ب beh
    "\u067e",  # پ peh
    "\u062a",  # ت teh
    "\u062b",  # ث theh
    "\u062c",  # ج jeem
    "\u062f",  # د dal
    "\u0632",  # ز zain
    "\u0633",  # س seen
    "\u0634",  # ش sheen
    "\u0635",  # ص sad
    "\u0637",  # ط tah
    "\u0639",  # ع ain
    "\u0641",  # ف feh
    "\u0642",  # ق qaf
    "\u06a9",  # ک keheh
    "\u06af",  # گ gaf
    "\u0644",  # ل lam
    "\u0645",  # م meem
    "\u0646",  # ن noon
    "\u0648",  # و waw
    "\u0647",  # ه heh
    "\u06cc",  # ی farsi yeh
    "\u267f",  # ♿ plate of a disabled driver
]

# Cyrillic letters allowed on Russian plates, written as their Latin look-alikes.
RU_LETTERS = "ABEKMHOPCTYX"

IR_CHARSET = [""] + list(DIGITS) + IR_LETTERS
LATIN_CHARSET = [""] + list(DIGITS) + list(LATIN_LETTERS)

# Arabic code points that sometimes stand in for the Persian ones in labels.
_IR_NORMALISE = {"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"}
# Persian / Arabic-Indic digits -> ASCII.
for _i in range(10):
    _IR_NORMALISE[chr(0x06F0 + _i)] = str(_i)
    _IR_NORMALISE[chr(0x0660 + _i)] = str(_i)


def canonical_ir(text: str) -> str:
    """Iranian canonical text: visual left-to-right, ASCII digits, Persian letter."""
    return "".join(_IR_NORMALISE.get(c, c) for c in text.strip())


def canonical_latin(text: str) -> str:
    """Latin canonical text: upper-case ASCII letters and digits only."""
    return "".join(c for c in text.upper() if c.isascii() and c.isalnum())


def encode(text: str, charset: list) -> list:
    """Text -> list of class indices (raises on a character outside the set)."""
    index = {c: i for i, c in enumerate(charset) if c}
    return [index[c] for c in text]


def greedy_decode(best_path, charset: list) -> str:
    """CTC greedy decode of a sequence of argmax class ids: merge repeats, drop blanks."""
    out = []
    prev = -1
    for k in best_path:
        k = int(k)
        if k != prev and k != 0:
            out.append(charset[k])
        prev = k
    return "".join(out)
