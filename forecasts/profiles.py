"""Intraday shapes: each slot's share of the day's arrivals, pooled by empirical Bayes.

Shares are estimated at three levels — all days, day class (workday / weekend), class × weekday — each
shrunk towards its parent, and event days (pension, payroll, holiday neighbours, …) get a multiplicative
ratio on top of their weekday's shape. The amount of pooling is learned from the data, not set: for a child
with raw ratios ``r_s = share_s / parent_s`` and sampling variances ``v_s`` (Poisson, from the weighted
counts), the spread between child and parent is ``tau² = max(0, mean_s((r_s − 1)² − v_s))`` (weighted by the
parent's share) and each slot keeps ``tau² / (tau² + v_s)`` of its own deviation. Weekdays that really
differ (the Israeli call centre's Monday and Wednesday afternoons) keep their shape; weekdays that differ
only by noise (the sample branch) collapse onto the class shape. The parents themselves (all days, each
class) and the event ratios are smoothed across neighbouring slots (:func:`smooth_shares`,
:func:`whittaker_cp`), again by as much as the counts say is noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasts.panel import FLAG_NAMES, Panel


def eb_ratio(observed: np.ndarray, expected: np.ndarray, var: np.ndarray) -> np.ndarray:
    """Shrunken ratio observed/expected per slot (1 where nothing is expected)."""
    ok = (expected > 0) & np.isfinite(var) & (var > 0)
    if not ok.any():
        return np.ones_like(expected)
    r = np.where(ok, observed / np.where(ok, expected, 1.0), 1.0)
    w = np.where(ok, expected, 0.0)
    tau2 = max(0.0, float(np.sum(w * ((r - 1.0) ** 2 - np.where(ok, var, 0.0))) / np.sum(w)))
    keep = np.where(ok, tau2 / (tau2 + np.where(ok, var, 1.0)), 0.0)
    return 1.0 + keep * (r - 1.0)


@dataclass
class Shapes:
    """Fitted shares (on ``slots``) per level, and event ratios per flag."""

    slots: np.ndarray
    overall: np.ndarray
    by_class: dict[str, np.ndarray] = field(default_factory=dict)
    by_group: dict[str, np.ndarray] = field(default_factory=dict)
    events: dict[str, np.ndarray] = field(default_factory=dict)

    def base(self, group: str, klass: str) -> np.ndarray:
        """Share per slot for a class × weekday key (falling back to the class, then to all days)."""
        if group in self.by_group:
            return self.by_group[group]
        return self.by_class.get(klass, self.overall)

    def day_shapes(self, panel: Panel, events: bool = True) -> np.ndarray:
        """Days × slots shapes of ``panel``, each summing to 1 over the day's open slots."""
        groups = panel.groups()
        uniq, inv = np.unique(groups, return_inverse=True)
        table = np.stack([self.base(str(g), str(g).split(":")[0]) for g in uniq]) if len(uniq) else None
        pos = pd.Index(self.slots).get_indexer(panel.slots)
        known = pos >= 0
        shapes = np.zeros(panel.open.shape)
        if table is not None:
            base = table[inv]
            if events:
                flags = panel.flags()
                for j, name in enumerate(FLAG_NAMES):
                    if name in self.events and flags[:, j].any():
                        base = base * np.where(flags[:, j : j + 1] > 0, self.events[name][None, :], 1.0)
            shapes[:, known] = base[:, pos[known]]
        shapes = np.nan_to_num(shapes) * panel.open
        total = shapes.sum(axis=1, keepdims=True)
        uniform = panel.open / np.maximum(panel.open.sum(axis=1, keepdims=True), 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, shapes / np.where(total > 0, total, 1.0), uniform)


