"""Shared by the peer benchmarks: Fashion-MNIST (IDX, gzip) binarized as
`ebm bench --data` binarizes it (x / 255 > threshold), float32, one sample
per row; the reconstruction error as ebm's monitor defines it; the BLAS in
use; one JSON line of results."""
import gzip
import json
import os
import struct
import sys

import numpy as np

FASHION = "/usr/share/datasets/fashion-mnist"


def load_idx_images(path, limit=0, threshold=0.5):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 0x803:
            sys.exit(f"{path}: not an IDX image file (magic {magic:#x})")
        if limit:
            n = min(n, limit)
        x = np.frombuffer(f.read(n * rows * cols), dtype=np.uint8).reshape(n, rows * cols)
    return ((x.astype(np.float32) / np.float32(255)) > np.float32(threshold)).astype(np.float32)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def reconstruction_error(v, w, b_visible, c_hidden, chunk=2000):
    """Mean over samples and units of (v - E[v | E[h | v]])^2, as ebm's
    `reconstruction` monitor; w is visible x hidden."""
    total = 0.0
    for i in range(0, len(v), chunk):
        x = v[i:i + chunk].astype(np.float64)
        h = sigmoid(x @ w + c_hidden)
        r = sigmoid(h @ w.T + b_visible)
        total += float(((x - r) ** 2).sum())
    return total / v.size


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if blas:
            b = blas[0]
            return {"blas": f"{b.get('internal_api')} {b.get('version')}", "blas_core": b.get("architecture", ""),
                    "blas_threads": b.get("num_threads")}
    except ImportError:
        pass
    return {"blas": "unknown", "blas_core": "", "blas_threads": None}


def report(result):
    result.update(blas_info())
    result["openblas_coretype_env"] = os.environ.get("OPENBLAS_CORETYPE", "")
    print(json.dumps(result))
