#!/usr/bin/python3
"""A plain PyTorch RBM (CD-k, float32, CPU) on binarized Fashion-MNIST: batch
100, 500 hidden units, one epoch, learning rate 0.1, no momentum -- the same
model and updates as `ebm bench` and scikit-learn's BernoulliRBM; prints one
JSON line: samples/s and the test reconstruction error.

Written the way such RBMs usually are: whole-batch tensor expressions,
torch.bernoulli for the draws, Rao-Blackwellised hidden statistics.
--threads sets torch's intra-op threads; OPENBLAS_NUM_THREADS (environment)
the BLAS's.  On 2 cores the fastest is --threads 2 with
OPENBLAS_NUM_THREADS=1 (tools/bench/compare.sh picks it): torch's and
OpenBLAS's thread pools otherwise fight over the cores.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/bench/peers/torch_rbm.py --threads 2 --k 1
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import torch  # noqa: E402

import common  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train", default=f"{common.FASHION}/train-images-idx3-ubyte.gz")
    p.add_argument("--test", default=f"{common.FASHION}/t10k-images-idx3-ubyte.gz")
    p.add_argument("--samples", type=int, default=0, help="first N training samples (0: all)")
    p.add_argument("--hidden", type=int, default=500)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--k", type=int, default=1)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--learning-rate", type=float, default=0.1)
    p.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train_np = common.load_idx_images(a.train, a.samples)
    test_np = common.load_idx_images(a.test)
    train = torch.from_numpy(train_np)
    n, nv = train.shape
    w = torch.randn(nv, a.hidden) * 0.01
    # Visible biases from the data marginals (Hinton 2010, section 8.1), as ebm.
    p_on = train.mean(0).clamp(1e-3, 1 - 1e-3)
    b = torch.log(p_on / (1 - p_on))
    c = torch.zeros(a.hidden)
    lr = a.learning_rate

    start = time.perf_counter()
    with torch.no_grad():
        for _ in range(a.epochs):
            order = torch.randperm(n)
            for first in range(0, n, a.batch):
                v0 = train[order[first:first + a.batch]]
                ph0 = torch.sigmoid(v0 @ w + c)
                h = torch.bernoulli(ph0)
                for step in range(a.k):
                    v = torch.bernoulli(torch.sigmoid(h @ w.t() + b))
                    ph = torch.sigmoid(v @ w + c)
                    if step + 1 < a.k:
                        h = torch.bernoulli(ph)
                m = v0.shape[0]
                w += (lr / m) * (v0.t() @ ph0 - v.t() @ ph)
                b += lr * (v0 - v).mean(0)
                c += lr * (ph0 - ph).mean(0)
    seconds = time.perf_counter() - start
    wd = w.double().numpy()
    common.report({
        "peer": "torch RBM", "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
        "openblas_num_threads_env": os.environ.get("OPENBLAS_NUM_THREADS", ""), "estimator": "cd", "k": a.k,
        "scalar": str(w.dtype).replace("torch.", ""), "hidden": a.hidden, "batch": a.batch, "samples": n,
        "epochs": a.epochs, "train_seconds": seconds, "samples_per_second": n * a.epochs / seconds,
        "reconstruction_error_train": common.reconstruction_error(train_np[:10000], wd, b.double().numpy(),
                                                                  c.double().numpy()),
        "reconstruction_error_test": common.reconstruction_error(test_np, wd, b.double().numpy(), c.double().numpy()),
    })


if __name__ == "__main__":
    main()
