"""Train the plate detector (CPU, one thread).

    python3 train.py [--iters 6000] [--batch 16]

Samples are random crops (384x256; every 4th batch 640x384 at half the batch
size) of training frames, scaled around their
letterbox scale (x0.45 .. x1.8), so that plates 15..400 px wide are seen; pad
value 0 as in the letterbox. Targets follow TTFNet: an elliptical Gaussian
heatmap per plate (focal loss) and GIoU-trained ltrb distances on the cells
inside the plate's central Gaussian area.

Plate-size sampling (--size-mix p): with probability p a sample's scale is
chosen instead so that one of its plates gets a width drawn log-uniformly
from 12 px to 90% of the crop width, and the crop is centred on that plate.
This covers the tails of the size distribution evenly: far plates and
close-ups (a plate filling most of the 640x384 input), which are rare in the
training photos. --init warm-starts from a checkpoint (fine-tuning stage).
"""
import argparse
import math
import os
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

import common
import synth
from model import PlateDetector, STRIDE, BOX_SCALE

CROP_W, CROP_H = 384, 256
BIG_W, BIG_H = 640, 384   # every 4th batch: whole letterbox-size frames (large plates)
ALPHA = 0.54          # Gaussian size (TTFNet alpha/beta)
MIN_VISIBLE = 0.6     # a plate cut by the crop to less than this fraction is ignored


