"""Charts laid out as drawn: every text measured with the renderer that drew it (at the dpi the reports
use), and no label covering another label, a marker or the plot's edge, nor a legend covering a point.

Data: the R reference case's analysis (conftest), the demo's shape (16 items, importance 0.55-0.75,
performance 78-88) drawn from seeded generators, and harder cases: most points in one tight cluster,
points on top of each other, 30 counties."""
import itertools

import numpy as np
import pytest
from matplotlib.transforms import Bbox

from analysis.reliability import QUADRANTS
from reports import charts, placement

DPI = 200
TOPICS = ["学前教育", "入学公平", "办学条件", "师德师风", "教学质量", "学业负担", "课后服务", "校园安全", "学校食堂",
          "身心健康", "教育关爱", "家校沟通", "收费资助", "高中职教", "校外培训", "政府重视"]


def drawn(fig, dpi=DPI):
    """The figure rendered as the reports render it, then drawn once more at `dpi` to be measured."""
    charts.render(fig, "png", dpi=dpi)
    fig.dpi = dpi
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def extent(artist, renderer) -> Bbox:
    return artist.get_window_extent(renderer)


def overlapping(a: Bbox, b: Bbox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def assert_apart(boxes: list[tuple[str, Bbox]]):
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not overlapping(box_a, box_b), f"{a!r} covers {b!r}"


def marker_boxes(ax, renderer) -> list[Bbox]:
    """Each scatter point's square of its marker size."""
    boxes = []
    for collection in ax.collections:
        radius = np.sqrt(collection.get_sizes()[0]) / 2 * renderer.points_to_pixels(1.0)
        for x, y in ax.transData.transform(collection.get_offsets()):
            boxes.append(Bbox([[x - radius, y - radius], [x + radius, y + radius]]))
    return boxes


def quadrants_of(importance, performance):
    """The analysis's quadrant of each point (analysis.reliability.importance_performance)."""
    return [QUADRANTS[i >= np.median(importance), p >= np.median(performance)] for i, p in zip(importance, performance)]


def ipa(importance, performance, labels=TOPICS):
    importance, performance = np.asarray(importance, dtype=float), np.asarray(performance, dtype=float)
    quadrant = quadrants_of(importance, performance)
    return charts.importance_performance(labels, importance, performance, quadrant, source="测试")


def check_ipa(fig, dpi=DPI):
    """Every label apart from the others, the markers, the plot's edge and the leader lines; the legend
    outside the plot. Returns the texts shown, by their words."""
    renderer = drawn(fig, dpi)
    ax = fig.axes[0]
    shown = {t.get_text(): extent(t, renderer) for t in ax.texts if t.get_visible()}
    assert_apart(list(shown.items()))
    frame = ax.bbox
    for text, box in shown.items():
        assert frame.x0 < box.x0 and box.x1 < frame.x1 and frame.y0 < box.y0 and box.y1 < frame.y1, text
        for marker in marker_boxes(ax, renderer):
            assert not overlapping(box, marker), f"{text!r} covers a point"
    for line in ax.lines:
        if line.get_visible() and line.get_gid() == "leader":
            start, end = ax.transData.transform(np.column_stack(line.get_data()))
            boxes = np.array([b.extents for b in shown.values()])
            assert placement.crosses(start, end, boxes).sum() == 0
    legend = extent(ax.get_legend(), renderer)
    assert not overlapping(legend, frame)
    assert all(not overlapping(legend, marker) for marker in marker_boxes(ax, renderer))
    assert legend.y1 <= fig.bbox.y1 and legend.x0 >= fig.bbox.x0
    return shown


def test_a_segment_crosses_the_boxes_it_passes_through_only():
    """By hand: boxes (0,0)-(2,2), (5,5)-(6,6) and (3,-1)-(4,3); segments clipped Liang-Barsky style."""
    boxes = np.array([[0, 0, 2, 2], [5, 5, 6, 6], [3, -1, 4, 3]], dtype=float)
    assert placement.crosses((-1, 1), (10, 1), boxes).tolist() == [True, False, True]     # level, through two
    assert placement.crosses((1, -5), (1, -1), boxes).tolist() == [False, False, False]   # upright, stops short
    assert placement.crosses((1, -5), (1, 0.5), boxes).tolist() == [True, False, False]   # upright, enters
    assert placement.crosses((0, 3), (2.5, 7), boxes).tolist() == [False, False, False]   # above and between
    assert placement.crosses((4.5, 4.5), (7, 7), boxes).tolist() == [False, True, False]  # diagonal, through one
    assert placement.crosses((0, 0), (1, 1), np.empty((0, 4))).tolist() == []


def test_the_reference_analysis_ipa_chart_shows_every_name_and_quadrant_apart(results, questionnaire):
    drivers = results.drivers
    topic = {i.id: i.topic for i in questionnaire.items}
    labels = [topic[i] for i in drivers["item"]]
    fig = charts.importance_performance(labels, drivers["importance"], drivers["performance"], drivers["quadrant"])
    shown = check_ipa(fig)
    assert set(labels) <= set(shown)
    assert any(text.startswith("中位数") for text in shown)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_realistic_ipa_charts_show_every_name_and_every_quadrant_apart(seed):
    rng = np.random.default_rng(seed)
    importance, performance = rng.uniform(0.55, 0.75, 16), rng.uniform(78, 88, 16)
    fig = ipa(importance, performance)
    shown = check_ipa(fig)
    assert set(TOPICS) <= set(shown)
    assert set(QUADRANTS.values()) <= set(shown)
    assert sum(text.startswith("中位数") for text in shown) == 2


def test_quadrant_names_sit_in_their_own_quadrant():
    rng = np.random.default_rng(7)
    importance, performance = rng.uniform(0.55, 0.75, 16), rng.uniform(78, 88, 16)
    fig = ipa(importance, performance)
    renderer = drawn(fig)
    ax = fig.axes[0]
    mid_x, mid_y = ax.transData.transform((np.median(importance), np.median(performance)))
    for (important, performing), name in QUADRANTS.items():
        text = next(t for t in ax.texts if t.get_text() == name)
        if text.get_visible():
            box = extent(text, renderer)
            assert (box.x0 > mid_x) if important else (box.x1 < mid_x), name
            assert (box.y0 > mid_y) if performing else (box.y1 < mid_y), name


@pytest.mark.parametrize("dpi", [100, 200])
def test_a_tight_cluster_keeps_its_names_apart_with_leader_lines(dpi):
    """Twelve items within 0.02 of importance and 2 points of performance (the axes stretched by four
    others): their names are pushed out and joined to their points by lines."""
    rng = np.random.default_rng(11)
    importance = np.r_[rng.uniform(0.64, 0.66, 12), 0.55, 0.75, 0.56, 0.74]
    performance = np.r_[rng.uniform(82, 84, 12), 78, 88, 88, 78]
    fig = ipa(importance, performance)
    shown = check_ipa(fig, dpi)
    assert set(TOPICS) <= set(shown)
    assert any(line.get_visible() and line.get_gid() == "leader" for line in fig.axes[0].lines)


def test_points_on_top_of_each_other_each_keep_a_name():
    importance = np.r_[np.full(4, 0.62), np.linspace(0.55, 0.75, 12)]
    performance = np.r_[np.full(4, 83.0), np.linspace(78, 88, 12)]
    shown = check_ipa(ipa(importance, performance))
    assert set(TOPICS) <= set(shown)


def test_the_placement_is_the_same_every_time():
    rng = np.random.default_rng(3)
    importance, performance = rng.uniform(0.55, 0.75, 16), rng.uniform(78, 88, 16)
    first, second = ipa(importance, performance), ipa(importance, performance)
    assert charts.render(first, "png") == charts.render(second, "png")


def test_an_ipa_chart_without_items_is_still_drawn():
    assert charts.render(charts.importance_performance([], [], [], []), "png")[:4] == b"\x89PNG"


def check_items(fig):
    renderer = drawn(fig)
    ax = fig.axes[0]
    legend = ax.get_legend()
    box = extent(legend, renderer)
    assert not overlapping(box, ax.bbox)
    for line in ax.lines:                                             # every marker of both series
        for x, y in ax.transData.transform(np.column_stack(line.get_data())):
            assert not box.contains(x, y)
    return [t.get_text() for t in legend.get_texts()]


def test_the_city_items_chart_says_its_intervals_are_the_city_s():
    rng = np.random.default_rng(5)
    mean = rng.uniform(76, 88, 16)
    labels = check_items(charts.items(TOPICS, mean, mean - 0.6, mean + 0.6, subject="全市", source="测试", n=5000))
    assert labels == ["全市（95% 置信区间）"]


def test_a_county_items_chart_names_the_county_s_intervals_and_the_city_s_scores():
    rng = np.random.default_rng(6)
    mean, city = rng.uniform(66, 82, 16), rng.uniform(76, 88, 16)
    fig = charts.items(TOPICS, mean, mean - 2, mean + 2, city, subject="本区县", source="测试", n=900)
    assert check_items(fig) == ["本区县（95% 置信区间）", "全市"]


def ranking_case(k, seed):
    rng = np.random.default_rng(seed)
    index = rng.uniform(74, 90, k)
    half = rng.uniform(0.5, 3.0, k)
    names = [f"{TOPICS[i % 16][:2]}{i}县" + ("*" if i % 4 == 0 else "") for i in range(k)]
    return names, index, index - half, np.minimum(index + half, 100.0)


@pytest.mark.parametrize("k, seed, overall", [(10, 1, None), (10, 2, "top"), (30, 3, None), (30, 4, "top"),
                                               (30, 5, "right")])
def test_ranking_value_labels_stay_clear_of_each_other_the_city_label_the_names_and_the_edge(k, seed, overall):
    names, index, low, high = ranking_case(k, seed)
    top = int(np.argmax(index))
    city = {None: float(np.mean(index)), "top": float(high[top]), "right": float(high.max()) + 0.2}[overall]
    fig = charts.ranking(names, index, low, high, city, highlight=names[top], source="测试", n=20000)
    renderer = drawn(fig)
    ax = fig.axes[0]
    texts = [(t.get_text(), extent(t, renderer)) for t in ax.texts]
    values = [(text, box) for text, box in texts if not text.startswith("全市")]
    assert len(values) == len(names)
    assert_apart(texts + [(t.get_text(), extent(t, renderer)) for t in ax.get_yticklabels()])
    scale = renderer.points_to_pixels(1.0)
    edge = fig.bbox.padded(-scale)                                      # at least a point from the edge
    for text, box in texts:
        assert edge.x0 < box.x0 and box.x1 < edge.x1 and edge.y0 < box.y0 and box.y1 < edge.y1, text
    for line in ax.lines:             # the points and the intervals' caps: no value label on them
        if line.get_marker() in ("None", None, "") or line.get_linestyle() == "--":
            continue
        half_height = line.get_markersize() / 2 * scale
        half_width = line.get_markeredgewidth() / 2 * scale if line.get_marker() == "|" else half_height
        for x, y in ax.transData.transform(np.column_stack(line.get_data())):
            mark = Bbox([[x - half_width, y - half_height], [x + half_width, y + half_height]])
            for text, box in values:
                assert not overlapping(box, mark), text


def test_names_hidden_at_one_drawing_are_measured_anew_at_the_next():
    """Placement happens at each drawing: a name a crowded drawing hid is measured again (a hidden
    text measures as nothing), and a drawing at another dpi places everything at its own sizes."""
    rng = np.random.default_rng(2)
    fig = ipa(rng.uniform(0.55, 0.75, 16), rng.uniform(78, 88, 16))
    check_ipa(fig, 100)
    for text in fig.axes[0].texts:
        text.set_visible(False)
    shown = check_ipa(fig, 300)
    assert set(QUADRANTS.values()) | set(TOPICS) <= set(shown)
