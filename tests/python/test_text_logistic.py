"""vidseg's sparse logistic regression and Platt scaling (src/vidseg/text/) against scikit-learn.

The driver tests/tools/lexical_vectors.cpp ("mode": "logistic" / "platt") fits vidseg's solvers on the
rows it is given. Dual coordinate descent run to a tight tolerance must reach the optimum of
LogisticRegression(solver="liblinear") — the same weights and intercept, with and without balanced class
weights, for several C — and Platt scaling the a, b of CalibratedClassifierCV's sigmoid calibration. The
plain SGD solver, by contrast, stops off the optimum: the comparison is sharp enough to tell them apart."""
import json
import os
import subprocess

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.calibration import _sigmoid_calibration
from sklearn.linear_model import LogisticRegression

TOOL = os.environ.get("VIDSEG_LEXICAL_TOOL", "vidseg_lexical_vectors")


def problem(seed=7, rows=400, width=60, density=0.08):
    """Sparse non-negative rows (as TF-IDF rows are, L2-normalised) and three labels: a frequent one, a rare
    one (about 5 %) and one only partly predictable from the columns."""
    rng = np.random.default_rng(seed)
    x = sp.random(rows, width, density=density, random_state=rng, format="csr", dtype=np.float64)
    x.data = rng.uniform(0.1, 1.0, size=x.data.shape)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    x = sp.diags(1 / norms) @ x
    x = x.tocsr()
    x.sort_indices()
    true_w = rng.normal(size=(width, 3)) * 3
    z = x @ true_w
    y = np.stack([z[:, 0] > np.median(z[:, 0]),
                  z[:, 1] > np.quantile(z[:, 1], 0.95),
                  z[:, 2] + rng.normal(scale=2, size=rows) > 0], axis=1).astype(np.uint8)
    return x.astype(np.float32).astype(np.float64), y


def vidseg_fit(x, y, **kwargs):
    request = {"mode": "logistic", "labels": y.shape[1], "width": x.shape[1], "targets": y.ravel().tolist(),
               "rows": [{"index": x.indices[x.indptr[i]:x.indptr[i + 1]].tolist(),
                         "value": x.data[x.indptr[i]:x.indptr[i + 1]].tolist()} for i in range(x.shape[0])]}
    request.update(kwargs)
    out = subprocess.run([TOOL], input=json.dumps(request), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def sklearn_fit(x, y, c, balanced):
    models = [LogisticRegression(solver="liblinear", C=c, class_weight="balanced" if balanced else None, tol=1e-12,
                                 max_iter=100000).fit(x, y[:, j]) for j in range(y.shape[1])]
    return np.stack([m.coef_[0] for m in models]), np.array([m.intercept_[0] for m in models])


@pytest.mark.parametrize("c,balanced", [(1.0, True), (0.1, True), (10.0, True), (1.0, False)])
def test_dual_coordinate_descent_reaches_liblinear_optimum(c, balanced):
    x, y = problem()
    ours = vidseg_fit(x, y, c=c, balanced=balanced, tolerance=1e-7)
    coef, intercept = sklearn_fit(x, y, c, balanced)
    assert ours["converged"]
    np.testing.assert_allclose(np.array(ours["weights"]), coef, atol=2e-4, rtol=1e-3)
    np.testing.assert_allclose(ours["bias"], intercept, atol=2e-4, rtol=1e-3)
    # Not trivially equal: the weights are large and varied.
    assert np.abs(coef).max() > 0.5
    if balanced:  # scikit-learn's balanced weight of a positive row: n / (2 n_positive)
        np.testing.assert_allclose(ours["class_weights"], len(y) / (2 * y.sum(axis=0)), rtol=1e-6)


def test_default_tolerance_gives_the_same_decisions_as_liblinear():
    x, y = problem(seed=11, rows=600)
    ours = vidseg_fit(x, y)  # the tolerance `vidseg train` uses
    coef, intercept = sklearn_fit(x, y, 1.0, True)
    margins_ours = x @ np.array(ours["weights"]).T + np.array(ours["bias"])
    margins_ref = x @ coef.T + intercept
    np.testing.assert_allclose(margins_ours, margins_ref, atol=0.02)
    assert ((margins_ours > 0) != (margins_ref > 0)).mean() < 0.005


def test_sgd_stops_off_the_optimum():
    x, y = problem()
    sgd = vidseg_fit(x, y, solver="sgd")
    coef, _ = sklearn_fit(x, y, 1.0, True)
    assert np.abs(np.array(sgd["weights"]) - coef).max() > 0.05


@pytest.mark.parametrize("seed,scale", [(3, 1.0), (4, 8.0), (5, 50.0)])
def test_platt_scaling_matches_sklearn_sigmoid_calibration(seed, scale):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=500) * scale
    y = rng.uniform(size=500) < 1 / (1 + np.exp(-(0.7 * f / scale - 1.2)))
    ours = json.loads(subprocess.run([TOOL], input=json.dumps({"mode": "platt", "margins": f.tolist(),
                                                                "positive": y.tolist()}),
                                     capture_output=True, text=True, check=True).stdout)
    a, b = _sigmoid_calibration(f, y.astype(int))
    assert ours["a"] == pytest.approx(a, rel=1e-4, abs=1e-6)
    assert ours["b"] == pytest.approx(b, rel=1e-4, abs=1e-5)
    assert a < 0  # a higher margin, a likelier positive
