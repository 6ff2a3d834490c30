"""The raking reference case (R survey, ../shared/reference/raking) prepared as R prepares it."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import scoring, weighting
from analysis import targets as analysis_targets
from analysis.inputs import Factor

REFERENCE = Path(__file__).parent / "reference" / "raking"


@pytest.fixture(scope="session")
def case():
    """Scores (answer - 1) / 4 * 100, respondents with an index, base weights raked to both margins."""
    d = pd.read_csv(REFERENCE / "responses.csv", dtype={"county": str, "channel": str})
    targets = pd.read_csv(REFERENCE / "targets.csv", dtype={"county": str})
    item_weights = pd.read_csv(REFERENCE / "item_weights.csv")
    items = list(item_weights["item"])
    codes = d[items].fillna(-1).to_numpy(np.int8)
    table = scoring.lookup_table({c: (c - 1) / 4 * 100 for c in range(1, 6)}, 6)
    index = scoring.respondent_index(codes, table, item_weights["weight"].to_numpy(float))
    keep = np.isfinite(index)
    d, codes, index = d[keep].reset_index(drop=True), codes[keep], index[keep]
    counties, strata = np.unique(d["county"], return_inverse=True)
    population = targets[targets.variable == "respondent_type"].groupby("county").population.sum()
    attributes = {v: Factor.of(d[v]) for v in ("respondent_type", "area")}
    margins, _ = analysis_targets.margins(analysis_targets.validate(targets), Factor(strata, counties),
                                          attributes, np.arange(len(d)))
    raked = weighting.rake(weighting.base_weights(strata, population.loc[counties].to_numpy()), margins)
    return dict(d=d, items=items, codes=codes, table=table, scores=table[codes], index=index,
                weights=raked.weights, counties=counties, strata=strata, cells=tuple(m.cells for m in margins))
