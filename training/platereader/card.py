"""Writes the shipped sidecar JSON (read by the C# side) and the model card.

All figures in the card are read from training/out/<reader>/eval.json etc., i.e.
measured by this code, not typed in by hand.
"""
import json
import os
import platform
import subprocess

import onnx

from . import realdata
from .model import count_macs
from .train import build_model


def sidecar(cfg) -> dict:
    return {
        "input": "image",
        "output": "logits",
        "height": cfg["height"],
        "width": cfg["width"],
        "channels": 1,
        "normalize": "gray/255",
        "layout": "NCHW",
        "charset": cfg["charset"],
        "blank": 0,
        "outputKind": "logits",
        "timeSteps": cfg["width"] // 4,
        # Trained on unfolded two-row plates (tworow.py): the product also reads squarish crops unfolded.
        **({"twoRow": "unfold"} if cfg.get("two_row_p") else {}),
    }


def _cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _seed_note(reader, cfg):
    """Where the shipped run was picked from several seeds on the validation figures, the card says so."""
    runs = cfg.get("seed_runs")
    if not runs:
        return ""
    seed = cfg.get("seed", 0)
    listed = ", ".join(f"seed {s} {n}" for s, n in runs.items())
    rank = "the best" if runs.get(seed) == max(runs.values()) else "one"
    return (f"  This run (seed {seed}) is {rank} of {len(runs)} runs of the same settings (float exact "
            f"on these crops: {listed}; `main.py all --reader {reader} --seed N` makes another), picked on "
            f"these validation figures, so its figures are optimistic by about the runs' scatter.")


def _ir_aug(cfg):
    return (f"  Iranian specifics: synthetic plates have their left edge cut in by up to "
            f"{100 * cfg.get('left_cut', 0):.0f}% of the plate width half the time (real crops often cut off part "
            f"or all of the blue strip, leaving the first digit at the edge), real crops get a left margin of up "
            f"to {100 * cfg.get('left_pad', 0):.0f}% now and then, or have a side cut in by up to "
            f"{100 * cfg.get('edge_cut', 0):.0f}% (a fifth of the time, each side: tight boxes that cut through the "
            f"first or last digit), and the synthetic texts have equal neighbouring "
            f"digits (e.g. a first pair `22`) more often than chance, since CTC needs a blank between them."
            + _ir_splice(cfg))


def _ir_splice(cfg):
    from . import splice
    cuts = splice.read_cuts("ir-plates")
    fixes = realdata.read_fixes("ir-plates")
    text = ""
    if cfg.get("splice") and cuts:
        text += (f"\n\nReal-glyph splicing (`training/platereader/splice.py`): {100 * cfg['splice']:.0f}% of the real "
                 f"samples are new plates made from two real training crops, cut at the gaps between character slots "
                 f"(the left part of one and the right part of the other, or a middle run, often the letter alone, "
                 f"from the second, its gray levels matched), so each real glyph is seen beside many neighbours in "
                 f"the plate typeface itself.  The cut positions, in `training/splits/ir-plates-cuts.tsv`, cover "
                 f"{len(cuts)} of the training crops: found from each crop's dark connected components and kept only "
                 f"where a reader trained on the training split reads at least 3 in 4 test splices of that crop "
                 f"(`main.py align` remakes the file).  Validation crops are never cut.")
    if fixes:
        text += (f"\n\nLabel fixes: `training/splits/ir-plates-fixes.tsv` corrects {len(fixes)} training labels whose "
                 f"letter is not the one the crop shows (each row gives the reason).  Only training rows are "
                 f"corrected, after the split; the validation figures below use the labels exactly as the data set "
                 f"has them.")
    return text


def _audit_note(ev):
    """What the audited validation figure is, when there is one."""
    notes = []
    for s, parts in ev["results"].items():
        if "val_audited" not in parts:
            continue
        audit = realdata.read_audit(s)
        n = parts["val"]["int8"]["n"]
        ceiling = (n - len(audit)) / n
        notes.append(
            f"\nAudited labels: every validation crop of `{s}` was checked by eye against its label, and "
            f"{len(audit)} of the {n} labels name other characters than the crop shows beyond doubt (a look-alike "
            f"pair the plate's font draws the same, such as O/0 on many US plates, is left as labelled) "
            f"(`training/splits/{s}-val-audit.tsv`: file, label, what the crop shows, why).  A reader that reads "
            f"every crop as it is would score at most {100 * ceiling:.2f}% against the labels as given, so the "
            f"bar is measured on the labels as given (the first row) and the audited row is shown beside it, "
            f"never instead.  The audit was made before this model was evaluated and is not changed to suit a "
            f"model.\n")
    return "\n".join(notes)


