"""Training loop of a reader (CPU, one thread).

Each batch mixes real training-split crops (augmented, sometimes only lightly so the
net also sees crops like the validation ones) with synthetic plates from a pool that is
partly re-rendered every step (rendering costs ~5 ms a plate, so each render is reused
a few times under different augmentations).  The weights are averaged (EMA) and the
average is what gets exported: on small real sets it is steadier than the last step.
No validation row is ever read here.
"""
import copy
import math
import os
import random
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from . import augment, realdata, splice, tworow
from .charsets import encode, greedy_decode
from .model import PlateReader, count_macs
from .preprocess import gray_to_input


class SynthPool:
    """A pool of rendered synthetic plates (gray), a few replaced on every draw."""

    def __init__(self, render, size=1500, refresh=5):
        self.render, self.refresh = render, refresh
        self.items = [self._one() for _ in range(size)]

    def _one(self):
        rgb, text = self.render()
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), text

    def step(self):
        for _ in range(self.refresh):
            self.items[random.randrange(len(self.items))] = self._one()

    def sample(self):
        return random.choice(self.items)


class RealPool:
    """The real training-split crops of several sets, sampled by set weight.

    With `splice_p` > 0, that share of the samples is a new plate spliced from two real
    crops of the same set (see splice.py), for the sets that have cut positions."""

    def __init__(self, data_root, weights, splice_p=0.0):
        self.sets, self.weights, self.aligned = [], [], []
        self.splice_p = splice_p
        for name, w in weights.items():
            train, _ = realdata.split_rows(realdata.load_rows(data_root, name))
            train = realdata.with_fixes(train, name)
            cuts = splice.read_cuts(name) if splice_p else {}
            items = [(realdata.load_gray(r), r.text, cuts.get(r.file)) for r in train]
            self.sets.append(items)
            self.aligned.append([it for it in items if it[2]])
            self.weights.append(w)

    def sample(self):
        k = random.choices(range(len(self.sets)), self.weights)[0]
        aligned = self.aligned[k]
        if len(aligned) > 1 and random.random() < self.splice_p:
            return splice.splice(random.choice(aligned), random.choice(aligned))
        gray, text, _ = random.choice(self.sets[k])
        return gray, text


def make_batch(cfg, real: RealPool, synth: SynthPool, n: int, two_row: SynthPool = None):
    """One batch; `two_row` (when the reader's config has `two_row_p`) holds rendered two-row
    plates, shown unfolded (tworow.unfold) as the product reads square crops."""
    images, targets, lengths = [], [], []
    real_edges = dict(left_pad=cfg.get("left_pad", 0.0), edge_cut=cfg.get("edge_cut", 0.0))
    for _ in range(n):
        if random.random() < cfg["real_fraction"]:
            gray, text = real.sample()
            r = random.random()
            stored, light = cfg.get("clean_real", (0.15, 0.20))
            if r < stored:    # as stored: the validation crops look like this
                crop = gray
            elif r < stored + light:    # lightly moved, no damage
                crop = augment.geometric(gray, False, max(16, gray.shape[0]), jitter=0.4, **real_edges)
            else:
                crop = augment.augment(gray, False, cfg["crop_heights"], cfg["binarize_p"], **real_edges)
            if two_row is not None and gray.shape[1] < tworow.REAL_TWO_ROW_ASPECT * gray.shape[0]:
                crop = tworow.unfold(crop)
        elif two_row is not None and random.random() < cfg["two_row_p"]:
            gray, text = two_row.sample()
            crop = tworow.unfold(augment.augment(gray, True, cfg["two_row_heights"], cfg["binarize_p"]))
        else:
            gray, text = synth.sample()
            crop = augment.augment(gray, True, cfg["crop_heights"], cfg["binarize_p"],
                                   left_cut=cfg.get("left_cut", 0.0), loose_p=cfg.get("loose_p", 0.0))
        images.append(gray_to_input(crop, cfg["width"], cfg["height"]))
        t = encode(text, cfg["charset"])
        targets.extend(t)
        lengths.append(len(t))
    return (torch.from_numpy(np.stack(images)), torch.tensor(targets, dtype=torch.long),
            torch.tensor(lengths, dtype=torch.long))


