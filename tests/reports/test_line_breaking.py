"""PDF paragraphs break by Chinese rules: no line starts with closing punctuation or ends with an
opening one, and no number or interval is split."""
from reports.pdf_render import NO_LINE_END, NO_LINE_START, lines


def width(text: str) -> float:
    return sum(0.5 if ord(ch) < 128 else 1.0 for ch in text)      # a CJK character is twice a digit


TEXT = ("珙县教育群众满意度指数为 75.8（95% 置信区间 68.2–83.4），等级为“中等”，在全市 10 个区县中排第 10 名"
        "（可能名次 10–10）。比全市（83.1）低 7.3 分，差异在统计上显著（p<0.001）。得分最高的方面是师德师风"
        "（82.0 分），最低的是学业负担（67.0 分）。")


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation_at_any_width():
    for limit in range(6, 40):
        broken = lines(TEXT, limit, width)
        assert "".join(broken).replace(" ", "") == TEXT.replace(" ", "")     # a space at a break is dropped
        too_wide = [line for line in broken if width(line) > limit]
        assert all(width(line) - limit <= 3 for line in too_wide), (limit, too_wide)   # only a kept-together unit
        assert not any(line[0] in NO_LINE_START for line in broken[1:]), (limit, broken)
        assert not any(line[-1] in NO_LINE_END for line in broken[:-1]), (limit, broken)


def test_numbers_and_intervals_stay_whole():
    for limit in range(8, 40):
        joined = "|".join(lines(TEXT, limit, width))
        for number in ("75.8", "68.2–83.4", "10–10", "83.1", "7.3", "p<0.001", "82.0", "67.0"):
            assert number in joined, (limit, number, joined)


def test_an_empty_paragraph_is_one_empty_line():
    assert lines("", 10, width) == [""]