def _latin_synth():
    from . import synth_latin as sl
    names = {"render_us": "US-style", "render_ru": "Russian", "render_kz": "Kazakh",
             "render_eu": "European-style", "render_br": "Brazilian pre-2018 (grey, red commercial)",
             "render_mercosur": "Brazilian Mercosur"}
    total = sum(w for _, w in sl.RENDERERS)
    mix = ", ".join(f"{names.get(fn.__name__, fn.__name__)} {100 * w / total:.0f}%" for fn, w in sl.RENDERERS)
    p = sl.SHAPE_P
    return (f"  Synthetic mix: {mix}.  Brazil's pre-2018 \"Mandatory\" face has an O (and 0) that is a "
            f"narrow rounded rectangle with straight sides, close to its D, and a 1 that is a plain bar like "
            f"its I; no installed font looks like that, so O, 0 and D are drawn as such rounded rectangles "
            f"(D with square left corners) and 1 and I as plain bars in {100 * p['br']:.0f}% of the pre-2018 "
            f"Brazilian plates, {100 * p['mercosur']:.0f}% of the Mercosur ones, {100 * p['eu']:.0f}% of the "
            f"European-style and {100 * p['us']:.0f}% of the US-style ones; Brazilian texts favour the "
            f"letters and digits that the previous reader confused on `br-scenes` ({sl.BR_HARD_LETTERS}, "
            f"{sl.BR_HARD_DIGITS}).  Between and around the characters the renderer draws what real plates carry "
            f"and a reader must not read: coats of arms (a shield with a double cross, a round crest), the two "
            f"stacked inspection stickers of Czech plates, badges, screws, separators (space, hyphen, dot), the "
            f"Kazakh flag and `KZ`.  No `br-scenes` image is used for training or calibration, but this "
            f"renderer was designed while looking at that set's misreads, so its figure is not fully blind.")


def _pct(r):
    return f"{100 * r['exact_rate']:.2f}% ({r['exact']}/{r['n']})"


