"""Generate the sample company: data/sample_history.csv and data/sample_company.json.

"Red Tomato Outdoor" sells five product families (18 SKUs) with six years of monthly
history (2020-11 … 2026-10): a trend per family, yearly seasonality peaking in a
family's own season, two promotions (a price promotion with a post-promotion dip),
and multiplicative noise. The scenario file's demand is the next 12 months of the
company's ``auto`` forecast (2026-11 … 2027-10); its workforce and costs make peak
season tight, and the plant has room for only a few more workers, so the optimal plan
builds stock, hires up to that ceiling and uses overtime in the peak.

Run from the repository root (fixed seed; the outputs are committed)::

    .venv/bin/python data/generate_sample.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sop_core.demand.forecast import forecast  # noqa: E402
from sop_core.demand.history import read_history  # noqa: E402
from sop_core.model.scenario import parse_scenario  # noqa: E402

SEED = 20260101
START, MONTHS, HORIZON = "2020-11-01", 72, 12

# name: (units/month at start, growth/year, seasonal amplitude, peak month, SKUs,
#        labour h/unit, material $/unit, holding $/unit/month, backorder $/unit/month,
#        subcontract $/unit, price $/unit)
FAMILIES: dict[str, dict[str, object]] = {
    "Garden Tools": dict(
        base=2400,
        growth=0.06,
        amp=0.45,
        peak=5,
        skus=["GT-SPADE", "GT-RAKE", "GT-HOE", "GT-FORK"],
        hours=1.2,
        material=9.0,
        holding=1.5,
        backorder=6.0,
        subcontract=63.0,
        price=34.0,
    ),
    "Power Tools": dict(
        base=1500,
        growth=0.09,
        amp=0.30,
        peak=11,
        skus=["PT-DRILL", "PT-SAW", "PT-SANDER", "PT-GRINDER"],
        hours=2.5,
        material=38.0,
        holding=5.0,
        backorder=18.0,
        subcontract=150.0,
        price=129.0,
    ),
    "Hand Tools": dict(
        base=3200,
        growth=0.03,
        amp=0.12,
        peak=12,
        skus=["HT-HAMMER", "HT-WRENCH", "HT-PLIERS"],
        hours=0.6,
        material=4.0,
        holding=0.8,
        backorder=3.0,
        subcontract=31.0,
        price=16.0,
    ),
    "Watering": dict(
        base=1800,
        growth=0.05,
        amp=0.60,
        peak=7,
        skus=["WA-HOSE", "WA-CAN", "WA-SPRINKLER"],
        hours=0.9,
        material=7.0,
        holding=1.2,
        backorder=4.0,
        subcontract=47.0,
        price=25.0,
    ),
    "Outdoor Lighting": dict(
        base=700,
        growth=0.15,
        amp=0.35,
        peak=10,
        skus=["OL-SOLAR", "OL-LANTERN", "OL-STRING", "OL-FLOOD"],
        hours=1.8,
        material=15.0,
        holding=2.5,
        backorder=9.0,
        subcontract=96.0,
        price=59.0,
    ),
}

# (family, month index from START, uplift): a promotion and the dip after it.
PROMOTIONS = [("Power Tools", 34, 0.45), ("Garden Tools", 51, 0.40)]
POST_PROMO_DIP = 0.15


def make_history(rng: np.random.Generator) -> pd.DataFrame:
    """Six years of monthly demand per SKU (long format: period, family, sku, demand)."""
    periods = pd.date_range(START, periods=MONTHS, freq="MS")
    t = np.arange(MONTHS)
    rows = []
    for name, f in FAMILIES.items():
        trend = float(f["base"]) * (1 + float(f["growth"])) ** (t / 12)
        month_no = periods.month.to_numpy()
        season = 1 + float(f["amp"]) * np.cos(2 * np.pi * (month_no - int(f["peak"])) / 12)
        level = trend * season
        for fam, month, uplift in PROMOTIONS:
            if fam == name:
                level[month] *= 1 + uplift
                level[month + 1] *= 1 - POST_PROMO_DIP
        skus: list[str] = f["skus"]  # type: ignore[assignment]
        shares = rng.dirichlet(np.full(len(skus), 6.0))
        drift = rng.normal(0, 0.004, len(skus))  # SKU mix shifts slowly
        for j, sku in enumerate(skus):
            mix = shares[j] * np.exp(drift[j] * t)
            noise = rng.lognormal(mean=0.0, sigma=0.07, size=MONTHS)
            demand = np.round(level * mix * noise)
            rows += [
                (p.strftime("%Y-%m"), name, sku, int(d))
                for p, d in zip(periods, demand, strict=True)
            ]
    return pd.DataFrame(rows, columns=["period", "family", "sku", "demand"])


def make_scenario(fc: pd.DataFrame) -> dict[str, object]:
    """The scenario around the family forecast: workforce sized below peak needs."""
    pivot = fc.pivot(index="period", columns="family", values="forecast")
    hours = sum(pivot[name] * float(f["hours"]) for name, f in FAMILIES.items())
    regular_hours = 168.0
    workers_needed = hours / regular_hours
    initial = float(np.round(workers_needed.mean() * 0.95))
    families = []
    for name, f in FAMILIES.items():
        demand = [round(float(v)) for v in pivot[name]]
        families.append(
            {
                "name": name,
                "demand": demand,
                "labor_hours_per_unit": f["hours"],
                "material_cost": f["material"],
                "holding_cost": f["holding"],
                "backorder_cost": f["backorder"],
                "subcontract_cost": f["subcontract"],
                "max_subcontract": round(0.1 * max(demand)),
                "initial_inventory": round(0.5 * demand[0]),
                "safety_stock": round(0.25 * float(np.mean(demand))),
                "ending_inventory_min": round(0.25 * float(np.mean(demand))),
                "price": f["price"],
            }
        )
    return {
        "name": "Red Tomato Outdoor – next 12 months",
        "periods": [p.strftime("%Y-%m") for p in pivot.index],
        "workforce": {
            "initial": initial,
            "regular_hours_per_worker": regular_hours,
            "regular_cost_per_worker": 3400.0,
            "overtime_cost_per_hour": 30.0,
            "max_overtime_hours_per_worker": 20.0,
            "hire_cost": 2500.0,
            "layoff_cost": 4000.0,
            "max_workers": initial + 3,  # floor space: a few more workers at most
            "max_hires": 8.0,
            "max_layoffs": 8.0,
        },
        "families": families,
        "policy": {"strategy": "optimal", "integer_workforce": False},
    }


def main() -> None:
    rng = np.random.default_rng(SEED)
    history = make_history(rng)
    history_path = ROOT / "data" / "sample_history.csv"
    history.to_csv(history_path, index=False)
    validated = read_history(history_path)
    result = forecast(validated, horizon=HORIZON, model="auto", backend="sequential", seed=0)
    scenario = parse_scenario(make_scenario(result.forecast))
    (ROOT / "data" / "sample_company.json").write_text(scenario.to_json() + "\n", encoding="utf-8")
    chosen = result.accuracy[result.accuracy["chosen"]][["family", "model", "wape", "mase"]]
    print(f"wrote {history_path.name} ({len(history)} rows) and sample_company.json")
    print(chosen.to_string(index=False))


if __name__ == "__main__":
    main()
