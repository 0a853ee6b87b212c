#!/usr/bin/python3
"""EdgeAnpr plate-reader training entry point.

  /usr/bin/python3 training/main.py all --reader ir        # train, export, quantise, eval, card
  /usr/bin/python3 training/main.py all --reader latin
  /usr/bin/python3 training/main.py split                  # (re)write training/splits/*.txt
  /usr/bin/python3 training/main.py train|export|quantize|eval|card --reader R
  /usr/bin/python3 training/main.py preview --reader R     # a PNG of training samples

Data: ../shared/data relative to the repository root; override with --data or
EDGEANPR_DATA.  Intermediates go to training/out/<reader>/, the shipped files to
models/plate-reader-<reader>.{onnx,json,md}.
"""
import argparse
import json
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import torch  # noqa: E402

from platereader import card, evaluate, onnx_export, ortrun, quantize, realdata, splice  # noqa: E402
from platereader.config import READERS  # noqa: E402
from platereader.train import build_model, train  # noqa: E402

ALL_SETS = ["ir-plates", "us-plates", "ru-plates", "kz-plates", "br-plates", "ar-plates"]


def out_dir(reader):
    return os.path.join(HERE, "out", reader)


def logger(reader):
    os.makedirs(out_dir(reader), exist_ok=True)
    f = open(os.path.join(out_dir(reader), "log.txt"), "a", encoding="utf-8")

    def log(msg):
        line = time.strftime("%H:%M:%S ") + msg
        print(line, flush=True)
        f.write(line + "\n")
        f.flush()
    return log


def load_model(reader):
    cfg = READERS[reader]
    model = build_model(cfg)
    state = torch.load(os.path.join(out_dir(reader), "model.pt"))
    model.load_state_dict(state["model"])
    return model.eval(), state.get("step")


def cmd_split(args):
    sizes = realdata.write_split_lists(args.data, os.path.join(HERE, "splits"), ALL_SETS)
    for k, v in sizes.items():
        print(f"{k}: train {v[0]} rows ({v[2]} texts), val {v[1]} rows ({v[3]} texts)")


def cmd_train(args):
    torch.set_num_threads(1)
    log = logger(args.reader)
    log(f"training {args.reader} from {args.data}")
    t0 = time.time()
    cfg = READERS[args.reader]
    seed = cfg.get("seed", 0) if args.seed is None else args.seed
    train(cfg, args.data, out_dir(args.reader), steps=args.steps, seed=seed,
          log=log, max_minutes=args.max_minutes, init=args.init, lr=args.lr)
    step = torch.load(os.path.join(out_dir(args.reader), "model.pt")).get("step")
    minutes = (time.time() - t0) / 60
    with open(os.path.join(out_dir(args.reader), "train_time.json"), "w") as f:
        json.dump({"minutes": minutes, "steps": step}, f)
    # Provenance for the model card: every training stage that led to this checkpoint.
    history = []
    if args.init:
        prev = os.path.join(os.path.dirname(os.path.abspath(args.init)), "history.json")
        if os.path.exists(prev):
            history = json.load(open(prev))
    command = getattr(args, "train_command", None) or "main.py " + " ".join(sys.argv[1:])
    history.append({"command": command, "steps": step, "minutes": round(minutes, 1), "init": args.init})
    with open(os.path.join(out_dir(args.reader), "history.json"), "w") as f:
        json.dump(history, f, indent=1)


def cmd_export(args):
    model, _ = load_model(args.reader)
    onnx_export.export_float(model, os.path.join(out_dir(args.reader), "float.onnx"))


def cmd_quantize(args):
    cfg = READERS[args.reader]
    d = out_dir(args.reader)
    rows, x = evaluate.calibration_batch(cfg, args.data, limit=args.calib)
    method = args.calib_method or cfg.get("calib_method", "minmax")
    ranges = quantize.calibrate(os.path.join(d, "float.onnx"), x, method=method)
    quantize.quantize(os.path.join(d, "float.onnx"), os.path.join(d, "int8.onnx"), ranges,
                      quantize_logits=not args.float_logits)
    with open(os.path.join(d, "calibration.json"), "w") as f:
        json.dump({"rows": len(rows), "method": method, "float_logits": args.float_logits,
                   "sets": sorted({r.set_name for r in rows})}, f)
    os.makedirs(os.path.join(REPO, "models"), exist_ok=True)
    shutil.copyfile(os.path.join(d, "int8.onnx"), os.path.join(REPO, "models", cfg["name"] + ".onnx"))


