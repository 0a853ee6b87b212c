"""The reader network: a small all-convolutional CTC model.

Why all-conv: the box runs it int8 on a small ARM CPU through ONNX Runtime, where
QDQ convolutions become fast integer kernels while LSTM/GRU cells neither quantise well
nor run fast.  The net is a plain chain (no residual adds, no pooling) so that every
op between two convolutions is a ReLU, which keeps the int8 graph simple: each conv
becomes one QLinearConv.

Shape: [N,1,H,W] -> strided 3x3 convs down to height H/8 and width W/4 -> a conv whose
kernel covers the remaining height (to height 1) -> 1xK convs along the columns for
context (dilated, so each column sees most of the plate) -> 1x1 conv to the classes -> [N, T=W/4, C] logits, time running left to right.
"""
import torch
import torch.nn as nn


def conv_bn(cin, cout, k, stride=1, pad=0, dilation=1):
    return [nn.Conv2d(cin, cout, k, stride, pad, dilation=dilation, bias=False), nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True)]


class PlateReader(nn.Module):
    def __init__(self, num_classes: int, height: int = 32, width: int = 128,
                 channels=(16, 32, 48, 64, 96), head: int = 128, dropout: float = 0.1,
                 dilations=(1, 2, 4)):
        super().__init__()
        assert height % 8 == 0 and width % 4 == 0
        c1, c2, c3, c4, c5 = channels
        layers = []
        layers += conv_bn(1, c1, 3, 2, 1)            # H/2, W/2
        layers += conv_bn(c1, c2, 3, 1, 1)
        layers += conv_bn(c2, c3, 3, 2, 1)           # H/4, W/4
        layers += conv_bn(c3, c3, 3, 1, 1)
        layers += conv_bn(c3, c4, 3, (2, 1), 1)      # H/8, W/4
        layers += conv_bn(c4, c5, 3, 1, 1)
        layers += conv_bn(c5, head, (height // 8, 1))  # height 1
        # Dilated 1x3 convs along the text widen the receptive field: 91 input columns with
        # dilations (1, 2, 4), 155 with (1, 2, 4, 8).
        # With a narrow one, CTC can lock into emitting the left characters too early (at
        # columns that cannot see them yet) and never recover; seen on the Iranian reader.
        for d in dilations:
            layers += conv_bn(head, head, (1, 3), 1, (0, d), dilation=(1, d))
        self.features = nn.Sequential(*layers)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Conv2d(head, num_classes, 1)
        self.height, self.width = height, width
        self.time_steps = width // 4

    def forward(self, x):
        y = self.classifier(self.dropout(self.features(x)))   # [N, C, 1, T]
        return y.squeeze(2).permute(0, 2, 1)                   # [N, T, C]


def count_macs(model: PlateReader) -> int:
    """Multiply-accumulates of one forward pass for a single image (convs only)."""
    macs = 0
    hooks = []

    def hook(m, inp, out):
        nonlocal macs
        k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        macs += out.numel() // out.shape[0] * k

    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(hook))
    was = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 1, model.height, model.width))
    model.train(was)
    for h in hooks:
        h.remove()
    return macs