def _sums(
    y: np.ndarray, tot: np.ndarray, obs: np.ndarray, v: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted slot counts, weighted day totals where the slot was open, and Σ v² · total."""
    vv = v[rows, None]
    return (
        (vv * y[rows]).sum(axis=0),
        (vv * tot[rows] * obs[rows]).sum(axis=0),
        (vv**2 * tot[rows] * obs[rows]).sum(axis=0),
    )


def _child(num: np.ndarray, den: np.ndarray, den2: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """A child's shares shrunk towards ``parent`` (parent where the child never saw the slot open)."""
    expected = parent * den
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(expected > 0, den2 * parent / expected**2, np.inf)
    return parent * eb_ratio(num, expected, var)


_LAMBDAS = 10.0 ** np.arange(-3.0, 6.01, 0.5)
"""The smoothing strengths Mallows' C_p chooses from: a finer grid finds a slightly better λ for more solves."""


def smooth_shares(num: np.ndarray, den: np.ndarray, den2: np.ndarray) -> np.ndarray:
    """Shares ``num / den`` smoothed across neighbouring slots, as much as the counts say is noise.

    A Whittaker smoother (Eilers 2003): minimise ``Σ w (z − f)² + λ Σ (Δ² f)²`` over the slots seen open,
    ``z`` the raw share and ``w`` its Poisson precision ``den² / (den2 · z)``; ``λ`` minimises Mallows'
    ``C_p = Σ w (z − f)² + 2 tr(H)`` (the noise variance is known, so no cross-validation is needed). Sharp
    features the counts support (an opening rush, a lunch dip) keep a small ``λ``; slot-to-slot noise of a
    thin class (weekends, a quiet counter) is averaged away. Slots never seen open stay 0.
    """
    seen = den > 0
    out = np.zeros_like(num, dtype=float)
    if seen.sum() < 5:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(seen, num / np.where(seen, den, 1.0), 0.0)
    z = num[seen] / den[seen]
    floor = max(float(z[z > 0].min()) if (z > 0).any() else 1e-6, 1e-9)
    w = den[seen] ** 2 / (np.maximum(den2[seen], 1e-300) * np.maximum(z, floor))
    out[seen] = np.maximum(whittaker_cp(z, w), 0.0)
    return out


def whittaker_cp(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``z`` (in slot order, precisions ``w``) smoothed by a Whittaker smoother with λ by Mallows' C_p."""
    n = len(z)
    if n < 5:
        return z.astype(float)
    d2 = np.diff(np.eye(n), 2, axis=0)
    pen = d2.T @ d2
    best, best_f = np.inf, z.astype(float)
    for lam in _LAMBDAS:
        h = np.linalg.solve(np.diag(w) + lam * pen, np.diag(w))
        f = h @ z
        cp = float(np.sum(w * (z - f) ** 2) + 2.0 * np.trace(h))
        if cp < best:
            best, best_f = cp, f
    return best_f


def fit_shapes(panel: Panel, weights: np.ndarray, events: bool = True, smooth: bool = True) -> Shapes:
    """Shapes of a panel's usable days, each day weighted by ``weights`` (e.g. exponential decay).

    With ``smooth`` the overall and the class shapes (the parents every weekday and event is pooled towards)
    are smoothed across slots by :func:`smooth_shares`, and each event's ratio by :func:`whittaker_cp` with
    the ratio's own precision (a pension day's early crowd seen on a handful of days).
    """
    u = panel.usable
    v = np.where(u, weights, 0.0)
    obs = panel.open & np.isfinite(panel.y) & u[:, None]
    y = np.where(obs, panel.y, 0.0)
    tot = np.nan_to_num(panel.totals)[:, None] * np.ones_like(y)
    num, den, den2 = _sums(y, tot, obs, v, u)
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = np.where(den > 0, num / den, 0.0)
    if smooth:
        overall = smooth_shares(num, den, den2)
    shapes = Shapes(panel.slots, overall)
    classes, groups = panel.classes(), panel.groups()
    for c in np.unique(classes[u]):
        c_num, c_den, c_den2 = _sums(y, tot, obs, v, u & (classes == c))
        shapes.by_class[c] = _child(c_num, c_den, c_den2, overall)
        if smooth:  # the pooled class shape, smoothed with the class's own count precision
            smoothed = smooth_shares(shapes.by_class[c] * c_den, c_den, c_den2)
            shapes.by_class[c] = np.where(c_den > 0, smoothed, overall)
    for g in np.unique(groups[u]):
        if g.endswith(":"):  # a day outside its class's regular weekdays (调休): the class shape
            continue
        parent = shapes.by_class[g.split(":")[0]]
        shapes.by_group[g] = _child(*_sums(y, tot, obs, v, u & (groups == g)), parent)
    if events:
        flags = panel.flags()
        base = shapes.day_shapes(panel, events=False)
        day_tot = np.nan_to_num(panel.totals)
        for j, name in enumerate(FLAG_NAMES):
            rows = u & (flags[:, j] > 0)
            if not rows.any():
                continue
            observed = (v[rows, None] * y[rows]).sum(axis=0)
            expected = (v[rows, None] * day_tot[rows, None] * base[rows]).sum(axis=0)
            spread = (v[rows, None] ** 2 * day_tot[rows, None] * base[rows]).sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                var = np.where(expected > 0, spread / expected**2, np.inf)
            ratio = eb_ratio(observed, expected, var)
            ok = (expected > 0) & np.isfinite(var) & (var > 0)
            if smooth and ok.sum() >= 5:  # event ratios are smoothed too, by their own precision
                ratio[ok] = np.maximum(whittaker_cp(ratio[ok], 1.0 / var[ok]), 0.0)
            shapes.events[name] = ratio
    return shapes