class Sampler:
    def __init__(self, items, seed, synth_prob=0.0, size_mix=0.0, rot_deg=5.0):
        self.items = items
        self.size_mix = size_mix
        self.rot_deg = rot_deg
        self.rng = np.random.RandomState(seed)
        self.synth_prob = synth_prob
        t = time.time()
        self.images = [common.read_gray(p) for p, _ in items]
        print(f"loaded {len(items)} training images in {time.time() - t:.0f}s", flush=True)

    def sample(self, crop_w=CROP_W, crop_h=CROP_H, scale_range=(0.45, 1.8)):
        rng = self.rng
        i = rng.randint(len(self.items))
        img, boxes = self.images[i], self.items[i][1].copy()
        if self.synth_prob and rng.rand() < self.synth_prob:
            img, boxes = synth.paste_plates(img, boxes, rng)
        h, w = img.shape
        lo, hi = scale_range
        k = None
        if len(boxes) and self.size_mix and rng.rand() < self.size_mix:
            # plate-size sampling: plate k gets a width log-uniform in [12, 0.9 * crop_w] px
            k = rng.randint(len(boxes))
            s = math.exp(rng.uniform(math.log(12.0), math.log(0.9 * crop_w))) / boxes[k, 2]
            s = min(s, 4.0 * common.letterbox_size(w, h)[0])   # no more than 4x the frame's own letterbox scale
        else:
            s = common.letterbox_size(w, h)[0] * math.exp(rng.uniform(math.log(lo), math.log(hi)))
        if len(boxes):
            s = min(s, 0.9 * crop_w / boxes[:, 2].max())   # the widest plate fits in the crop
        nw, nh = max(1, int(round(w * s))), max(1, int(round(h * s)))
        interp = cv2.INTER_LINEAR if rng.rand() < 0.8 else cv2.INTER_AREA
        img = cv2.resize(img, (nw, nh), interpolation=interp)
        b = boxes * s
        # crop window (may extend past the image: padding 0 as in the letterbox)
        if k is not None:
            # size-sampled plate: a window that holds it whole where it fits
            x0 = int(rng.uniform(min(b[k, 0], b[k, 0] + b[k, 2] - crop_w), max(b[k, 0], b[k, 0] + b[k, 2] - crop_w)))
            y0 = int(rng.uniform(min(b[k, 1], b[k, 1] + b[k, 3] - crop_h), max(b[k, 1], b[k, 1] + b[k, 3] - crop_h)))
        elif len(b) and rng.rand() < 0.85:
            k = rng.randint(len(b))
            cx, cy = b[k, 0] + b[k, 2] / 2, b[k, 1] + b[k, 3] / 2
            x0 = int(cx - rng.uniform(0.1, 0.9) * crop_w)
            y0 = int(cy - rng.uniform(0.1, 0.9) * crop_h)
        else:
            x0 = rng.randint(0, max(1, nw - crop_w + 1))
            y0 = rng.randint(0, max(1, nh - crop_h + 1))
        x0 = min(max(x0, 0), max(0, nw - crop_w // 2))      # pad only right/bottom, as the letterbox
        y0 = min(max(y0, 0), max(0, nh - crop_h // 2))
        crop = np.zeros((crop_h, crop_w), np.uint8)
        sx0, sy0 = max(0, x0), max(0, y0)
        sx1, sy1 = min(nw, x0 + crop_w), min(nh, y0 + crop_h)
        if sx1 > sx0 and sy1 > sy0:
            crop[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = img[sy0:sy1, sx0:sx1]
        b[:, 0] -= x0
        b[:, 1] -= y0
        crop = photometric(crop, rng, valid=(sx0 - x0, sy0 - y0, sx1 - x0, sy1 - y0))
        if rng.rand() < 0.3:
            crop, b = rotate(crop, b, rng.uniform(-self.rot_deg, self.rot_deg))
        if rng.rand() < 0.5:
            crop = crop[:, ::-1].copy()
            b[:, 0] = crop_w - b[:, 0] - b[:, 2]
        return crop, b


def rotate(img, boxes, deg):
    """Small rotation about the crop centre; boxes become the enclosing box of their rotated corners."""
    h, w = img.shape
    M = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
    img = cv2.warpAffine(img, M, (w, h), flags=cv2.INTER_LINEAR, borderValue=0)
    out = []
    for x, y, bw, bh in boxes:
        c = np.array([[x, y, 1], [x + bw, y, 1], [x, y + bh, 1], [x + bw, y + bh, 1]], np.float32) @ M.T
        (x1, y1), (x2, y2) = c.min(0), c.max(0)
        out.append([x1, y1, x2 - x1, y2 - y1])
    return img, np.array(out, np.float32).reshape(-1, 4)


def photometric(img, rng, valid):
    """Brightness/contrast/gamma, blur, noise; only inside the image part (pad stays 0)."""
    x0, y0, x1, y1 = valid
    if x1 <= x0 or y1 <= y0:
        return img
    reg = img[y0:y1, x0:x1].astype(np.float32) / 255.0
    if rng.rand() < 0.8:
        reg = reg ** math.exp(rng.uniform(-0.5, 0.5))
        reg = (reg - 0.5) * rng.uniform(0.5, 1.4) + 0.5 + rng.uniform(-0.2, 0.2)
    if rng.rand() < 0.25:
        k = rng.choice([3, 5])
        reg = cv2.GaussianBlur(reg, (k, k), 0)
    if rng.rand() < 0.05:
        reg = 1.0 - reg                      # light-on-dark plates exist too
    if rng.rand() < 0.3:
        reg = reg + rng.normal(0, rng.uniform(0.01, 0.05), reg.shape).astype(np.float32)
    out = img.copy()
    out[y0:y1, x0:x1] = np.clip(reg * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return out


def make_targets(boxes, crop_w, crop_h):
    """boxes: [N,4] xywh in crop pixels. Returns heatmap target, heatmap weight (0 = ignore),
    box target (x1,y1,x2,y2 in crop pixels) and regression weight."""
    out_h, out_w = crop_h // STRIDE, crop_w // STRIDE
    hm = np.zeros((out_h, out_w), np.float32)
    hw = np.ones((out_h, out_w), np.float32)
    bt = np.zeros((4, out_h, out_w), np.float32)
    rw = np.zeros((out_h, out_w), np.float32)
    ys, xs = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    # larger boxes first, so smaller ones own the cells they share
    for x, y, w, h in sorted(boxes.tolist(), key=lambda b: -b[2] * b[3]):
        x1, y1, x2, y2 = max(x, 0), max(y, 0), min(x + w, crop_w), min(y + h, crop_h)
        if x2 <= x1 or y2 <= y1:
            continue
        vis = (x2 - x1) * (y2 - y1) / (w * h)
        if vis < MIN_VISIBLE or w < 6 or h < 3:
            # ignore region: neither positive nor negative
            c0, r0 = int(x1 // STRIDE), int(y1 // STRIDE)
            c1, r1 = int(math.ceil(x2 / STRIDE)), int(math.ceil(y2 / STRIDE))
            hw[r0:r1, c0:c1] = 0
            continue
        cx, cy = (x + w / 2) / STRIDE, (y + h / 2) / STRIDE
        sx, sy = max(ALPHA * w / 6 / STRIDE, 0.4), max(ALPHA * h / 6 / STRIDE, 0.4)
        ci, ri = min(max(int(cx), 0), out_w - 1), min(max(int(cy), 0), out_h - 1)
        g = np.exp(-((xs + 0.5 - cx) ** 2 / (2 * sx * sx) + (ys + 0.5 - cy) ** 2 / (2 * sy * sy)))
        g[ri, ci] = 1.0
        hm = np.maximum(hm, g)
        area = (g > 0.3)
        area[ri, ci] = True
        wgt = g * area
        wgt = wgt / wgt.sum()               # every plate weighs the same, small ones included
        sel = wgt > 0
        rw[sel] = wgt[sel]
        bt[0][sel], bt[1][sel], bt[2][sel], bt[3][sel] = x, y, x + w, y + h
    return hm, hw, bt, rw


def focal_loss(logits, target, weight):
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = target.eq(1).float()
    neg = (1 - pos) * weight
    pos_loss = torch.log(p) * (1 - p) ** 2 * pos
    neg_loss = torch.log(1 - p) * p ** 2 * (1 - target) ** 4 * neg
    n = pos.sum().clamp(min=1)
    return -(pos_loss.sum() + neg_loss.sum()) / n


def giou_loss(raw, bt, rw):
    """raw: [B,4,H,W] log-distances; bt: target x1y1x2y2; rw: weights [B,H,W]."""
    b, _, h, w = raw.shape
    mask = rw > 0
    if mask.sum() == 0:
        return raw.sum() * 0
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32),
                            indexing="ij")
    cx, cy = (xs + 0.5) * STRIDE, (ys + 0.5) * STRIDE
    d = torch.exp(raw.clamp(max=6)) * BOX_SCALE
    px1, py1, px2, py2 = cx - d[:, 0], cy - d[:, 1], cx + d[:, 2], cy + d[:, 3]
    tx1, ty1, tx2, ty2 = bt[:, 0], bt[:, 1], bt[:, 2], bt[:, 3]
    px1, py1, px2, py2 = px1[mask], py1[mask], px2[mask], py2[mask]
    tx1, ty1, tx2, ty2 = tx1[mask], ty1[mask], tx2[mask], ty2[mask]
    wgt = rw[mask]
    iw = (torch.min(px2, tx2) - torch.max(px1, tx1)).clamp(min=0)
    ih = (torch.min(py2, ty2) - torch.max(py1, ty1)).clamp(min=0)
    inter = iw * ih
    union = (px2 - px1) * (py2 - py1) + (tx2 - tx1) * (ty2 - ty1) - inter
    iou = inter / union.clamp(min=1e-6)
    ew = torch.max(px2, tx2) - torch.min(px1, tx1)
    eh = torch.max(py2, ty2) - torch.min(py1, ty1)
    enc = (ew * eh).clamp(min=1e-6)
    giou = iou - (enc - union) / enc
    return ((1 - giou) * wgt).sum() / wgt.sum().clamp(min=1e-6)


def batch(sampler, n, big=False):
    if big:
        size = dict(crop_w=BIG_W, crop_h=BIG_H, scale_range=(0.6, 1.3))
    else:
        size = dict(crop_w=CROP_W, crop_h=CROP_H)
    xs, hms, hws, bts, rws = [], [], [], [], []
    for _ in range(n):
        img, boxes = sampler.sample(**size)
        hm, hw, bt, rw = make_targets(boxes, size["crop_w"], size["crop_h"])
        xs.append(img.astype(np.float32) / 255.0)
        hms.append(hm), hws.append(hw), bts.append(bt), rws.append(rw)
    t = lambda a: torch.from_numpy(np.stack(a))
    return t(xs)[:, None], t(hms)[:, None], t(hws)[:, None], t(bts), t(rws)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=6000)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--synth", type=float, default=0.3, help="probability of pasting synthetic plates")
    ap.add_argument("--out", default=os.path.join(common.OUT, "model.pt"))
    ap.add_argument("--eval-every", type=int, default=1000, help="log val recall (monitoring only)")
    ap.add_argument("--size-mix", type=float, default=0.0, help="probability of plate-size sampling (see top)")
    ap.add_argument("--rot", type=float, default=5.0, help="max rotation (degrees) of the 30%% rotated samples")
    ap.add_argument("--big-every", type=int, default=4, help="every n-th batch is 640x384 at half the batch size")
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--init", default=None, help="checkpoint to start from (fine-tuning)")
    ap.add_argument("--stop", type=int, default=0, help="stop (and save) after this iteration; the LR "
                    "schedule still spans --iters (reproduces a run that was stopped early)")
    a = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("DET_THREADS", "1")))
    torch.manual_seed(a.seed)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)

    sampler = Sampler(common.load_split("train"), a.seed, a.synth, a.size_mix, a.rot)
    net = PlateDetector()
    if a.init:
        sd = torch.load(a.init, map_location="cpu")
        net.load_state_dict(sd["model"] if "model" in sd else sd)
        print("initialised from", a.init, flush=True)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-4)
    warm = max(1, a.warmup)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda i: min(1.0, (i + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(i, a.iters) / a.iters)))
    t0 = time.time()
    run = {"hm": 0.0, "box": 0.0}
    last = min(a.iters, a.stop) if a.stop > 0 else a.iters
    for it in range(1, last + 1):
        net.train()
        big = it % a.big_every == 0
        x, hm, hw, bt, rw = batch(sampler, a.batch // 2 if big else a.batch, big)
        logit, raw = net(x)
        l_hm = focal_loss(logit, hm, hw)
        l_box = giou_loss(raw, bt, rw)
        loss = l_hm + 5.0 * l_box
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 10.0)
        opt.step()
        sched.step()
        run["hm"] = 0.98 * run["hm"] + 0.02 * l_hm.item()
        run["box"] = 0.98 * run["box"] + 0.02 * l_box.item()
        if it % 50 == 0:
            el = time.time() - t0
            print(f"it {it}/{a.iters} hm {run['hm']:.3f} giou {run['box']:.3f} lr {sched.get_last_lr()[0]:.2e} "
                  f"{el / it:.2f}s/it eta {el / it * (last - it) / 60:.0f}min", flush=True)
        if (a.eval_every > 0 and it % a.eval_every == 0) or it == last:
            torch.save({"model": net.state_dict(), "iter": it, "args": vars(a)}, a.out)
            if a.eval_every > 0:
                import evaluate
                r = evaluate.eval_torch(net, "val", limit=150)
                print(f"  [monitor] val(150 imgs) recall {r['recall']:.3f} precision {r['precision']:.3f} "
                      f"fp/img {r['fp_per_image']:.2f}", flush=True)
    print(f"done in {(time.time() - t0) / 60:.1f} min -> {a.out}")


if __name__ == "__main__":
    main()
