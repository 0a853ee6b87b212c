#!/usr/bin/python3
"""Writes the tiny ONNX models the inference binding tests run.

Run with Debian's python3-onnx:  /usr/bin/python3 make_fixtures.py
The outputs are committed (a few hundred bytes each); rerun only when a model changes.
Each model's expected outputs are computed independently in the C# tests.
"""
import os

from onnx import TensorProto, checker, helper, save

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = [helper.make_opsetid("", 13)]


def write(name, graph):
    model = helper.make_model(graph, opset_imports=OPSET, producer_name="edge-anpr-fixtures")
    model.ir_version = 8  # ONNX Runtime 1.30 reads IR versions up to 11; 8 is what onnx 1.12 writes
    checker.check_model(model)
    save(model, os.path.join(HERE, name))


def scalar(name, value):
    return helper.make_tensor(name, TensorProto.FLOAT, [], [value])


# y = x * 2 + 1, x: [N, 4] with a dynamic batch.
write("add_mul.onnx", helper.make_graph(
    [helper.make_node("Mul", ["x", "two"], ["x2"]), helper.make_node("Add", ["x2", "one"], ["y"])],
    "add_mul",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])],
    [scalar("two", 2.0), scalar("one", 1.0)]))

# A plate-reader-shaped input: image [N, 1, 32, 128] -> 3x3 convolution (pad 1) to 2 channels -> Relu.
# Weights follow w[c][i][j] = (c + 1) * 0.1 * (3 * i + j - 4); bias [0.5, -0.25] (mirrored in the C# test).
weights = [(c + 1) * 0.1 * (3 * i + j - 4) for c in range(2) for i in range(3) for j in range(3)]
write("conv.onnx", helper.make_graph(
    [helper.make_node("Conv", ["image", "w", "b"], ["conv"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
     helper.make_node("Relu", ["conv"], ["features"])],
    "conv",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 1, 32, 128])],
    [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 2, 32, 128])],
    [helper.make_tensor("w", TensorProto.FLOAT, [2, 1, 3, 3], weights),
     helper.make_tensor("b", TensorProto.FLOAT, [2], [0.5, -0.25])]))

# Two outputs of different shapes from x: [N, 3]: scaled = x * 3 ([N, 3]), total = sum over axis 1 ([N, 1]).
write("two_outputs.onnx", helper.make_graph(
    [helper.make_node("Mul", ["x", "three"], ["scaled"]),
     helper.make_node("ReduceSum", ["x", "axes"], ["total"], keepdims=1)],
    "two_outputs",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
    [helper.make_tensor_value_info("scaled", TensorProto.FLOAT, ["N", 3]),
     helper.make_tensor_value_info("total", TensorProto.FLOAT, ["N", 1])],
    [scalar("three", 3.0), helper.make_tensor("axes", TensorProto.INT64, [1], [1])]))

# An int64 output, which the float32-only binding must refuse clearly: index = argmax(x, axis 1), x: [N, 5].
write("argmax.onnx", helper.make_graph(
    [helper.make_node("ArgMax", ["x"], ["index"], axis=1, keepdims=1)],
    "argmax",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 5])],
    [helper.make_tensor_value_info("index", TensorProto.INT64, ["N", 1])]))
