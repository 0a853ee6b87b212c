"""Float ONNX export of a trained reader.

Exported in eval mode with opset 13, so BatchNorm folds into the convolutions and the
graph is Conv/Relu/Squeeze/Transpose only; the batch dimension is dynamic.
"""
import onnx
import torch

INPUT_NAME = "image"
OUTPUT_NAME = "logits"


def export_float(model, path: str) -> None:
    model.eval()
    dummy = torch.zeros(1, 1, model.height, model.width)
    torch.onnx.export(
        model, dummy, path, input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
        dynamic_axes={INPUT_NAME: {0: "N"}, OUTPUT_NAME: {0: "N"}},
        opset_version=13, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = {n.op_type for n in m.graph.node}
    if "BatchNormalization" in ops:
        raise RuntimeError("BatchNorm was not folded into Conv during export: %s" % ops)
