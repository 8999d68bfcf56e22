"""Each bucket's family quantity split over its SKUs: run-out times or shares, batches, units.

Steps 2 and 3 of :mod:`sop_core.schedule.weekly` and its rounding: the equal run-out
split (:class:`Fill`, :func:`runout`) with minimum batches, the proportional baseline
(:func:`proportional`), and whole units by largest remainders
(:func:`largest_remainder`); :func:`allocate` runs them bucket by bucket, carrying each
SKU's stock from one bucket to the next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from sop_core.schedule.weeks import Calendar

Method = Literal["runout", "proportional"]
METHODS: tuple[str, ...] = ("runout", "proportional")
TOL = 1e-9
"""A family quantity at or below this is nothing to split."""
_ROOT_STEPS = 40

Need = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def shares(m: np.ndarray) -> np.ndarray:
    """Column shares of a (SKUs, months) array; all-zero columns use the row totals'
    shares (evenly when those are zero too)."""
    total = m.sum(axis=0)
    rows = m.sum(axis=1)
    fallback = rows / rows.sum() if rows.sum() > 0 else np.full(len(rows), 1.0 / len(rows))
    safe = np.where(total > 0, total, 1.0)
    return np.where(total[None, :] > 0, m / safe[None, :], fallback[:, None])


@dataclass(frozen=True)
class Allocation:
    """What each SKU gets in each bucket (S, B) and its stock at the bucket's end."""

    made: np.ndarray  # made in the plant
    got: np.ndarray  # made plus bought in (subcontracted)
    end_stock: np.ndarray  # negative is backlog


def allocate(
    fill: Fill,
    supply_p: np.ndarray,
    supply: np.ndarray,
    demand: np.ndarray,
    cal: Calendar,
    on_hand: np.ndarray,
    ss: np.ndarray,
    batch: np.ndarray,
    *,
    method: Method,
    whole_units: bool,
    closed: np.ndarray | None = None,
) -> Allocation:
    """Split every bucket's family ``supply`` (F, B; ``supply_p`` of it made) over the
    SKUs in turn, from their ``on_hand`` stock against their bucket ``demand`` (S, B),
    safety stock ``ss`` (S, T) and minimum ``batch`` (S,); a SKU ``closed`` (S, B) in a
    bucket (phased out) gets nothing in it."""
    fam, F = fill.fam, fill.n_fam
    first = np.searchsorted(fam, np.arange(F))
    S, B = demand.shape
    made, got, end_stock = np.zeros((S, B)), np.zeros((S, B)), np.zeros((S, B))
    n_stock = on_hand.copy()
    ratio_p = np.divide(supply_p, supply, out=np.zeros_like(supply), where=supply > TOL)
    open_ = np.ones((S, B), dtype=bool) if closed is None else ~closed
    for b in range(B):
        q = supply[:, b]
        if method == "proportional":
            x = proportional(q, demand[:, b], fam, F)
        else:
            gap = ss[:, cal.b_month[b]] - n_stock
            urgent = gap + demand[:, b] > 1e-9
            x = runout(fill, q, gap, cal.b_start[b], batch, urgent, open_[:, b])
        if whole_units:
            x = largest_remainder(x, q, fam, first)
            m = largest_remainder(x * ratio_p[fam, b], supply_p[:, b], fam, first)
        else:
            m = x * ratio_p[fam, b]
        made[:, b], got[:, b] = m, x
        n_stock = n_stock + x - demand[:, b]
        end_stock[:, b] = n_stock
    return Allocation(made=made, got=got, end_stock=end_stock)


def proportional(q: np.ndarray, d: np.ndarray, fam: np.ndarray, F: int) -> np.ndarray:
    """The baseline: each SKU's share of its family's demand in the bucket."""
    total = np.bincount(fam, weights=d, minlength=F)
    n = np.bincount(fam, minlength=F)
    w = np.where(total[fam] > 0, d / np.where(total > 0, total, 1.0)[fam], 1.0 / n[fam])
    return q[fam] * w


