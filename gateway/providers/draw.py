"""Small drawing helpers over the dataset's single seeded :class:`random.Random`.

Only the generator's own methods are used (``randint``, ``random``, ``choice``, ``shuffle``),
whose sequences Python keeps stable for a given integer seed, and nothing iterates a set or
depends on string hashing: the same seed gives the same dataset in every process.
"""

from __future__ import annotations

import random
from datetime import date, timedelta


def day_between(rng: random.Random, start: date, end: date) -> date:
    """A day in [start, end] (end included)."""
    if end < start:
        raise ValueError(f"empty date range {start}..{end}")
    return start + timedelta(days=rng.randint(0, (end - start).days))


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def chance(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


def money(value: float) -> float:
    """Round to the fen (0.01 yuan), as the departments store amounts."""
    return round(value + 0.0, 2)
