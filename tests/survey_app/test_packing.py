"""The answer codec: scalar and vectorised forms agree, over the whole alphabet."""
import numpy as np
import pytest

from questionnaires.model import MAX_CODE
from survey_app.models import packing


def test_every_code_and_missing_round_trip_in_both_forms():
    codes = np.array([list(range(MAX_CODE + 1)), [-1] * (MAX_CODE + 1)])
    texts = packing.pack_rows(codes)
    assert texts[0] == packing.ALPHABET and texts[1] == packing.MISSING * (MAX_CODE + 1)
    assert texts.tolist() == [packing.pack([None if c < 0 else c for c in row]) for row in codes]
    np.testing.assert_array_equal(packing.unpack_rows(list(texts), MAX_CODE + 1), codes)
    assert packing.unpack(texts[1]) == [None] * (MAX_CODE + 1)


def test_a_code_beyond_the_alphabet_is_refused():
    with pytest.raises(IndexError):
        packing.pack([MAX_CODE + 1])


def test_translation_turns_each_stored_character_into_text():
    table = packing.translation(lambda code: "-" if code is None else f"<{code}>")
    assert packing.pack([1, None, 35]).translate(table) == "<1>-<35>"
