"""The two readers: what they read, their input size, data mix and training length.

Input sizes follow the plates: Iranian plates are about 5:1 (160x32); the Latin reader
sees both 2:1 US plates and 4.6:1 Russian/Kazakh ones, so it uses a middle 4:1 (128x32).
The time axis is W/4 columns (40 and 32 steps), enough for 8-10 characters with the
blanks CTC needs between repeated characters.
"""
from . import synth_ir, synth_latin
from .charsets import IR_CHARSET, LATIN_CHARSET, canonical_ir, canonical_latin

READERS = {
    "ir": dict(
        name="plate-reader-ir",
        charset=IR_CHARSET,
        canon=canonical_ir,
        height=32, width=160,
        channels=(16, 32, 48, 64, 96), head=128, dilations=(1, 2, 4),
        train_sets={"ir-plates": 1.0},     # sampling weight among the real sets
        real_fraction=0.5,                  # share of each batch taken from real crops
        render=synth_ir.render,
        binarize_p=0.0,
        crop_heights=(16, 110),             # simulated crop heights in camera pixels
        eval_sets=["ir-plates"],
        steps=12000, batch=64, lr=2e-3, minutes=50,
    ),
    "latin": dict(
        name="plate-reader-latin",
        charset=LATIN_CHARSET,
        canon=canonical_latin,
        height=32, width=128,
        channels=(16, 32, 48, 64, 96), head=128, dilations=(1, 2, 4),
        train_sets={"us-plates": 0.75, "ru-plates": 0.17, "kz-plates": 0.08},
        real_fraction=0.45,
        render=synth_latin.render,
        binarize_p=0.08,
        crop_heights=(24, 140),             # US text is under half the plate height
        eval_sets=["us-plates", "ru-plates", "kz-plates"],
        steps=12000, batch=64, lr=2e-3, minutes=50,
    ),
}