def cmd_eval(args):
    cfg = READERS[args.reader]
    d = out_dir(args.reader)
    model, step = load_model(args.reader)
    res = evaluate.evaluate(cfg, model, os.path.join(d, "float.onnx"), os.path.join(d, "int8.onnx"),
                            args.data, parts=("val", "train"))
    lat = {"float": ortrun.bench(os.path.join(d, "float.onnx"), cfg["height"], cfg["width"], 3000),
           "int8": ortrun.bench(os.path.join(d, "int8.onnx"), cfg["height"], cfg["width"], 3000),
           "int8_spin": ortrun.bench(os.path.join(d, "int8.onnx"), cfg["height"], cfg["width"], 3000, spin=True)}
    ops = ortrun.optimized_ops(os.path.join(d, "int8.onnx"))
    out = {"results": res, "latency": lat, "ort_ops": ops, "step": step}
    with open(os.path.join(d, "eval.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    for s, parts in res.items():
        for p, r in parts.items():
            print(f"{s} {p}: " + ", ".join(f"{k} {v['exact']}/{v['n']} = {100 * v['exact_rate']:.2f}%"
                                           for k, v in r.items()))
    print("latency", json.dumps(lat))
    print("ORT ops", ops)


def cmd_card(args):
    card.write(args.reader, READERS[args.reader], out_dir(args.reader), os.path.join(REPO, "models"), args.data)


def cmd_align(args):
    """Cut positions between the characters of each training crop (see splice.py), from the
    reader in out/<reader>/model.pt, which must have been trained on the training split only."""
    cfg = READERS[args.reader]
    model, step = load_model(args.reader)
    for name in cfg["train_sets"]:
        train, _ = realdata.split_rows(realdata.load_rows(args.data, name))
        train = realdata.with_fixes(train, name)
        cuts = splice.align(model, cfg, train)
        path = splice.cuts_path(name)
        splice.write_cuts(path, cuts)
        print(f"{name}: {len(cuts)} of {len(train)} training crops aligned (model step {step}) -> {path}")


def cmd_preview(args):
    import cv2
    import numpy as np
    from platereader.train import RealPool, SynthPool, make_batch
    cfg = READERS[args.reader]
    real = RealPool(args.data, cfg["train_sets"], cfg.get("splice", 0.0))
    synth = SynthPool(cfg["render"], size=200)
    x, _, _ = make_batch(cfg, real, synth, 48)
    img = (x.numpy()[:, 0] * 255).astype(np.uint8)
    grid = np.vstack([np.hstack(list(img[i:i + 3])) for i in range(0, 48, 3)])
    path = os.path.join(out_dir(args.reader), "preview.png")
    os.makedirs(out_dir(args.reader), exist_ok=True)
    cv2.imwrite(path, cv2.resize(grid, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST))
    print(path)


def cmd_all(args):
    cmd_split(args)
    args.train_command = f"main.py train --reader {args.reader}"
    cmd_train(args)
    ft = READERS[args.reader].get("finetune")
    if ft:
        # Second stage: continue from the first stage's EMA weights with a fresh, lower
        # warm-up/cosine schedule.  The first stage's folder is kept as out/<reader>_stage1.
        stage1 = out_dir(args.reader) + "_stage1"
        if os.path.exists(stage1):
            shutil.rmtree(stage1)
        os.rename(out_dir(args.reader), stage1)
        args.init = os.path.join(stage1, "model.pt")
        args.lr, args.max_minutes, args.steps = ft["lr"], ft["minutes"], ft.get("steps")
        args.train_command = (f"main.py train --reader {args.reader} --init out/{args.reader}_stage1/model.pt "
                              f"--lr {ft['lr']:g} --max-minutes {ft['minutes']:g}")
        cmd_train(args)
    for f in (cmd_export, cmd_quantize, cmd_eval, cmd_card):
        f(args)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["split", "train", "export", "quantize", "eval", "card", "preview", "align", "all"])
    p.add_argument("--reader", choices=sorted(READERS), default="ir")
    p.add_argument("--data", default=realdata.default_data_root(),
                   help="folder holding ir-plates/, us-plates/, ... (default ../shared/data from the repo root, "
                        "or $EDGEANPR_DATA)")
    p.add_argument("--steps", type=int, default=None, help="training steps (default: the reader's config)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the reader's config, else 0)")
    p.add_argument("--init", default=None, help="continue training from this checkpoint (model.pt)")
    p.add_argument("--lr", type=float, default=None, help="peak learning rate (default: the reader's config)")
    p.add_argument("--max-minutes", type=float, default=None, help="stop training after this long")
    p.add_argument("--calib", type=int, default=400, help="real training crops used for calibration")
    p.add_argument("--calib-method", choices=["minmax", "percentile"], default=None,
                   help="activation ranges for int8 (default: the reader's config, else minmax)")
    p.add_argument("--float-logits", action="store_true",
                   help="leave the classifier output unquantised (see quantize.py)")
    args = p.parse_args()
    args.data = os.path.abspath(args.data)
    {"split": cmd_split, "train": cmd_train, "export": cmd_export, "quantize": cmd_quantize,
     "eval": cmd_eval, "card": cmd_card, "preview": cmd_preview, "align": cmd_align, "all": cmd_all}[args.command](args)


if __name__ == "__main__":
    main()