def runout(
    fill: Fill,
    q: np.ndarray,
    gap: np.ndarray,
    t0: int,
    batch: np.ndarray,
    urgent: np.ndarray,
    open_: np.ndarray | None = None,
) -> np.ndarray:
    """Equal run-out split of one bucket with minimum batches (steps 2–3).

    ``urgent``: SKUs that end the bucket below safety stock unless made in it;
    ``open_``: SKUs that may get anything (default all)."""
    fam, F = fill.fam, fill.n_fam
    free = np.ones(len(fam), dtype=bool) if open_ is None else open_.copy()
    fixed = np.zeros(len(fam))
    frozen = np.zeros(F, dtype=bool)
    while True:
        rest = q - np.bincount(fam, weights=fixed, minlength=F)
        x = fill.split(rest, gap - fixed, t0, free)
        small = free & (x > 1e-6) & (x < batch - 1e-6) & ~frozen[fam]
        if not small.any():
            return x + fixed
        # urgent SKUs below their batch get a whole batch, the neediest first, while
        # the family's quantity lasts; the others wait until their need is worth one
        u = np.flatnonzero(small & urgent)
        if len(u):
            o = u[np.lexsort((-x[u] / batch[u], fam[u]))]
            b, f = batch[o], fam[o]
            c = np.cumsum(b)
            first = np.r_[0, np.flatnonzero(np.diff(f)) + 1]
            before = np.repeat(c[first] - b[first], np.diff(np.r_[first, len(o)]))
            ok = c - before <= rest[f] + 1e-9
            fixed[o[ok]] = b[ok]
        free &= ~small
        rest = q - np.bincount(fam, weights=fixed, minlength=F)
        takers = np.bincount(fam, weights=free.astype(float), minlength=F)
        for f in np.flatnonzero((rest > 1e-6) & (takers == 0)):
            rows = np.flatnonzero(fam == f)
            have = rows[fixed[rows] > 0]
            # the rest goes on top of a batch if there is one, else to the neediest SKU
            free[have[0] if len(have) else rows[np.argmax(x[rows])]] = True
            frozen[f] = True


def largest_remainder(
    x: np.ndarray, totals: np.ndarray, fam: np.ndarray, first: np.ndarray
) -> np.ndarray:
    """Whole units per SKU, near ``x``, summing to each family's whole ``totals``.

    Floors first; the units left go to the largest remainders (Hamilton's method)."""
    fl = np.floor(x + 1e-7)
    rem = x - fl
    left = np.rint(totals - np.bincount(fam, weights=fl, minlength=len(totals)))
    order = np.lexsort((-rem, fam))
    rank = np.empty(len(x), dtype=np.int64)
    rank[order] = np.arange(len(x)) - first[fam[order]]
    out = fl + (rank < left[fam])
    if (left < 0).any():  # float noise only; take units back from the largest floors
        for f in np.flatnonzero(left < 0):
            idx = np.flatnonzero(fam == f)
            for k in idx[np.argsort(-fl[idx])][: int(-left[f])]:
                out[k] -= 1
    return out