def write(reader, cfg, out_dir, models_dir, data_root):
    name = cfg["name"]
    onnx_path = os.path.join(models_dir, name + ".onnx")
    with open(os.path.join(models_dir, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(sidecar(cfg), f, ensure_ascii=False, indent=1)
        f.write("\n")

    ev = json.load(open(os.path.join(out_dir, "eval.json"), encoding="utf-8"))
    tt = json.load(open(os.path.join(out_dir, "train_time.json")))
    cal = json.load(open(os.path.join(out_dir, "calibration.json")))
    model = build_model(cfg)
    macs = count_macs(model)
    params = sum(p.numel() for p in model.parameters())
    size = os.path.getsize(onnx_path)
    m = onnx.load(onnx_path)
    ops = {}
    for n in m.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1

    split_lines = []
    for s in cfg["train_sets"]:
        train, val = realdata.split_rows(realdata.load_rows(data_root, s))
        split_lines.append(f"| `{s}` | {len(train)} ({len({r.text for r in train})} texts) | "
                           f"{len(val)} ({len({r.text for r in val})} texts) | "
                           f"`training/splits/{s}-train.txt`, `training/splits/{s}-val.txt` |")

    acc_lines = []
    for s, parts in ev["results"].items():
        for part in ("val", "val_audited", "train"):
            if part not in parts:
                continue
            r = parts[part]
            label = {"val": "**validation (held out)**", "val_audited": "validation, audited labels (see below)",
                     "train": "training split"}[part]
            acc_lines.append(f"| `{s}` | {label} | "
                             f"{r['int8']['n']} | {_pct(r['torch'])} | {_pct(r['float_onnx'])} | "
                             f"**{_pct(r['int8'])}** | {100 * r['float_onnx']['cer']:.2f}% / "
                             f"{100 * r['int8']['cer']:.2f}% |")

    err_lines = []
    for s, parts in ev["results"].items():
        for f_, truth, pred in parts["val"]["int8"]["errors"]:
            err_lines.append(f"| `{s}/{f_}` | `{truth}` | `{pred}` |")
    if not err_lines:
        err_lines.append("| (none) | | |")

    lat = ev["latency"]
    charset_str = " ".join(f"`{c}`" for c in cfg["charset"][1:])
    c1, c2, c3, c4, c5 = cfg["channels"]
    h8 = cfg["height"] // 8
    T = cfg["width"] // 4
    bars = {"ir": [("ir-plates", 0.98)],
            "latin": [("us-plates", 0.92), ("br-plates", 0.95), ("ar-plates", 0.95)]}[reader]
    bar = ", ".join(f"held-out `{s_}` exact plate >= {100 * r_:.0f}%" for s_, r_ in bars)
    bar_parts = []
    bar_met = True
    for bar_set, bar_rate in bars:
        if bar_set not in ev["results"]:
            continue
        bar_v = ev["results"][bar_set]["val"]["int8"]
        met = bar_v["exact_rate"] >= bar_rate
        bar_met = bar_met and met
        bar_parts.append(f"`{bar_set}` {'**met**' if met else '**not met**'} ({_pct(bar_v)})")
    bar_line = "int8 on the held-out crops: " + "; ".join(bar_parts)

    hist_path = os.path.join(out_dir, "history.json")
    history = json.load(open(hist_path)) if os.path.exists(hist_path) else \
        [{"command": f"training/main.py train --reader {reader}", "steps": tt["steps"], "minutes": round(tt["minutes"], 1)}]
    history_rows = "\n".join(f"| {i + 1} | `{h['command']}` | {h['steps']} | {h['minutes']:.0f} |"
                              for i, h in enumerate(history))
    total_steps = sum(h["steps"] or 0 for h in history)
    total_min = sum(h["minutes"] or 0 for h in history)
    s_per_step = 60 * total_min / max(1, total_steps)
    stored, light = cfg.get("clean_real", (0.15, 0.20))
    zero_note = ""
    if reader == "latin" and "us-plates" in ev["results"]:
        v = ev["results"]["us-plates"]["val"]["int8"]
        fold = str.maketrans("OI", "01")
        folded = sum(1 for _, t, p_ in v["errors"] if t.translate(fold) == p_.translate(fold))
        zero_note += (f"\n{folded} of the errors are only O/0 or I/1 swaps; many US states print O and 0 (and "
                      f"I and 1) with one glyph and the labels are not consistent about them.  Counting those "
                      f"as right, the int8 model reads {v['exact'] + folded}/{v['n']} = "
                      f"{100 * (v['exact'] + folded) / v['n']:.2f}% (all crops).  A watchlist match that treats "
                      f"O=0 and I=1 as equal would recover them.\n")
    if reader == "ir" and not bar_met:
        v = ev["results"]["ir-plates"]["val"]["int8"]
        audit = realdata.read_audit("ir-plates")
        wrong_label = [e for e in v["errors"] if audit.get(e[0]) == e[2]]
        rest = [e for e in v["errors"] if e not in wrong_label]
        letters = [f"`{t[2]}`->`{p_[2]}`" for _, t, p_ in rest if len(p_) == len(t) and p_[2] != t[2]
                   and p_[:2] + p_[3:] == t[:2] + t[3:]]
        letter = len(letters)
        pair = sum(1 for _, t, p_ in rest if len(p_) == len(t) and p_[:2] != t[:2] and p_[2:] == t[2:])
        kinds = [f"{letter} the Persian letter alone read as a look-alike ({', '.join(letters)})" if letter else "",
                 f"{pair} a wrong digit in the first pair (at the left edge of a tight crop)" if pair else "",
                 f"{len(rest) - letter - pair} other single-character errors or reads the greedy decode got "
                 f"wrong in length" if len(rest) > letter + pair else ""]
        kinds = [k for k in kinds if k]
        kinds_text = ", ".join(kinds[:-1]) + (" and " if len(kinds) > 1 else "") + (kinds[-1] if kinds else "none")
        zero_note = (f"\n**Below the bar.**  Of the {len(v['errors'])} errors against the labels as given, "
                     f"{len(wrong_label)} are crops whose label the audit below found wrong and which the model "
                     f"reads as they are; of the rest, {kinds_text}.  Training accuracy is "
                     f"{100 * ev['results']['ir-plates']['train']['int8']['exact_rate']:.1f}% (training labels "
                     f"as corrected), so the model fits the training crops; the remaining gap is generalisation "
                     f"from about 900 real plate texts.\n")
    context_rows = "\n".join(
        f"| conv | 1x3, dilation {d} (context along the text) | {cfg['head']} x 1 x {T} |" for d in cfg["dilations"])
    n_conv = ops.get("Conv", 0)
    text = f"""# {name}

Plate **reader** of EdgeAnpr: reads the text of one plate crop (the detector's box) with
a small all-convolutional CTC network, int8-quantised (QDQ).  Trained by this
repository's `training/` code; no downloaded weights.

| | |
|---|---|
| file | `models/{name}.onnx` ({size:,} bytes = {size / 1024:.0f} KiB) + sidecar `models/{name}.json` |
| reads | {"Iranian plates (2 digits, Persian letter, 3 digits, 2-digit region)" if reader == "ir" else "Latin-script plates: US, Russian and Kazakh (Cyrillic letters as their Latin look-alikes), generic European-style, Brazilian (pre-2018 and Mercosur)"} |
| compute | {macs / 1e6:.1f} M multiply-accumulates per plate, {params:,} parameters |
| int8 latency | **{lat['int8']['median_ms']:.3f} ms** median per plate (ONNX Runtime 1.30, 1 intra-op thread, x86-64, see below) |
| bar | {bar}: {bar_line} |

## Contract (the C# side relies on every line)

* Input `image`: float32 `[N,1,{cfg['height']},{cfg['width']}]`, N dynamic, NCHW.
* Preprocessing: crop -> 8-bit gray with OpenCV's `BGR2GRAY` weights
  (0.299 R + 0.587 G + 0.114 B) -> stretch to {cfg['width']}x{cfg['height']} with bilinear
  interpolation (`cv2.resize(..., INTER_LINEAR)`), no aspect padding -> value = gray/255.
* Output `logits`: float32 `[N,{T},{len(cfg['charset'])}]`: {T} time steps along the image
  columns, left to right, {len(cfg['charset'])} classes; raw logits (no softmax).
* Decode: greedy CTC (argmax per step, merge repeats, drop blank = class 0).
* Class i is `charset[i]` in `models/{name}.json`; class 0 is the blank (`""`).
* Canonical text: {"visual left-to-right, digits as ASCII, the letter as its Persian character, e.g. `81و63813`; `♿` (U+267F) for the plate of a disabled driver" if reader == "ir" else "upper-case ASCII letters and digits, no spaces or dashes (`AYO9034`, `H002EX71`)"}.

Sidecar (`models/{name}.json`):

```json
{json.dumps(sidecar(cfg), ensure_ascii=False)}
```

## Character set

{len(cfg['charset']) - 1} characters after the blank: {charset_str}
{"" if reader != "ir" else chr(10) + "The real data contain 17 of the letters and ♿; ث ز ش ف ک گ come only from the synthetic renderer, so expect them to be read less reliably." + chr(10)}
## Architecture

Plain chain of convolutions (BatchNorm folded into them at export), every one followed by
ReLU except the classifier; no recurrent layers (they quantise and run poorly in ORT).

| layer | kernel / stride | output (C x H x W) |
|---|---|---|
| conv | 3x3 / 2 | {c1} x {cfg['height'] // 2} x {cfg['width'] // 2} |
| conv | 3x3 / 1 | {c2} x {cfg['height'] // 2} x {cfg['width'] // 2} |
| conv | 3x3 / 2 | {c3} x {cfg['height'] // 4} x {T} |
| conv | 3x3 / 1 | {c3} x {cfg['height'] // 4} x {T} |
| conv | 3x3 / (2,1) | {c4} x {h8} x {T} |
| conv | 3x3 / 1 | {c5} x {h8} x {T} |
| conv | {h8}x1 (collapses height) | {cfg['head']} x 1 x {T} |
{context_rows}
| conv (classifier) | 1x1 | {len(cfg['charset'])} x 1 x {T} -> Squeeze, Transpose -> `[N,{T},{len(cfg['charset'])}]` |

ONNX opset 13.  Ops in the shipped file: {", ".join(f"{k} x{v}" for k, v in sorted(ops.items()))}.
After ONNX Runtime's own graph optimisation the model runs as:
{", ".join(f"{k} x{v}" for k, v in sorted(ev['ort_ops'].items()))} (all {n_conv} convolutions as integer kernels).

## Training data

Real crops from `../shared/data` (not redistributed; see its README for sources and
rights), split **by plate text** (all rows of one text on the same side) with a
deterministic hash: a text goes to validation when `md5(text) mod 100 < 20`.  The
validation rows are never used for training or calibration.  `br-scenes` is never used.

| set | training rows | validation rows | lists |
|---|---|---|---|
{chr(10).join(split_lines)}

Each training batch of {cfg['batch']}: about {100 * cfg['real_fraction']:.0f}% real training crops
(weights {", ".join(f"`{k}` {v}" for k, v in cfg['train_sets'].items())}), the rest synthetic plates from the
project's own renderer (`training/platereader/synth_{"ir" if reader == "ir" else "latin"}.py`, fonts from the Debian packages
fonts-farsiweb, fonts-noto-core, fonts-dejavu-core{"" if reader == "ir" else ", plus narrow faces from fonts-liberation, fonts-urw-base35, fonts-roboto-unhinted, fonts-bebas-neue, fonts-freefont-ttf, fonts-open-sans where installed"}).  Augmentations
(`training/platereader/augment.py`): perspective, rotation, shear, loose/tight crop
jitter like a detector box{", loose crops with a wide margin around the plate (" + f"{100 * cfg['loose_p']:.0f}" + "% of the synthetic ones, like the br-plates crops)" if cfg.get('loose_p') else ""}, random crop resolution ({cfg['crop_heights'][0]}-{cfg['crop_heights'][1]} px tall), brightness/contrast,
gamma, night/IR low-contrast gray, glare, shadow, Gaussian and motion blur, noise,
JPEG artefacts{", Otsu binarisation (like the binarised ru/kz crops)" if cfg['binarize_p'] else ""}.  About {100 * stored:.0f}% of the real crops
are shown as stored and {100 * light:.0f}% only lightly moved.{_ir_aug(cfg) if reader == "ir" else _latin_synth()}

Training: CTC loss, AdamW (peak lr {cfg['lr']}, weight decay {cfg.get('weight_decay', 1e-4)} on the conv weights,
warm-up then cosine to zero over {cfg['steps']} steps or {cfg['minutes']} minutes, whichever ends first),
dropout {cfg.get('dropout', 0.1)} before the classifier, batch {cfg['batch']}, weight EMA (the EMA is exported), one
CPU thread at low priority (`nice`).  This model was trained in the stages below on a 2-core x86 machine
({_cpu()}) shared with C# builds, at about {s_per_step:.2f} s per step; each stage ended at its step count or
its time budget, whichever came first:

| stage | command (in `training/`) | steps | minutes |
|---|---|---|---|
{history_rows}

Total {total_steps} steps ({total_steps * cfg['batch']:,} crops seen, {total_min:.0f} minutes).  The schedule follows
the wall clock, so on a busier or quieter machine the default run (`main.py all`, which runs these same
stages) gets through fewer or more steps inside the same budget.

## Quantisation

Static int8 QDQ written by `training/platereader/quantize.py` (no onnxruntime Python
package here, so ORT's quantiser could not be used; the layout is the same):
weights int8 symmetric per output channel; biases int32 (scale = input scale x weight
scale); activations uint8 asymmetric, ranges by **{'the 0.001st / 99.999th percentiles' if cal['method'] == 'percentile' else cal['method']}** over **{cal['rows']} real crops of the
training split** ({", ".join(cal['sets'])}), run through the float model in ONNX Runtime; the input
gets scale 1/255, zero point 0 (lossless for gray/255).  {"The classifier's output (the logits) is left in float: its input and weights are int8 through DequantizeLinear, so ORT runs it as a float conv on dequantised values." if cal.get("float_logits") else "The classifier's output (the logits) is quantised too (uint8), so all convolutions run as QLinearConv and only the final Squeeze/Transpose see float values."}

## Accuracy

Exact plate = the whole decoded string equals the label.  CER = edit distance / label
length.  Every crop is read from its file and preprocessed exactly as in the contract.

| set | part | crops | float, PyTorch | float ONNX, ORT | **int8 ONNX, ORT** | CER float / int8 |
|---|---|---|---|---|---|---|
{chr(10).join(acc_lines)}

How measured: `training/main.py eval` (PyTorch 1.13 for the first column; ONNX Runtime
1.30.0 from the npm package `onnxruntime-node`, CPU provider, driven by
`training/tools/run_onnx.mjs`, for the other two).  The product's own figures will be
re-measured by the C# `edge-anpr eval` on the same crops; small differences can come from
JPEG decoding (OpenCV 4.6 here) and resize rounding.  The validation sets are small: one
crop is {100 / max(1, ev['results'][cfg['eval_sets'][0]]['val']['int8']['n']):.2f} points on `{cfg['eval_sets'][0]}`.
Training and augmentation settings were chosen while looking at these validation figures
across a few runs, so they are held out from training but not entirely from the
developer.{_seed_note(reader, cfg)}

{zero_note}{_audit_note(ev)}
Validation errors of the int8 model:

| crop | label | read |
|---|---|---|
{chr(10).join(err_lines)}

## Latency

Single-plate runs (batch 1) of the shipped file in ONNX Runtime 1.30.0 (npm
`onnxruntime-node`), one intra-op thread, sequential execution, graph optimisation
`all`, timed around `session.run` in node (so including the JS binding's overhead),
median / p90 of 3000 runs after 200 warm-up runs, on {_cpu()} (x86-64, shared with
other work while measured).  Not yet measured on the ARM box.

| model | median | p90 |
|---|---|---|
| int8, spinning off | {lat['int8']['median_ms']:.3f} ms | {lat['int8']['p90_ms']:.3f} ms |
| int8, spinning on | {lat['int8_spin']['median_ms']:.3f} ms | {lat['int8_spin']['p90_ms']:.3f} ms |
| float (not shipped) | {lat['float']['median_ms']:.3f} ms | {lat['float']['p90_ms']:.3f} ms |

## Retrain

From the repository root, with the data at `../shared/data` (or `EDGEANPR_DATA=/path`):

```sh
# what the build runs (the stages below, default budgets), for both readers:
./training/train_all.sh            # = nice -n 15 /usr/bin/python3 training/main.py all --reader {reader}
```

{"The commands that made the committed file, run inside `training/` (one training stage, the build's default):" if len(history) == 1 else f"The stages that made the committed file, run inside `training/` (between stages the previous `out/{reader}` folder was renamed to the folder the next `--init` names):"}

```sh
cd training
{chr(10).join("nice -n 15 /usr/bin/python3 " + h["command"] for h in history)}
nice -n 15 /usr/bin/python3 main.py export --reader {reader}
nice -n 15 /usr/bin/python3 main.py quantize --reader {reader}{" --float-logits" if cal.get("float_logits") else ""}
nice -n 15 /usr/bin/python3 main.py eval --reader {reader}
nice -n 15 /usr/bin/python3 main.py card --reader {reader}
```

Needs Debian packages python3-torch python3-onnx python3-opencv python3-numpy python3-pil
libopenblas0-pthread fonts-farsiweb fonts-noto-core fonts-dejavu-core (and, for the Latin
reader's synthetic variety, fonts-liberation fonts-urw-base35 fonts-roboto-unhinted
fonts-bebas-neue fonts-freefont-ttf fonts-open-sans), node (>= 18) and npm
(for `onnxruntime-node@1.30.0`, installed under `training/out/ortnode` by `train_all.sh`).
Intermediates (checkpoint, float ONNX, logs, eval.json) go to `training/out/{reader}/`.
Training is random (augmentation, and the schedule follows the wall clock on a slow
machine), so a retrained model differs slightly from this one; re-check the figures.
"""
    with open(os.path.join(models_dir, name + ".md"), "w", encoding="utf-8") as f:
        f.write(text)
