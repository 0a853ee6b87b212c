"""The reader's input contract, shared by training, calibration and evaluation.

The C# side does exactly this, so any change here is a contract change:
  crop (BGR, 8-bit) -> gray with OpenCV's BGR2GRAY weights -> cv2.resize to W x H with
  INTER_LINEAR (no aspect padding) -> float32 gray/255, NCHW [N,1,H,W].
"""
import cv2
import numpy as np


def to_gray(bgr: np.ndarray) -> np.ndarray:
    """8-bit gray with OpenCV's weights (0.299 R + 0.587 G + 0.114 B)."""
    if bgr.ndim == 2:
        return bgr
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)


def gray_to_input(gray: np.ndarray, width: int, height: int) -> np.ndarray:
    """Stretch an 8-bit gray crop to the model size; returns float32 [1,H,W] in 0..1."""
    small = cv2.resize(gray, (width, height), interpolation=cv2.INTER_LINEAR)
    return (small.astype(np.float32) / 255.0)[None]


def crop_to_input(bgr: np.ndarray, width: int, height: int) -> np.ndarray:
    """Full contract preprocessing of one BGR crop; returns float32 [1,H,W]."""
    return gray_to_input(to_gray(bgr), width, height)


def load_input(path: str, width: int, height: int) -> np.ndarray:
    """Read an image file and preprocess it as the product does."""
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise IOError(f"cannot read {path}")
    return crop_to_input(bgr, width, height)