@dataclass
class Fill:
    """Equal run-out split of one bucket, all families at once.

    A SKU's cumulative demand is linear within a month (its demand is spread evenly over
    the month's days): C_s(t) = cum_s[m] + rate_s[m]·(t − start[m]) for t in month m,
    extended before the first and after the last month at their rates."""

    a: np.ndarray  # (S*T,) cum_s[m] − rate_s[m]·start[m], rows flattened
    b: np.ndarray  # (S*T,) rate_s[m] + eps_s: units per day, rows flattened
    start: np.ndarray  # (T,) first day of each month (days from the horizon's start)
    fam: np.ndarray  # (S,)
    row: np.ndarray  # (S,) offset of each SKU's row in a and b
    n_fam: int
    ahead: np.ndarray  # (F,) run-out time of the last split, days after its bucket's start

    @classmethod
    def of_demand(
        cls, grid: np.ndarray, daily: np.ndarray, cal: Calendar, fam: np.ndarray, n_fam: int
    ) -> Fill:
        """From each SKU's cumulative demand at each day's start (S, D + 1) and its
        demand per day in each month (S, T); eps is 1e-7 of the family's mean rate."""
        F, T = n_fam, daily.shape[1]
        mean_rate = np.bincount(fam, weights=daily.mean(axis=1), minlength=F) / np.maximum(
            1, np.bincount(fam, minlength=F)
        )
        month_start = np.searchsorted(cal.day_month, np.arange(T)).astype(float)
        return cls.make(
            grid[:, month_start.astype(np.int64)],
            daily,
            month_start,
            1e-7 * np.maximum(mean_rate[fam], 1e-3),
            fam,
            F,
        )

    @classmethod
    def make(
        cls,
        cum: np.ndarray,
        rate: np.ndarray,
        start: np.ndarray,
        eps: np.ndarray,
        fam: np.ndarray,
        n_fam: int,
    ) -> Fill:
        """From cumulative demand at the month starts (S, T), rates (S, T) [units/day],
        the months' first days (T,), the eps rates (S,) and each SKU's family: the
        curves plus eps·t."""
        S, T = rate.shape
        return cls(
            a=(cum - rate * start[None, :]).ravel(),
            b=(rate + eps[:, None]).ravel(),
            start=start,
            fam=fam,
            row=np.arange(S) * T,
            n_fam=n_fam,
            ahead=np.full(n_fam, 7.0),
        )

    def curve(self, tau_f: np.ndarray) -> np.ndarray:
        """Cumulative demand of each SKU at its family's time tau_f, plus the eps ramp."""
        m_f = np.searchsorted(self.start, tau_f, side="right") - 1
        np.clip(m_f, 0, len(self.start) - 1, out=m_f)
        idx = self.row + m_f[self.fam]
        return self.a[idx] + self.b[idx] * tau_f[self.fam]

    def split(self, q: np.ndarray, gap: np.ndarray, t0: float, elig: np.ndarray) -> np.ndarray:
        """x_s = max(0, C_s(τ_f) − C_s(t0) + gap_s) for eligible SKUs with Σ_f x = q_f;
        gap_s = safety stock − stock before the bucket. τ_f by bracketing and false
        position (Illinois); the result interpolates between the bracket's ends, so
        the family sums are exact whatever the bracket's width."""
        fam, F = self.fam, self.n_fam
        base = gap - self.curve(np.full(F, float(t0)))
        active = q > TOL

        def need(tau_f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            x = self.curve(tau_f)
            x += base
            np.maximum(x, 0.0, out=x)
            x *= elig
            return x, np.bincount(fam, weights=x, minlength=F)

        # bracket the root around the last split's run-out time (cover changes slowly)
        lo, hi, g_lo, g_hi = _bracket(need, q, t0 + self.ahead, active)
        lo, hi = _false_position(need, q, lo, hi, g_lo - q, g_hi - q, active)
        self.ahead = np.where(active, np.clip(0.5 * (lo + hi) - t0, -3650, 3650), self.ahead)
        x = _interpolate(need, q, lo, hi, fam)
        # a family whose bracket failed (degenerate data): spread its quantity evenly
        got = np.bincount(fam, weights=x, minlength=F)
        off = active & (np.abs(got - q) > 1e-6 * np.maximum(1.0, q))
        if off.any():
            n = np.bincount(fam, weights=elig.astype(float), minlength=F)
            even = np.where(n > 0, q / np.where(n > 0, n, 1.0), 0.0)[fam] * elig
            x = np.where(off[fam], even, x)
        return np.where(active[fam], x, 0.0)


def _bracket(
    need: Need, q: np.ndarray, guess: np.ndarray, active: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """lo ≤ τ_f ≤ hi for every active family, from guess ± 1 day widened by steps of
    4, 16, 64 … days; and the family sums at both ends."""
    lo, hi = guess - 1.0, guess + 1.0
    g_lo, g_hi = need(lo)[1], need(hi)[1]
    step = np.full(len(q), 4.0)
    for _ in range(200):
        bad = active & (g_lo > q)
        if not bad.any():
            break
        lo[bad] -= step[bad]
        step[bad] *= 4.0
        g_lo = need(lo)[1]
    step = np.full(len(q), 4.0)
    for _ in range(200):
        bad = active & (g_hi < q)
        if not bad.any():
            break
        hi[bad] += step[bad]
        step[bad] *= 4.0
        g_hi = need(hi)[1]
    return lo, hi, g_lo, g_hi


def _false_position(
    need: Need,
    q: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    f_lo: np.ndarray,
    f_hi: np.ndarray,
    active: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The bracket narrowed by false position (Illinois) around the root of need − q;
    ``f_lo`` ≤ 0 and ``f_hi`` ≥ 0 on an active family."""
    tol = 1e-7 * np.maximum(1.0, q)
    closed = ~active
    kept = np.zeros(len(q))  # +1: hi was kept last step, −1: lo was
    for _ in range(_ROOT_STEPS):
        open_ = ~closed & (hi - lo > 1e-7)
        if not open_.any():
            break
        span = f_hi - f_lo
        w = np.where(open_ & (span > 0), -f_lo / np.where(span > 0, span, 1.0), 0.5)
        mid = lo + np.clip(w, 0.0, 1.0) * (hi - lo)
        f_mid = need(mid)[1] - q
        # close to the root: stop there, keeping a bracket (the interpolation below
        # makes the sums exact)
        closed |= open_ & (np.abs(f_mid) <= tol)
        up = open_ & (f_mid < 0)  # the root is above mid
        down = open_ & (f_mid >= 0)
        # Illinois: an end kept twice in a row counts half, so that it moves too
        f_hi = np.where(up & (kept > 0), 0.5 * f_hi, f_hi)
        f_lo = np.where(down & (kept < 0), 0.5 * f_lo, f_lo)
        lo, f_lo = np.where(up, mid, lo), np.where(up, f_mid, f_lo)
        hi, f_hi = np.where(down, mid, hi), np.where(down, f_mid, f_hi)
        kept = np.where(up, 1.0, np.where(down, -1.0, kept))
    return lo, hi


def _interpolate(
    need: Need, q: np.ndarray, lo: np.ndarray, hi: np.ndarray, fam: np.ndarray
) -> np.ndarray:
    """The SKUs' quantities between the bracket's ends whose family sums are ``q``."""
    x_lo, g_lo = need(lo)
    x_hi, g_hi = need(hi)
    span = g_hi - g_lo
    w = np.where(span > TOL, (q - g_lo) / np.where(span > TOL, span, 1.0), 1.0)
    return x_lo + np.clip(w, 0.0, 1.0)[fam] * (x_hi - x_lo)


__all__ = [
    "METHODS",
    "TOL",
    "Allocation",
    "Fill",
    "Method",
    "allocate",
    "largest_remainder",
    "proportional",
    "runout",
    "shares",
]
