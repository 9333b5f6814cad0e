"""Reference timings for the evsh statistics kernels: the NumPy / scikit-learn / SciPy way
of doing the same work on the same .npy files (written by `--make`).

    python3 bench/stats_ref.py DIR --make [--n 10000000]   # write score/truth/x/y.npy
    python3 bench/stats_ref.py DIR                          # time the references (JSON out)

Each timing is the median of `--repeat` runs after one warm-up run.
"""
import argparse, json, os, statistics, sys, time

import numpy as np

WPS = [0.96, 0.97, 0.98, 0.99, 0.995]


def make(d, n):
    rng = np.random.default_rng(7)
    truth = rng.random(n) < 0.1
    score = np.where(truth, rng.normal(1.5, 1.0, n), rng.normal(-1.5, 1.0, n))
    score = (1 / (1 + np.exp(-score))).astype(np.float32)
    x = rng.normal(0.0, 1.0, n)
    y = 2 * x + rng.normal(0, 0.5, n)
    os.makedirs(d, exist_ok=True)
    for k, v in dict(score=score, truth=truth, x=x, y=y).items():
        np.save(os.path.join(d, k + ".npy"), v)


def roc_numpy(score, truth):
    """ROC + AUC + 5 working points the sort-and-cumsum way (what the Python evaluation did)."""
    order = np.argsort(-score, kind="mergesort")
    s = score[order]
    t = truth[order]
    distinct = np.where(np.diff(s))[0]
    idx = np.r_[distinct, t.size - 1]
    tps = np.cumsum(t)[idx]
    fps = 1 + idx - tps
    tpr = tps / tps[-1]
    fpr = fps / fps[-1]
    auc = np.trapezoid(np.r_[0, tpr], np.r_[0, fpr])
    out = []
    for w in WPS:
        i = int(np.searchsorted(tpr, w))
        out.append((float(s[idx[i]]), int(tps[i]), int(fps[i])))
    return auc, out


def timed(f, repeat):
    f()
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--make", action="store_true")
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    if a.make:
        make(a.dir, a.n)
        return
    L = lambda k: np.load(os.path.join(a.dir, k + ".npy"))
    score, truth, x, y = L("score"), L("truth"), L("x"), L("y")
    res = {"n": int(score.size)}
    res["roc_wp_numpy"] = timed(lambda: roc_numpy(score, truth), a.repeat)
    try:
        from sklearn.metrics import roc_curve, roc_auc_score
        res["roc_sklearn"] = timed(lambda: (roc_curve(truth, score), roc_auc_score(truth, score)), a.repeat)
    except ImportError:
        pass
    res["hist_numpy"] = timed(lambda: np.histogram(x, bins=100, range=(-5, 5)), a.repeat)
    try:
        from scipy.stats import binned_statistic
        res["binned_mean_scipy"] = timed(
            lambda: binned_statistic(x, y, statistic="mean", bins=100, range=(-5, 5)), a.repeat)
    except ImportError:
        pass
    auc, wps = roc_numpy(score, truth)
    res["auc"] = float(auc)
    res["wp_thresholds"] = [w[0] for w in wps]
    print(json.dumps(res))


if __name__ == "__main__":
    sys.exit(main())
