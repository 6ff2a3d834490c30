"""The raking reference case prepared as R prepares it (reference/raking/reference.R)."""
import numpy as np
import pytest

from analysis import scoring, weighting
from analysis import targets as analysis_targets
from analysis.inputs import Factor


@pytest.fixture(scope="session")
def case(reference):
    """Scores (answer - 1) / 4 * 100, respondents with an index, base weights raked to both margins."""
    d, targets = reference.responses, reference.targets
    items = list(reference.item_weights)
    codes = d[items].fillna(-1).to_numpy(np.int8)
    table = scoring.lookup_table({c: (c - 1) / 4 * 100 for c in range(1, 6)}, 6)
    index = scoring.respondent_index(codes, table, np.array(list(reference.item_weights.values()), dtype=float))
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