def build_model(cfg) -> PlateReader:
    return PlateReader(len(cfg["charset"]), cfg["height"], cfg["width"], cfg["channels"], cfg["head"],
                       dropout=cfg.get("dropout", 0.1), dilations=cfg["dilations"])


def train(cfg, data_root, out_dir, steps=None, seed=0, log=print, max_minutes=None, init=None, lr=None):
    """Train one reader; `init` continues from an earlier checkpoint (its EMA weights)."""
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    steps = steps or cfg["steps"]
    os.makedirs(out_dir, exist_ok=True)

    model = build_model(cfg)
    if init:
        model.load_state_dict(torch.load(init)["model"])
        log(f"initialised from {init}")
    base_lr = lr or cfg["lr"]
    log(f"model: {count_macs(model) / 1e6:.1f} M MACs, {sum(p.numel() for p in model.parameters())} params")
    ema = copy.deepcopy(model).eval()
    real = RealPool(data_root, cfg["train_sets"], cfg.get("splice", 0.0))
    log("rendering the synthetic pool ...")
    synth = SynthPool(cfg["render"])
    two_row = SynthPool(cfg["render_two_row"], size=500) if cfg.get("two_row_p") else None
    # Weight decay on conv weights only (not on BatchNorm scales/shifts or biases).
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.get("weight_decay", 1e-4)},
                             {"params": no_decay, "weight_decay": 0.0}], lr=base_lr)
    # Cosine schedule over whichever runs out first, the steps or the time budget, so a
    # slow (shared) machine still ends with a fully annealed model inside the budget.
    warm = min(100 if init else 500, steps // 10)
    budget_s = 60 * (max_minutes or cfg["minutes"])
    ctc = torch.nn.CTCLoss(blank=0, zero_infinity=True)
    t0 = time.time()
    avg_loss, seen_ok, seen_n = None, 0, 0
    for step in range(1, steps + 1):
        progress = max(step / steps, (time.time() - t0) / budget_s)
        lr = base_lr * min(1.0, step / warm) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
        for group in opt.param_groups:
            group["lr"] = lr
        model.train()
        synth.step()
        if two_row is not None:
            two_row.step()
        x, y, ylen = make_batch(cfg, real, synth, cfg["batch"], two_row)
        logits = model(x)                                     # [N, T, C]
        logp = F.log_softmax(logits, 2).permute(1, 0, 2)      # [T, N, C] for CTCLoss
        tlen = torch.full((x.shape[0],), logits.shape[1], dtype=torch.long)
        loss = ctc(logp, y, tlen, ylen)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        decay = min(0.999, (1 + step) / (10 + step))
        with torch.no_grad():
            for pe, pm in zip(ema.state_dict().values(), model.state_dict().values()):
                if pe.dtype.is_floating_point:
                    pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
                else:
                    pe.copy_(pm)
        avg_loss = loss.item() if avg_loss is None else 0.98 * avg_loss + 0.02 * loss.item()
        # Exact-match rate on the (augmented) training batch, as a progress signal.
        pred = logits.argmax(2).numpy()
        off = 0
        for i, L in enumerate(ylen.tolist()):
            truth = y[off:off + L].tolist()
            off += L
            seen_ok += greedy_decode(pred[i], cfg["charset"]) == "".join(cfg["charset"][k] for k in truth)
            seen_n += 1
        if step % 200 == 0 or step == steps:
            el = time.time() - t0
            log(f"step {step}/{steps} loss {avg_loss:.3f} batch-exact {seen_ok / seen_n:.3f} "
                f"lr {lr:.2e} {el / 60:.1f} min ({el / step:.2f} s/step)")
            seen_ok = seen_n = 0
        if step % 1000 == 0 or step == steps:
            torch.save({"model": ema.state_dict(), "step": step}, os.path.join(out_dir, "model.pt"))
        if progress >= 1.0:
            log(f"finished at step {step} ({(time.time() - t0) / 60:.1f} min)")
            torch.save({"model": ema.state_dict(), "step": step}, os.path.join(out_dir, "model.pt"))
            break
    return ema
