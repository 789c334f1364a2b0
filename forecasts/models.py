"""Forecasters of arrivals per slot, with the estimator contract, and the calendar-aware main model.

Contract (as scikit-learn and statsforecast): ``__init__`` only stores settings; ``fit(frame)`` learns and
returns ``self``; learned state ends in ``_``; ``predict(future)`` returns one row per open future slot with
``date, slot, counter, mean, q10, q50, q80, q90, q95`` (quantiles from a negative-binomial predictive, see
:mod:`forecasts.nbinom`, so ``q10 <= q50 <= q80 <= q90 <= q95``). Predicting before fitting raises
:class:`NotFittedError`.

``frame`` is the long frame of :mod:`forecasts.arrivals` (``date, slot, counter, y, is_open``, optional
``excluded``) carrying the day features of :mod:`forecasts.features`; a model built with ``calendar=``
adds missing features itself and also accepts a list of dates in ``predict``. The math is array-level, per
counter, on a days × slots panel (:class:`forecasts.panel.Panel`).

Models: :class:`SeasonalNaive` and :class:`HistoricalAverage` (baselines) and :class:`CalendarModel`, a
day-total NB2 GLM times an intraday shape (see its docstring).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, ClassVar, Literal, Self

import numpy as np
import pandas as pd

from constraints.calendar import BranchCalendar
from forecasts.features import DayCalendar, day_features, slot_features
from forecasts.nbinom import (
    coverage_dispersion,
    fit_dispersion,
    moment_dispersion,
    nb_quantiles,
    ridge_nb_glm,
)
from forecasts.panel import FLAG_NAMES, Panel, day_class, make_panel, slot_lookup
from forecasts.profiles import fit_shapes

PROBS: tuple[float, ...] = (0.1, 0.5, 0.8, 0.9, 0.95)
QUANTILE_COLUMNS: tuple[str, ...] = ("q10", "q50", "q80", "q90", "q95")
PREDICTION_COLUMNS: tuple[str, ...] = ("date", "slot", "counter", "mean", *QUANTILE_COLUMNS)


class NotFittedError(RuntimeError):
    """``predict`` called before ``fit``."""


class Forecaster:
    """Base of every forecaster: the contract, feature handling and quantiles."""

    name: ClassVar[str] = "forecaster"
    required: ClassVar[tuple[str, ...]] = ("weekday", "day_type")

    calendar: BranchCalendar | DayCalendar | None

    def get_params(self) -> dict[str, Any]:
        """The settings given to ``__init__``."""
        return {k: v for k, v in vars(self).items() if not k.endswith("_")}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items() if k != "calendar")
        return f"{type(self).__name__}({args})"

    # -- frames ------------------------------------------------------------------------------------------
    def _with_features(self, frame: pd.DataFrame) -> pd.DataFrame:
        missing = [c for c in self.required if c not in frame.columns]
        if not missing:
            return frame
        if self.calendar is None:
            raise ValueError(
                f"frame lacks feature columns {missing}: add them with forecasts.features.slot_features "
                f"or build {type(self).__name__}(calendar=...)"
            )
        days = day_features(self.calendar, min(frame["date"]), max(frame["date"])).drop(columns=["is_open"])
        keep = [c for c in frame.columns if c == "date" or c not in days.columns]
        return frame[keep].merge(days, on="date", how="left", validate="many_to_one")

    def _future(self, future: pd.DataFrame | Iterable[dt.date]) -> pd.DataFrame:
        if isinstance(future, pd.DataFrame):
            return self._with_features(future)
        dates = sorted(set(future))
        if self.calendar is None:
            raise ValueError(
                f"predict(dates) needs {type(self).__name__}(calendar=...); pass a frame instead"
            )
        grid = slot_features(self.calendar, dates[0], dates[-1], self.counters_)
        return grid[grid["date"].isin(dates)]

    def _check_fitted(self) -> None:
        if not hasattr(self, "states_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(frame) first")

    # -- contract ------------------------------------------------------------------------------------------
    def fit(self, frame: pd.DataFrame) -> Self:
        """Learn from the long history frame; returns self."""
        frame = self._with_features(frame)
        self.counters_: list[str] = list(dict.fromkeys(frame["counter"]))
        self.states_: dict[str, Any] = {}
        for counter in self.counters_:
            panel = make_panel(frame[frame["counter"] == counter])
            if not panel.usable.any():
                raise ValueError(f"no observed open slot for counter {counter!r} in the history")
            self.states_[counter] = self._fit_panel(panel)
        self.last_date_: dt.date = max(frame["date"])
        return self

    def predict(self, future: pd.DataFrame | Iterable[dt.date]) -> pd.DataFrame:
        """Mean and quantiles for every open slot of ``future`` (a frame or, with a calendar, dates)."""
        self._check_fitted()
        fut = self._future(future)
        fut = fut[fut["is_open"].astype(bool)]
        parts = []
        for key, rows in fut.groupby("counter", sort=False):
            counter = str(key)
            if counter not in self.states_:
                raise ValueError(f"counter {counter!r} was not in the fitted history {self.counters_}")
            panel = make_panel(rows.assign(y=np.nan))
            mean, alpha = self._predict_panel(self.states_[counter], panel)
            d_idx, s_idx = np.nonzero(panel.open)
            m = np.maximum(mean[d_idx, s_idx], 0.0)
            a = np.broadcast_to(alpha, mean.shape)[d_idx, s_idx]
            q = nb_quantiles(m, a, PROBS)
            part = pd.DataFrame(
                {
                    "date": np.array(panel.dates, dtype=object)[d_idx],
                    "slot": panel.slots[s_idx],
                    "counter": counter,
                    "mean": m,
                }
            )
            part[list(QUANTILE_COLUMNS)] = q
            parts.append(part)
        if not parts:
            return pd.DataFrame({c: [] for c in PREDICTION_COLUMNS})
        return pd.concat(parts, ignore_index=True)

    def _fit_panel(self, panel: Panel) -> Any:
        raise NotImplementedError

    def _predict_panel(self, state: Any, panel: Panel) -> tuple[np.ndarray, np.ndarray | float]:
        raise NotImplementedError


class SeasonalNaive(Forecaster):
    """Same weekday last week, slot by slot.

    When last week's same weekday was closed or excluded (or that slot was shut), the most recent
    same-weekday day with that slot open is used; failing that, the most recent day with that slot open.
    Dispersion from the history's own week-on-week differences.
    """

    name = "seasonal_naive"

    def __init__(self, *, calendar: BranchCalendar | DayCalendar | None = None) -> None:
        self.calendar = calendar

    def _fit_panel(self, panel: Panel) -> dict[str, Any]:
        observed = panel.open & np.isfinite(panel.y)
        last_any = np.full(len(panel.slots), np.nan)
        last_wd = np.full((7, len(panel.slots)), np.nan)
        pairs_y, pairs_mu = [], []
        weekdays = panel.days["weekday"].to_numpy()
        for i in range(len(panel.dates)):
            row = observed[i]
            prev = last_wd[weekdays[i]]
            both = row & np.isfinite(prev)
            pairs_y.append(panel.y[i, both])
            pairs_mu.append(prev[both])
            last_wd[weekdays[i], row] = panel.y[i, row]
            last_any[row] = panel.y[i, row]
        y, mu = np.concatenate(pairs_y), np.concatenate(pairs_mu)
        return {
            "slots": panel.slots,
            "last_wd": last_wd,
            "last_any": last_any,
            "alpha": fit_dispersion(y, mu),
        }

    def _predict_panel(self, state: dict[str, Any], panel: Panel) -> tuple[np.ndarray, float]:
        last_wd = slot_lookup(state["slots"], state["last_wd"], panel.slots)
        last_any = slot_lookup(state["slots"], state["last_any"], panel.slots)
        mean = last_wd[panel.days["weekday"].to_numpy()]
        mean = np.where(np.isfinite(mean), mean, last_any[None, :])
        return np.nan_to_num(mean), state["alpha"]


class HistoricalAverage(Forecaster):
    """Average of the same day type × weekday × slot over the last ``weeks`` weeks.

    Fallbacks for a day with no such day in the window: same day type × slot, then the day's class
    (make-up workday → workday, open holiday → weekend) × slot, then any day × slot. Dispersion from
    leave-one-out residuals of the window.
    """

    name = "historical_average"

    def __init__(self, weeks: int = 4, *, calendar: BranchCalendar | DayCalendar | None = None) -> None:
        self.weeks = weeks
        self.calendar = calendar

    def _fit_panel(self, panel: Panel) -> dict[str, Any]:
        last = max(d for d, u in zip(panel.dates, panel.usable, strict=True) if u)
        window = np.array([(last - d).days < 7 * self.weeks for d in panel.dates]) & panel.usable
        y = np.where(window[:, None] & panel.open, panel.y, np.nan)
        types = panel.days["day_type"].astype(str).to_numpy()
        keys = {
            "type_wd": np.array([f"{t}:{w}" for t, w in zip(types, panel.days["weekday"], strict=True)]),
            "type": types,
            "class": panel.classes(),
        }
        tables: dict[str, dict[str, np.ndarray]] = {}
        res_y, res_mu = [], []
        for level, key in keys.items():
            tables[level] = {}
            for k in np.unique(key[window]):
                block = y[key == k]
                n = np.isfinite(block).sum(axis=0)
                total = np.nansum(block, axis=0)
                with np.errstate(invalid="ignore", divide="ignore"):
                    tables[level][k] = np.where(n > 0, total / np.maximum(n, 1), np.nan)
                    if level == "type_wd":
                        loo = (total[None, :] - block) / (n[None, :] - 1)
                        ok = np.isfinite(block) & (n[None, :] >= 2)
                        res_y.append(block[ok])
                        res_mu.append(loo[ok])
        seen = np.isfinite(y).sum(axis=0)
        overall = np.where(seen > 0, np.nansum(y, axis=0) / np.maximum(seen, 1), np.nan)
        alpha = fit_dispersion(np.concatenate(res_y or [[]]), np.concatenate(res_mu or [[]]))
        return {"slots": panel.slots, "tables": tables, "overall": overall, "alpha": alpha}

    def _predict_panel(self, state: dict[str, Any], panel: Panel) -> tuple[np.ndarray, float]:
        tables, slots = state["tables"], state["slots"]
        overall = np.nan_to_num(slot_lookup(slots, state["overall"], panel.slots))
        mean = np.zeros(panel.open.shape)
        for i, rec in enumerate(panel.days.itertuples(index=False)):
            day_type = str(rec.day_type)
            row = np.full(len(panel.slots), np.nan)
            for level, k in (
                ("type_wd", f"{day_type}:{rec.weekday}"),
                ("type", day_type),
                ("class", day_class(day_type)),
            ):
                if k in tables[level]:
                    vals = slot_lookup(slots, tables[level][k], panel.slots)
                    row = np.where(np.isfinite(row), row, vals)
            mean[i] = np.where(np.isfinite(row), row, overall)
        return mean, state["alpha"]


class CalendarModel(Forecaster):
    """The calendar-aware main model: a day-total NB2 GLM times an intraday shape.

    For each counter:

    1. **Day totals** ``Y_d`` (sum of the day's open slots) follow a log-linear NB2 GLM with a ridge penalty,
       fitted by IRLS with exponentially decaying weights (half-life ``halflife_weeks``): intercept, day class
       (workday / weekend), class × weekday, and multiplicative effects for open holidays, 调休 make-up days,
       1–2 days before/after a statutory holiday, month start/end, pension and payroll days, and optionally
       a linear trend. The ridge is a Gaussian prior on the log effects (sd ``effect_sd`` for the events,
       ``weekday_sd`` for the weekdays): an effect seen on few, noisy days shrinks towards 0, and an unseen
       weekday of a class takes the class level. A 调休 Saturday is a workday with no weekday effect of its
       own (see :meth:`forecasts.panel.Panel.groups`): the workday level times the ``makeup`` effect, which
       pools every make-up day, Saturday or Sunday.
    2. **Level**: the GLM level is corrected by the ratio of actual to fitted totals over the recent days
       (half-life ``level_halflife_weeks``, shrunk with ``level_prior`` pseudo-days), which follows level shifts.
    3. **Intraday shape**: each slot's share of the day total, exponentially weighted
       (``profile_halflife_weeks``), by class × weekday, pooled towards the class shape and that towards the
       overall shape by empirical Bayes, times a ratio for event days (``event_shapes``; a pension day's early
       crowd); with ``smooth_shapes`` the overall and class shapes and the event ratios are smoothed across
       neighbouring slots by as much as their counts say is noise (Whittaker smoother, λ by Mallows' C_p); see
       :mod:`forecasts.profiles`. Renormalised over the day's open slots.
    4. **Uncertainty**: slot counts are NB2 around ``total × share``; ``alpha`` is calibrated on honest
       one-week-ahead errors of the last ``calib_weeks`` weeks of the history (each week predicted by the
       model fitted on the days before it): ``dispersion="coverage"`` makes the central 80 % interval hold
       80 % of those errors (randomized PIT, robust to a few huge misses), ``"mle"`` maximises the likelihood.
    5. **Short histories**: with less than ``min_weeks`` weeks of history the mean is blended with
       :class:`HistoricalAverage` (weight falling linearly to 0 at ``min_weeks``), on top of the ridge
       shrinkage that already pulls sparse effects to their parents.

    Setting ``calendar=`` lets ``fit`` add missing feature columns and ``predict`` take dates.
    """

    name = "calendar_model"

    def __init__(
        self,
        halflife_weeks: float = 8.0,
        level_halflife_weeks: float | None = 1.0,
        profile_halflife_weeks: float = 8.0,
        event_shapes: bool = True,
        effect_sd: float = 0.5,
        weekday_sd: float = 0.5,
        level_prior: float = 2.0,
        trend: bool = False,
        min_weeks: float = 3.0,
        calib_weeks: int = 3,
        dispersion: Literal["coverage", "mle"] = "coverage",
        smooth_shapes: bool = True,
        *,
        calendar: BranchCalendar | DayCalendar | None = None,
    ) -> None:
        self.halflife_weeks = halflife_weeks
        self.level_halflife_weeks = level_halflife_weeks
        self.profile_halflife_weeks = profile_halflife_weeks
        self.event_shapes = event_shapes
        self.effect_sd = effect_sd
        self.weekday_sd = weekday_sd
        self.level_prior = level_prior
        self.trend = trend
        self.min_weeks = min_weeks
        self.calib_weeks = calib_weeks
        self.dispersion = dispersion
        self.smooth_shapes = smooth_shapes
        self.calendar = calendar

    # -- design ----------------------------------------------------------------------------------------------
    def _columns(self, panel: Panel, rows: np.ndarray) -> list[tuple[str, str]]:
        classes, groups = panel.classes()[rows], panel.groups()[rows]
        values, counts = np.unique(classes, return_counts=True)
        ref = values[np.argmax(counts)]
        cols = [("const", "")]
        cols += [("class", c) for c in values if c != ref]
        cols += [("group", g) for g in np.unique(groups) if not g.endswith(":")]
        flags = panel.flags()[rows]
        cols += [("flag", f) for j, f in enumerate(FLAG_NAMES) if flags[:, j].any()]
        if self.trend:
            cols.append(("trend", ""))
        return cols

    def _design(self, panel: Panel, cols: list[tuple[str, str]], trend0: float) -> np.ndarray:
        classes, groups, flags = panel.classes(), panel.groups(), panel.flags()
        X = np.zeros((len(panel.dates), len(cols)))
        for j, (kind, key) in enumerate(cols):
            if kind == "const":
                X[:, j] = 1.0
            elif kind == "class":
                X[:, j] = classes == key
            elif kind == "group":
                X[:, j] = groups == key
            elif kind == "flag":
                X[:, j] = flags[:, FLAG_NAMES.index(key)]
            else:
                X[:, j] = panel.days["trend"].to_numpy(dtype=float) - trend0
        return X

    def _penalty(self, cols: list[tuple[str, str]]) -> np.ndarray:
        """Ridge = Gaussian prior on the log effects: 1 / sd² (intercept free)."""
        sd = {
            "const": np.inf,
            "class": 2 * self.weekday_sd,
            "group": self.weekday_sd,
            "flag": self.effect_sd,
            "trend": 0.2,
        }
        return np.array([1.0 / sd[k] ** 2 for k, _ in cols])

    # -- fitting ---------------------------------------------------------------------------------------------
    def _fit_core(self, panel: Panel) -> dict[str, Any]:
        u = panel.usable
        dates = np.array(panel.dates, dtype=object)
        last = max(dates[u])
        age = np.array([(last - d).days for d in panel.dates], dtype=float)
        w = np.where(u, 0.5 ** (age / (7 * self.halflife_weeks)), 0.0)
        totals = np.nan_to_num(panel.totals)
        cols = self._columns(panel, u)
        trend0 = float(panel.days["trend"].to_numpy(dtype=float)[u].max()) if self.trend else 0.0
        X = self._design(panel, cols, trend0)[u]
        y, wu = totals[u], w[u]
        penalty = self._penalty(cols)
        beta = ridge_nb_glm(X, y, wu, penalty)
        mu = np.exp(X @ beta)
        alpha_day = moment_dispersion(y, mu, wu)
        if alpha_day > 0:
            beta = ridge_nb_glm(X, y, wu, penalty, alpha=alpha_day)
            mu = np.exp(X @ beta)
        level = 1.0
        if self.level_halflife_weeks:
            v = 0.5 ** (age[u] / (7 * self.level_halflife_weeks))
            typical = float(np.sum(v * mu) / np.sum(v))
            level = (np.sum(v * y) + self.level_prior * typical) / (
                np.sum(v * mu) + self.level_prior * typical
            )
        span_days = (last - min(dates[u])).days + 1
        state: dict[str, Any] = {
            "cols": cols,
            "beta": beta,
            "trend0": trend0,
            "level": float(level),
            "slots": panel.slots,
            "shapes": fit_shapes(
                panel,
                0.5 ** (age / (7 * self.profile_halflife_weeks)),
                events=self.event_shapes,
                smooth=self.smooth_shapes,
            ),
            "blend": float(np.clip(1.0 - span_days / (7.0 * self.min_weeks), 0.0, 1.0)),
        }
        if state["blend"] > 0:
            state["fallback"] = HistoricalAverage(weeks=int(np.ceil(self.min_weeks)))._fit_panel(panel)
        return state

    def _mean(self, state: dict[str, Any], panel: Panel) -> np.ndarray:
        X = self._design(panel, state["cols"], state["trend0"])
        totals = np.exp(np.clip(X @ state["beta"], -30, 30)) * state["level"]
        mean = totals[:, None] * state["shapes"].day_shapes(panel, events=self.event_shapes)
        if state["blend"] > 0:
            ha, _ = HistoricalAverage()._predict_panel(state["fallback"], panel)
            mean = (1 - state["blend"]) * mean + state["blend"] * ha
        return mean

    def _fit_panel(self, panel: Panel) -> dict[str, Any]:
        state = self._fit_core(panel)
        u = panel.usable
        last = max(d for d, ok in zip(panel.dates, u, strict=True) if ok)
        ys, mus = [], []
        for k in range(1, self.calib_weeks + 1):
            cut = last - dt.timedelta(days=7 * k - 1)
            train = np.array([d < cut for d in panel.dates]) & u
            test = np.array([cut <= d < cut + dt.timedelta(days=7) for d in panel.dates]) & u
            if not test.any() or train.sum() < 7:
                continue
            sub = panel.take(train)
            mean = self._mean(self._fit_core(sub), panel.take(test))
            obs = panel.take(test)
            ok = obs.open & np.isfinite(obs.y)
            ys.append(obs.y[ok])
            mus.append(mean[ok])
        if ys:
            y_cal, mu_cal = np.concatenate(ys), np.concatenate(mus)
            if self.dispersion == "coverage":
                state["alpha"] = coverage_dispersion(y_cal, mu_cal)
            else:
                state["alpha"] = fit_dispersion(y_cal, mu_cal)
        else:  # too short to hold anything out: in-sample errors, widened
            ok = panel.open & np.isfinite(panel.y)
            state["alpha"] = 2.0 * fit_dispersion(panel.y[ok], self._mean(state, panel)[ok])
        return state

    def _predict_panel(self, state: dict[str, Any], panel: Panel) -> tuple[np.ndarray, float]:
        return self._mean(state, panel), state["alpha"]
