"""Plate detector network: a small anchor-free (CenterNet/TTFNet-style) detector.

Input  : [N,1,384,640] gray/255, letterboxed top-left, pad 0.
Outputs: heatmap [N,1,96,160] (sigmoid, plate-centre score per stride-4 cell)
         box     [N,4,96,160] (left, top, right, bottom distances from the cell
                               centre, in input pixels)

Backbone: stride-2 stem then depthwise-separable blocks down to stride 32;
a light FPN merges back to stride 4, where the heads sit.

Quantisation: `QPoint` modules mark every activation that gets a
QuantizeLinear/DequantizeLinear pair in the int8 model. They observe ranges
during calibration and apply fake quantisation for export, so that
torch.onnx.export writes Q/DQ nodes at exactly those places (export.py then
turns conv weights and biases into int8/int32 initialisers with DQ nodes).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

STRIDE = 4
BOX_SCALE = 16.0  # box = exp(raw) * BOX_SCALE, in input pixels


class QPoint(nn.Module):
    """An activation quantisation point (uint8, per tensor)."""

    def __init__(self, fixed_scale=None, share=None):
        super().__init__()
        self.mode = "float"          # float | observe | fakequant
        self.fixed_scale = fixed_scale
        self.share = [share] if share is not None else None   # list: not a submodule
        self.lo = None
        self.hi = None
        self.n = 0
        self.scale = None
        self.zero_point = None

    def forward(self, x):
        if self.share is not None:           # reuse another point's parameters (e.g. after upsampling)
            src = self.share[0]
            if self.mode == "fakequant":
                return torch.fake_quantize_per_tensor_affine(x, src.scale, src.zero_point, 0, 255)
            return x
        if self.mode == "observe":
            lo, hi = float(x.min()), float(x.max())
            # running average of per-batch extremes: robust to rare outliers
            self.n += 1
            self.lo = lo if self.lo is None else self.lo + (lo - self.lo) / self.n
            self.hi = hi if self.hi is None else self.hi + (hi - self.hi) / self.n
        elif self.mode == "fakequant":
            return torch.fake_quantize_per_tensor_affine(x, self.scale, self.zero_point, 0, 255)
        return x

    def finalize(self):
        if self.share is not None:
            return
        if self.fixed_scale is not None:
            self.scale, self.zero_point = float(self.fixed_scale), 0
            return
        lo, hi = min(self.lo, 0.0), max(self.hi, 1e-6)
        scale = (hi - lo) / 255.0
        zp = int(round(-lo / scale))
        self.scale, self.zero_point = float(scale), max(0, min(255, zp))


def conv_bn(cin, cout, k=1, s=1, groups=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout))


class ConvAct(nn.Module):
    """conv + BN + ReLU, output quantised."""

    def __init__(self, cin, cout, k=1, s=1, groups=1, relu=True):
        super().__init__()
        self.conv = conv_bn(cin, cout, k, s, groups)
        self.relu = relu
        self.q = QPoint()

    def forward(self, x):
        x = self.conv(x)
        if self.relu:
            x = F.relu(x)
        return self.q(x)


class DWBlock(nn.Module):
    """Depthwise kxk (stride s) + ReLU, pointwise 1x1; residual when shapes agree."""

    def __init__(self, cin, cout, s=1, k=3):
        super().__init__()
        self.dw = ConvAct(cin, cin, k, s, groups=cin)
        self.res = s == 1 and cin == cout
        self.pw = ConvAct(cin, cout, 1, relu=not self.res)
        if self.res:
            self.q = QPoint()

    def forward(self, x):
        y = self.pw(self.dw(x))
        if self.res:
            y = self.q(F.relu(x + y))
        return y


class Upsample(nn.Module):
    def __init__(self, src_q):
        super().__init__()
        self.q = QPoint(share=src_q)

    def forward(self, x):
        return self.q(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class PlateDetector(nn.Module):
    def __init__(self, c4=24, c8=48, c16=96, c32=160, cf=48, ch=32):
        super().__init__()
        self.qin = QPoint(fixed_scale=1.0 / 255.0)
        self.stem = ConvAct(1, 16, 3, 2)                                    # /2
        self.s4 = nn.Sequential(DWBlock(16, c4, 2), DWBlock(c4, c4))        # /4
        self.s8 = nn.Sequential(DWBlock(c4, c8, 2), DWBlock(c8, c8))        # /8
        self.s16 = nn.Sequential(DWBlock(c8, c16, 2), DWBlock(c16, c16, k=5), DWBlock(c16, c16, k=5))
        self.s32 = nn.Sequential(DWBlock(c16, c32, 2, k=5), DWBlock(c32, c32, k=5), DWBlock(c32, c32, k=5))
        # FPN (top-down), each merge: upsample + lateral 1x1, add, then a DW block
        self.lat32 = ConvAct(c32, cf)
        self.up32 = Upsample(self.lat32.q)
        self.lat16 = ConvAct(c16, cf, relu=False)
        self.q16 = QPoint()
        self.m16 = DWBlock(cf, cf, k=5)
        self.up16 = Upsample(self.m16.q)
        self.lat8 = ConvAct(c8, cf, relu=False)
        self.q8 = QPoint()
        self.m8 = nn.Sequential(DWBlock(cf, cf, k=5), ConvAct(cf, ch))
        self.up8 = Upsample(self.m8[1].q)
        self.lat4 = ConvAct(c4, ch, relu=False)
        self.q4 = QPoint()
        self.m4 = nn.Sequential(DWBlock(ch, ch), DWBlock(ch, ch, k=5))
        self.hm = nn.Conv2d(ch, 1, 1)
        self.box = nn.Conv2d(ch, 4, 1)
        nn.init.constant_(self.hm.bias, -4.6)   # prior 0.01
        nn.init.normal_(self.hm.weight, std=0.01)
        nn.init.constant_(self.box.bias, 0.0)
        nn.init.normal_(self.box.weight, std=0.01)

    def features(self, x):
        x = self.qin(x)
        f4 = self.s4(self.stem(x))
        f8 = self.s8(f4)
        f16 = self.s16(f8)
        f32 = self.s32(f16)
        p = self.up32(self.lat32(f32))
        p = self.m16(self.q16(F.relu(p + self.lat16(f16))))
        p = self.up16(p)
        p = self.m8(self.q8(F.relu(p + self.lat8(f8))))
        p = self.up8(p)
        p = self.m4(self.q4(F.relu(p + self.lat4(f4))))
        return p

    def forward(self, x):
        """Returns raw head outputs (logits, log-distances) for training."""
        p = self.features(x)
        return self.hm(p), self.box(p)


class ExportWrapper(nn.Module):
    """The deployed graph: sigmoid heatmap and pixel ltrb distances."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, image):
        hm, box = self.net(image)
        return torch.sigmoid(hm), torch.exp(box) * BOX_SCALE


