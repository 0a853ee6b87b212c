"""EdgeAnpr plate-reader training: synthetic renderer, real-data loaders, CTC model,
ONNX export, int8 QDQ quantisation and evaluation that writes the model cards.

Everything runs on the CPU with Debian's python3-torch / python3-onnx / python3-opencv.
"""
