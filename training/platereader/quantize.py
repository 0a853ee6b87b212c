"""Static int8 quantisation of the float reader into a QDQ ONNX graph.

Written here because no onnxruntime Python package (and so no
onnxruntime.quantization) exists on this machine.  It produces the same QDQ layout as
ORT's quantiser, which ORT fuses into integer kernels (QLinearConv) when it loads the
model:

  x --Q--DQ--> Conv(W = DQ(int8 per-channel), B = DQ(int32)) --> Relu --Q--DQ--> ...

* weights: int8, symmetric, one scale per output channel (axis 0), zero point 0;
* bias: int32 with scale = input scale * weight scale (what QLinearConv needs);
* activations: uint8, asymmetric, range calibrated by running the float model in ONNX
  Runtime on real training-split crops (never validation) and taking min/max, or a
  percentile of the absolute values to ignore rare outliers;
* the input image (gray/255) gets scale 1/255, zero point 0, which is lossless;
* the last conv's output is quantised too, so every conv runs in int8; the final
  Squeeze/Transpose work on the dequantised logits.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from . import ortrun


def _act_params(lo: float, hi: float):
    """uint8 asymmetric scale / zero point covering [lo, hi] (always including 0)."""
    lo, hi = min(0.0, float(lo)), max(0.0, float(hi))
    if hi - lo < 1e-8:
        hi = lo + 1e-8
    scale = (hi - lo) / 255.0
    zp = int(np.clip(round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zp)


def calibrate(float_path: str, calib_batch: np.ndarray, method: str = "minmax",
              percentile: float = 99.999) -> dict:
    """Ranges {tensor name: (lo, hi)} of every Conv/Relu output on the calibration batch."""
    m = onnx.load(float_path)
    names = [o for n in m.graph.node if n.op_type in ("Conv", "Relu") for o in n.output]
    existing = {o.name for o in m.graph.output}
    for name in names:
        if name not in existing:
            m.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    tmp = float_path + ".calib.onnx"
    onnx.save(m, tmp)
    outs = ortrun.run(tmp, calib_batch)
    ranges = {}
    for name in names:
        a = outs[name]
        if method == "minmax":
            ranges[name] = (float(a.min()), float(a.max()))
        else:
            ranges[name] = (float(np.percentile(a, 100 - percentile)), float(np.percentile(a, percentile)))
    return ranges


def quantize(float_path: str, out_path: str, ranges: dict, quantize_logits: bool = True) -> None:
    """Write the QDQ model.  quantize_logits=False leaves the classifier's output in
    float (its input and weights are still int8 through DQ), trading the last
    QLinearConv for an exact argmax between close logits."""
    m = onnx.load(float_path)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    consumers = {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    new_inits, qdq_nodes = [], []
    act_scale = {}          # tensor -> (scale, zp) once it has Q/DQ
    renamed = {}            # tensor -> its dequantised name

    def add_qdq(tensor, scale, zp):
        """Insert Q->DQ on `tensor`; consumers read the DQ output instead."""
        s_name, z_name = tensor + "_scale", tensor + "_zp"
        new_inits.append(numpy_helper.from_array(np.array(scale, np.float32), s_name))
        new_inits.append(numpy_helper.from_array(np.array(zp, np.uint8), z_name))
        qdq_nodes.append((tensor, helper.make_node("QuantizeLinear", [tensor, s_name, z_name], [tensor + "_q"],
                                                   name=tensor + "_Q")))
        qdq_nodes.append((tensor, helper.make_node("DequantizeLinear", [tensor + "_q", s_name, z_name],
                                                   [tensor + "_dq"], name=tensor + "_DQ")))
        act_scale[tensor] = (float(scale), int(zp))
        renamed[tensor] = tensor + "_dq"

    # Graph input: gray/255 in [0, 1], exactly representable with scale 1/255.
    add_qdq(g.input[0].name, np.float32(1.0 / 255.0), np.uint8(0))

    convs = [n for n in g.node if n.op_type == "Conv"]
    for conv in convs:
        x = conv.input[0]
        if x not in act_scale:
            add_qdq(x, *_act_params(*ranges[x]))
        # The activation after this conv: its Relu output if a Relu follows, else itself.
        nxt = consumers.get(conv.output[0], [])
        out_t = nxt[0].output[0] if len(nxt) == 1 and nxt[0].op_type == "Relu" else conv.output[0]
        is_last = conv is convs[-1]
        if out_t not in act_scale and (quantize_logits or not is_last):
            add_qdq(out_t, *_act_params(*ranges[out_t]))

    # Weights and biases.
    weight_nodes = []
    for conv in convs:
        w_name = conv.input[1]
        w = numpy_helper.to_array(inits[w_name]).astype(np.float32)
        amax = np.abs(w.reshape(w.shape[0], -1)).max(1)
        w_scale = np.maximum(amax, 1e-12) / 127.0
        wq = np.clip(np.round(w / w_scale.reshape(-1, *[1] * (w.ndim - 1))), -127, 127).astype(np.int8)
        new_inits += [numpy_helper.from_array(wq, w_name + "_q"),
                      numpy_helper.from_array(w_scale.astype(np.float32), w_name + "_scale"),
                      numpy_helper.from_array(np.zeros(len(w_scale), np.int8), w_name + "_zp")]
        weight_nodes.append(helper.make_node("DequantizeLinear", [w_name + "_q", w_name + "_scale", w_name + "_zp"],
                                             [w_name + "_dq"], axis=0, name=w_name + "_DQ"))
        conv.input[1] = w_name + "_dq"
        if len(conv.input) > 2 and conv.input[2]:
            b_name = conv.input[2]
            b = numpy_helper.to_array(inits[b_name]).astype(np.float64)
            b_scale = (act_scale[conv.input[0]][0] * w_scale).astype(np.float32)
            bq = np.round(b / b_scale).astype(np.int32)
            new_inits += [numpy_helper.from_array(bq, b_name + "_q"),
                          numpy_helper.from_array(b_scale, b_name + "_scale"),
                          numpy_helper.from_array(np.zeros(len(b_scale), np.int32), b_name + "_zp")]
            weight_nodes.append(helper.make_node("DequantizeLinear", [b_name + "_q", b_name + "_scale", b_name + "_zp"],
                                                 [b_name + "_dq"], axis=0, name=b_name + "_DQ"))
            conv.input[2] = b_name + "_dq"
        # (input renaming happens below, for all nodes alike)

    # Rewire consumers to the dequantised tensors (not the Q nodes themselves).
    for n in g.node:
        for k, i in enumerate(n.input):
            if i in renamed:
                n.input[k] = renamed[i]
    for o in g.output:
        if o.name in renamed:   # keep the declared output name: rename the DQ output to it
            raise RuntimeError("a graph output was quantised; the last op must be Transpose")

    # Keep only the initializers still referenced; drop the float weights and biases.
    used = {i for n in list(g.node) + [q for _, q in qdq_nodes] + weight_nodes for i in n.input}
    kept = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(kept + new_inits)

    # Topological order: weight DQs first, then each Q/DQ pair right after its producer.
    order = list(weight_nodes)
    pending = {}
    for t, node in qdq_nodes:
        pending.setdefault(t, []).append(node)
    order += pending.pop(g.input[0].name, [])
    for n in list(g.node):
        order.append(n)
        for o in n.output:
            order += pending.pop(o, [])
    assert not pending, pending
    del g.node[:]
    g.node.extend(order)
    onnx.checker.check_model(m)
    onnx.save(m, out_path)