def qpoints(model):
    return [m for m in model.modules() if isinstance(m, QPoint)]


def set_qmode(model, mode):
    for q in qpoints(model):
        q.mode = mode


@torch.no_grad()
def fold_bn(model):
    """Folds every BatchNorm into the preceding conv (in place); returns model."""
    for m in model.modules():
        if isinstance(m, nn.Sequential) and len(m) == 2 and isinstance(m[0], nn.Conv2d) \
                and isinstance(m[1], nn.BatchNorm2d):
            conv, bn = m[0], m[1]
            std = torch.sqrt(bn.running_var + bn.eps)
            w = conv.weight * (bn.weight / std).reshape(-1, 1, 1, 1)
            b = bn.bias - bn.running_mean * bn.weight / std
            if conv.bias is not None:
                b = b + conv.bias * bn.weight / std
            conv.weight.copy_(w)
            conv.bias = nn.Parameter(b)
            m[1] = nn.Identity()
    return model


def count_macs(model, h=384, w=640):
    macs = 0

    def hook(m, i, o):
        nonlocal macs
        macs += o.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        model(torch.zeros(1, 1, h, w))
    for x in hs:
        x.remove()
    return macs


if __name__ == "__main__":
    net = PlateDetector().eval()
    print("params", sum(p.numel() for p in net.parameters()), "MACs %.1fM" % (count_macs(net) / 1e6))
