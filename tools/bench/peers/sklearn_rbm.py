#!/usr/bin/python3
"""scikit-learn's BernoulliRBM (PCD-1: it keeps persistent hidden samples)
on binarized Fashion-MNIST, float32, batch 100, 500 hidden units, one epoch;
prints one JSON line: samples/s and the test reconstruction error.

Its fastest configuration on 2 cores is the default: numpy's OpenBLAS with
all threads (the elementwise work is numpy's, single-threaded).  The BLAS
core follows OPENBLAS_CORETYPE like ebm's.

    /usr/bin/python3 tools/bench/peers/sklearn_rbm.py [--samples N] [--hidden H] ...
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
from sklearn.neural_network import BernoulliRBM  # noqa: E402

import common  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train", default=f"{common.FASHION}/train-images-idx3-ubyte.gz")
    p.add_argument("--test", default=f"{common.FASHION}/t10k-images-idx3-ubyte.gz")
    p.add_argument("--samples", type=int, default=0, help="first N training samples (0: all)")
    p.add_argument("--hidden", type=int, default=500)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--learning-rate", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    train = common.load_idx_images(a.train, a.samples)
    test = common.load_idx_images(a.test)
    rbm = BernoulliRBM(n_components=a.hidden, learning_rate=a.learning_rate, batch_size=a.batch, n_iter=a.epochs,
                       random_state=a.seed)
    start = time.perf_counter()
    rbm.fit(train)
    seconds = time.perf_counter() - start
    assert rbm.components_.dtype == np.float32, rbm.components_.dtype  # trained in float32
    w = rbm.components_.T.astype(np.float64)
    common.report({
        "peer": "sklearn BernoulliRBM", "estimator": "pcd", "k": 1, "scalar": "float", "hidden": a.hidden,
        "batch": a.batch, "samples": len(train), "epochs": a.epochs, "train_seconds": seconds,
        "samples_per_second": len(train) * a.epochs / seconds,
        "reconstruction_error_train": common.reconstruction_error(train[:10000], w, rbm.intercept_visible_,
                                                                  rbm.intercept_hidden_),
        "reconstruction_error_test": common.reconstruction_error(test, w, rbm.intercept_visible_,
                                                                 rbm.intercept_hidden_),
    })


if __name__ == "__main__":
    main()
