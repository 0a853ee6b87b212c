"""Export the trained detector to ONNX: float (for comparison) and int8 QDQ (shipped).

    python3 export.py --ckpt out/model.pt --out ../../models/plate-detector.onnx

int8 scheme (what ONNX Runtime fuses into QLinearConv / QLinearAdd):
  * activations: uint8 per tensor, asymmetric; the input has scale 1/255, zp 0,
    so gray/255 input is represented exactly; ranges calibrated on real frames
    of the TRAINING split (letterboxed exactly as at inference);
  * conv weights: int8 per output channel, symmetric (zp 0);
  * conv biases: int32 with scale = input scale * weight scale;
  * the two 1x1 head convs take quantised input and int8 weights but give a
    float output (then Sigmoid / Exp*16), which keeps the scores and box
    distances precise.
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper, TensorProto

import common
from model import PlateDetector, ExportWrapper, fold_bn, set_qmode, qpoints, STRIDE, BOX_SCALE

OPSET = 13


def export_onnx(net, path):
    wrapper = ExportWrapper(net).eval()
    x = torch.zeros(1, 1, common.IN_H, common.IN_W)
    torch.onnx.export(wrapper, x, path, opset_version=OPSET, input_names=["image"],
                      output_names=["heatmap", "box"], do_constant_folding=True)


class Graph:
    """Small helper over an onnx GraphProto for constant lookup and rewriting."""

    def __init__(self, model):
        self.model = model
        self.g = model.graph
        self.inits = {i.name: i for i in self.g.initializer}
        self.consts = {}
        for n in self.g.node:
            if n.op_type == "Constant":
                self.consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
        self.producer = {o: n for n in self.g.node for o in n.output}

    def value(self, name):
        if name in self.inits:
            return numpy_helper.to_array(self.inits[name])
        return self.consts[name]

    def add_init(self, arr, name):
        t = numpy_helper.from_array(arr, name)
        self.g.initializer.append(t)
        self.inits[name] = t
        return name


def quantize_weights(model):
    """Rewrite every Conv's float weight/bias as int8/int32 initialisers behind DequantizeLinear."""
    G = Graph(model)
    new_nodes = []
    for node in list(G.g.node):
        if node.op_type == "Conv":
            dq_in = G.producer.get(node.input[0])
            assert dq_in is not None and dq_in.op_type == "DequantizeLinear", \
                f"conv {node.name} input is not quantised"
            s_x = float(G.value(dq_in.input[1]))
            w = G.value(node.input[1]).astype(np.float32)
            cout = w.shape[0]
            s_w = np.abs(w.reshape(cout, -1)).max(1) / 127.0
            s_w = np.maximum(s_w, 1e-8).astype(np.float32)
            wq = np.clip(np.round(w / s_w.reshape(-1, 1, 1, 1)), -127, 127).astype(np.int8)
            base = node.name or node.output[0]
            wn = G.add_init(wq, base + ".weight_q")
            ws = G.add_init(s_w, base + ".weight_scale")
            wz = G.add_init(np.zeros(cout, np.int8), base + ".weight_zp")
            new_nodes.append(helper.make_node("DequantizeLinear", [wn, ws, wz], [base + ".weight_dq"],
                                              name=base + ".weight_DQ", axis=0))
            node.input[1] = base + ".weight_dq"
            if len(node.input) > 2 and node.input[2]:
                b = G.value(node.input[2]).astype(np.float64)
                s_b = (s_x * s_w.astype(np.float64))
                bq = np.round(b / s_b).astype(np.int32)
                bn = G.add_init(bq, base + ".bias_q")
                bs = G.add_init(s_b.astype(np.float32), base + ".bias_scale")
                bz = G.add_init(np.zeros(cout, np.int32), base + ".bias_zp")
                new_nodes.append(helper.make_node("DequantizeLinear", [bn, bs, bz], [base + ".bias_dq"],
                                                  name=base + ".bias_DQ", axis=0))
                node.input[2] = base + ".bias_dq"
    # weights' DQ nodes go first (they only depend on initialisers: topological order holds)
    nodes = new_nodes + list(G.g.node)
    del G.g.node[:]
    G.g.node.extend(nodes)
    # drop float initialisers no longer used
    used = {i for n in G.g.node for i in n.input}
    keep = [i for i in G.g.initializer if i.name in used]
    del G.g.initializer[:]
    G.g.initializer.extend(keep)
    return model


