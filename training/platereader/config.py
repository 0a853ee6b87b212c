"""The two readers: what they read, their input size, data mix and training length.

Input sizes: the Latin reader sees both 2:1 US plates and 4.6:1 Russian/Kazakh ones, so
it uses a middle 4:1 (128x32).  Iranian plates are about 5:1, but the reader gets 6:1
(192x32): the time axis is W/4 columns, and at 160 px (40 steps) the first two digits,
which real crops put right at the left edge, got too few columns for the blank CTC needs
between two equal characters (a first pair `22` was read as `2`); 192 px gives 48 steps.

The Iranian reader has a fourth dilated layer (dilation 8): its receptive field is 155
input columns instead of 91.  It emits the left half of a plate some 8 columns before
the characters are drawn, so with 91 columns the letter's step saw little of the letter's
right half, which is what tells س (teeth) from ص (a loop); held out, that was 6 to 8
misreads of those two letters, and none with the wider field.
"""
from . import synth_ir, synth_latin
from .charsets import IR_CHARSET, LATIN_CHARSET, canonical_ir, canonical_latin

READERS = {
    "ir": dict(
        name="plate-reader-ir",
        charset=IR_CHARSET,
        canon=canonical_ir,
        height=32, width=192,
        channels=(16, 32, 48, 64, 96), head=128, dilations=(1, 2, 4, 8),
        train_sets={"ir-plates": 1.0},     # sampling weight among the real sets
        real_fraction=0.5,                  # share of each batch taken from real crops
        render=synth_ir.render,
        # Two-row plates (tworow.py): set two_row_p (the share of synthetic samples) to train on
        # unfolded motorcycle plates; the Iranian grammar then needs their 8-digit format.
        render_two_row=synth_ir.render_motorcycle, two_row_heights=(40, 140),
        binarize_p=0.0,
        crop_heights=(16, 110),             # simulated crop heights in camera pixels
        left_cut=0.12,                      # synthetic: often cut into the blue strip, like real crops
        left_pad=0.10,                      # real: sometimes a wider left margin
        edge_cut=0.06,                      # real: sometimes a side cut into the first or last digit
        seed=1,                             # the shipped model's run
        seed_runs={0: 214, 1: 217},         # float exact on the held-out crops of each run of these settings (card)
        splice=0.5,                         # share of real samples spliced from two crops (splice.py)
        eval_sets=["ir-plates"],
        steps=12000, batch=64, lr=2e-3, minutes=50,
        # `main.py all` then runs a second stage from the first one's EMA weights with a
        # fresh warm-up and cosine at half the peak rate (out/ir_stage1 keeps stage 1).
        finetune=dict(lr=1e-3, minutes=20),
    ),
    "latin": dict(
        name="plate-reader-latin",
        charset=LATIN_CHARSET,
        canon=canonical_latin,
        height=32, width=128,
        channels=(16, 32, 48, 64, 96), head=128, dilations=(1, 2, 4),
        # br-plates and ar-plates (real Brazilian and Argentine crops) teach the grey and red
        # pre-2018 Brazilian plates, Mercosur and the old Argentine plates from real photos,
        # and their crops are loose (the plate fills about half the width).
        train_sets={"us-plates": 0.45, "br-plates": 0.27, "ar-plates": 0.10, "ru-plates": 0.12, "kz-plates": 0.06},
        # The real Latin sets are small (677 training crops) and a run fits them perfectly
        # long before it stops, so this reader is regularised harder than the Iranian one:
        # more synthetic plates per batch, fewer undamaged real crops, more dropout before
        # the classifier and real weight decay.
        real_fraction=0.4,
        loose_p=0.12,                       # synthetic crops with a wide margin (augment.geometric)
        clean_real=(0.10, 0.15),            # shares of real crops shown as stored / lightly moved
        dropout=0.25,
        weight_decay=0.05,
        render=synth_latin.render,
        # Two-row plates (tworow.py): this share of the synthetic samples is a rendered square
        # plate, shown unfolded as the product reads square crops; real two-row crops unfolded too.
        render_two_row=synth_latin.render_two_row, two_row_heights=(40, 160), two_row_p=0.1,
        binarize_p=0.08,
        crop_heights=(24, 140),             # US text is under half the plate height
        eval_sets=["us-plates", "br-plates", "ar-plates", "ru-plates", "kz-plates"],
        calib_method="minmax",              # int8 ranges: min/max matches the float model on every held-out figure
                                            # of this model; the 99.999th percentile ("percentile") lost 1 to 2 US crops
        steps=16000, batch=64, lr=2e-3, minutes=90,
    ),
}