def constants_to_initializers(model):
    """Turn Constant nodes, and Identity nodes over initialisers (torch shares equal
    tensors that way), into initialisers: cleaner graph, same semantics."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    keep = []
    for n in g.node:
        if n.op_type == "Constant" and n.attribute[0].name == "value":
            t = onnx.TensorProto()
            t.CopyFrom(n.attribute[0].t)
            t.name = n.output[0]
            g.initializer.append(t)
        elif n.op_type == "Identity" and n.input[0] in inits:
            t = onnx.TensorProto()
            t.CopyFrom(inits[n.input[0]])
            t.name = n.output[0]
            g.initializer.append(t)
        else:
            keep.append(n)
    del g.node[:]
    g.node.extend(keep)
    return model


def set_static_shapes(model, out_h, out_w):
    for o in model.graph.output:
        c = 1 if o.name == "heatmap" else 4
        dims = o.type.tensor_type.shape.dim
        for d, v in zip(dims, [1, c, out_h, out_w]):
            d.ClearField("dim_param")
            d.dim_value = v
    return model


@torch.no_grad()
def calibrate(net, frames, batch=8):
    set_qmode(net, "observe")
    for i in range(0, len(frames), batch):
        net(torch.from_numpy(np.stack(frames[i:i + batch])[:, None]))
    for q in qpoints(net):
        q.finalize()
    set_qmode(net, "float")


def load_net(ckpt):
    net = PlateDetector()
    sd = torch.load(ckpt, map_location="cpu")
    net.load_state_dict(sd["model"] if "model" in sd else sd)
    return fold_bn(net.eval())


def calibration_frames(n, seed=0):
    """n training-split images (ir + ru), letterboxed to the model input like at inference."""
    items = common.load_split("train")
    rng = np.random.RandomState(seed)
    idx = rng.choice(len(items), size=min(n, len(items)), replace=False)
    frames = []
    for i in sorted(idx):
        gray = common.read_gray(items[i][0])
        x, _ = common.letterbox(gray)
        frames.append(x)
    return frames


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default=os.path.join(common.OUT, "model.pt"))
    ap.add_argument("--out", default=os.path.join(common.REPO, "models", "plate-detector.onnx"))
    ap.add_argument("--float-out", default=os.path.join(common.OUT, "plate-detector-float.onnx"))
    ap.add_argument("--calib", type=int, default=256, help="number of calibration frames")
    ap.add_argument("--score-threshold", type=float, default=None)
    ap.add_argument("--nms-iou", type=float, default=None)
    a = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("DET_THREADS", "1")))

    net = load_net(a.ckpt)
    out_h, out_w = common.IN_H // STRIDE, common.IN_W // STRIDE

    # float model (reference only, not shipped)
    export_onnx(net, a.float_out)
    m = onnx.load(a.float_out)
    m = set_static_shapes(constants_to_initializers(m), out_h, out_w)
    onnx.checker.check_model(m)
    onnx.save(m, a.float_out)

    # int8 model
    calibrate(net, calibration_frames(a.calib))
    set_qmode(net, "fakequant")
    tmp = a.out + ".tmp"
    export_onnx(net, tmp)
    m = onnx.load(tmp)
    os.remove(tmp)
    m = quantize_weights(constants_to_initializers(m))
    m = set_static_shapes(m, out_h, out_w)
    m.producer_name = "edge-anpr training/detector"
    m.doc_string = "EdgeAnpr plate detector (int8 QDQ). Contract: models/plate-detector.json"
    onnx.checker.check_model(m)
    onnx.save(m, a.out)
    print("wrote", a.out, os.path.getsize(a.out), "bytes;", a.float_out)

    sidecar = os.path.splitext(a.out)[0] + ".json"
    contract = common.contract(out_h, out_w)
    if os.path.exists(sidecar):   # keep tuned thresholds if already chosen by evaluate.py
        old = json.load(open(sidecar))
        for k in ("scoreThreshold", "nmsIou"):
            contract[k] = old.get(k, contract[k])
    if a.score_threshold is not None:
        contract["scoreThreshold"] = a.score_threshold
    if a.nms_iou is not None:
        contract["nmsIou"] = a.nms_iou
    common.dump_json(contract, sidecar)
    print("wrote", sidecar)


if __name__ == "__main__":
    main()
