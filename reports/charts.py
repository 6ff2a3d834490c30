"""Charts of the results: matplotlib Figures built directly (never pyplot: safe in a web process).

Every chart draws 95% intervals, names its source and n in a caption, uses the same colours,
and stays readable printed in black and white (marker shapes and line styles carry the meaning,
not colour alone). Chinese is set in the font the project installs (reports.fonts).
"""
from __future__ import annotations

import io

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image

from analysis.reliability import QUADRANTS
from reports import placement
from reports.fonts import cjk_font

BLUE, GREY, RED, INK, LIGHT = "#1f5fa8", "#8c959f", "#b42318", "#1f2328", "#b6bec7"
font_manager.fontManager.addfont(str(cjk_font()))
PAPER = {"facecolor": "white", "edgecolor": "none", "pad": 1}       # behind a label a line may cross
STYLE = {"font.family": [font_manager.FontProperties(fname=str(cjk_font())).get_name(), "DejaVu Sans"],
         "font.size": 9, "axes.spines.top": False, "axes.spines.right": False, "axes.unicode_minus": False,
         "pdf.fonttype": 3, "svg.fonttype": "path"}


def _figure(width: float, height: float) -> Figure:
    """A figure whose bottom 0.25 inch is kept free for the caption."""
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(width, height), layout=ConstrainedLayoutEngine(rect=(0, 0.25 / height, 1, 1 - 0.25 / height)))


def _caption(fig: Figure, text: str) -> None:
    fig.text(0.01, 0.005, text, fontsize=7, color=GREY, ha="left", va="bottom")


def ranking(names: list[str], index, low, high, overall: float, highlight: str | None = None,
            source: str = "", n: int | None = None) -> Figure:
    """Counties best first: index with its 95% interval, the city's figure as a dashed line."""
    with matplotlib.rc_context(STYLE):
        order = np.argsort(-np.asarray(index, dtype=float), kind="stable")
        fig = _figure(6.3, 0.32 * len(names) + 1.1)
        ax = fig.add_subplot()
        y = np.arange(len(order))[::-1]
        for row, i in zip(y, order):
            mine = names[i] == highlight
            ax.errorbar(index[i], row, xerr=[[index[i] - low[i]], [high[i] - index[i]]], fmt="D" if mine else "o",
                        color=RED if mine else BLUE, ecolor=RED if mine else BLUE, capsize=3, markersize=6 if mine else 4,
                        linewidth=1.4 if mine else 1)
            ax.annotate(f"{index[i]:.1f}", (high[i] if np.isfinite(high[i]) else index[i], row), xytext=(3.5, 0),
                        textcoords="offset points", va="center", fontsize=8, color=INK, bbox=PAPER)
        ax.axvline(overall, color=GREY, linestyle="--", linewidth=1)
        ax.text(overall, len(order) - 0.4, f"全市 {overall:.1f}", color=GREY, fontsize=8, ha="center", va="bottom",
                bbox=PAPER)
        ax.set_yticks(y, [names[i] for i in order])
        ax.set_ylim(-0.7, len(order) - 0.1)
        ax.set_xlabel("满意度指数（0–100），线段为 95% 置信区间")
        _caption(fig, f"来源：{source}" + (f"；样本量 {n:,}" if n else ""))
        return fig


def items(labels: list[str], mean, low, high, overall=None, *, subject: str, source: str = "",
          n: int | None = None) -> Figure:
    """Each item's mean score with its 95% interval; the city's score beside it (open marker).

    `subject` names whose scores `mean` are ("本区县", or "全市" on the city's chart, which has no
    `overall`); the legend stands above the plot, where it covers no point."""
    with matplotlib.rc_context(STYLE):
        fig = _figure(6.3, 0.3 * len(labels) + 1.4)
        ax = fig.add_subplot()
        y = np.arange(len(labels))[::-1]
        mean, low, high = (np.asarray(v, dtype=float) for v in (mean, low, high))
        shown = [ax.errorbar(mean, y, xerr=[mean - low, high - mean], fmt="o", color=BLUE, ecolor=BLUE, capsize=2.5,
                             markersize=4, label=f"{subject}（95% 置信区间）")]
        if overall is not None:
            shown += ax.plot(overall, y, linestyle="none", marker="s", markerfacecolor="white", markeredgecolor=INK,
                             markersize=4.5, label="全市")
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.6, len(labels) - 0.4)
        ax.set_xlabel("平均得分（0–100）")
        ax.legend(handles=shown, loc="lower left", bbox_to_anchor=(0, 1.01), ncols=2, borderaxespad=0, fontsize=7,
                  frameon=False)
        _caption(fig, f"来源：{source}" + (f"；样本量 {n:,}" if n else ""))
        return fig


QUIET = 4.0      # the least room (points) between a quadrant's name and a point
CROWD = 40.0     # points nearer than this (points) to one another crowd it: its name is placed early
ATTEMPTS = 3     # placings tried, each starting with the names the one before could not place


class _Labels(Artist):
    """The importance-performance chart's labels, placed whenever the chart is drawn: the layout is
    final then, and each text is measured by the renderer that draws it (any dpi, PNG or PDF).

    In order: the median lines' values at an end of their line, each quadrant's name in a corner of it
    where no point is, then the items' names beside their points (reports.placement), with a thin
    leader line where a name had to move away, the most crowded points' names first. A name boxed in
    by its neighbours' names goes first at the next try; quadrant names give way when the items'
    names still lack room."""

    def __init__(self, ax, points: np.ndarray, radii: np.ndarray, names: list[Text], leaders: list[Line2D],
                 medians: list[Text], quadrants: dict[tuple[bool, bool], Text]):
        super().__init__()
        self.ax, self.points, self.radii = ax, points, radii
        self.names, self.leaders, self.medians, self.quadrants = names, leaders, medians, quadrants
        self._to_data = None           # display to data coordinates, as last drawn
        self.set_zorder(-1)            # drawn before the texts it moves
        self.set_in_layout(False)

    def draw(self, renderer) -> None:
        if not self.get_visible() or not len(self.points):
            return
        texts = [*self.names, *self.medians, *self.quadrants.values()]
        for text in texts:
            text.set_visible(True)                     # (hidden text measures as nothing)
        size = {text: _size(text, renderer) for text in texts}
        self._to_data = self.ax.transData.inverted()
        scale = renderer.points_to_pixels(1.0)
        points = self.ax.transData.transform(self.points)
        crowd = [np.sum(np.hypot(*(points - point).T) < CROWD * scale) for point in points]
        order = sorted(range(len(points)), key=lambda i: (-crowd[i], i))          # the most crowded first
        for with_quadrants in (True, False):
            for _ in range(ATTEMPTS):
                failed = self._place(points, scale, size, order, with_quadrants)
                if not failed:
                    return
                order = failed + [i for i in order if i not in failed]        # those boxed in go first

    def _place(self, points: np.ndarray, scale: float, size: dict[Text, tuple[float, float]], order: list[int],
               with_quadrants: bool) -> list[int]:
        """Place every label, the items' names in `order`; returns the items whose name found no free place."""
        inset = 3 * scale
        x0, y0, x1, y1 = bounds = self.ax.bbox.extents + np.array([inset, inset, -inset, -inset])
        layout = placement.Layout(bounds, scale)
        radii = self.radii * scale
        markers = np.column_stack([points - radii[:, None], points + radii[:, None]])
        layout.take(markers, markers=True)
        mx, my = self.ax.transData.transform(np.nanmedian(self.points, axis=0))
        vertical, horizontal = self.medians
        self._corner(vertical, layout, size[vertical], [(mx + inset, y0, 1, 1), (mx - inset, y0, -1, 1),
                                                       (mx + inset, y1, 1, -1), (mx - inset, y1, -1, -1)])
        self._corner(horizontal, layout, size[horizontal], [(x1, my + inset, -1, 1), (x1, my - inset, -1, -1),
                                                         (x0, my + inset, 1, 1), (x0, my - inset, 1, -1)])
        for (important, performing), text in self.quadrants.items():
            outer_x, sx = (x1, -1) if important else (x0, 1)
            outer_y, sy = (y1, -1) if performing else (y0, 1)
            inner_x, inner_y = mx - sx * inset, my - sy * inset
            corners = [(outer_x, outer_y, sx, sy), (outer_x, inner_y, sx, -sy), (inner_x, outer_y, -sx, sy),
                       (inner_x, inner_y, -sx, -sy)]
            self._corner(text, layout, size[text], corners if with_quadrants else [], clearance=QUIET)
        failed = []
        for i in order:
            box, leader, free = layout.label(points[i], radii[i], size[self.names[i]], own=markers[i])
            if not free:
                failed.append(i)
            self._put(self.names[i], box)
            self.leaders[i].set_visible(leader is not None)
            if leader is not None:
                self.leaders[i].set_data(*self._to_data.transform(np.array(leader)).T)
        return failed

    def _corner(self, text: Text, layout: placement.Layout, size, corners, clearance=placement.CLEARANCE):
        """Put `text` at the first of `corners` where it meets no point or label, hidden if there is none.
        A corner is (x, y, sx, sy): the text's box has its corner at (x, y) and extends sx, sy (+1 or -1)."""
        w, h = size
        boxes = np.array([[min(x, x + sx * w), min(y, y + sy * h), max(x, x + sx * w), max(y, y + sy * h)]
                          for x, y, sx, sy in corners]).reshape(-1, 4)
        chosen = layout.first_free(boxes, clearance)
        text.set_visible(chosen is not None)
        if chosen is not None:
            self._put(text, boxes[chosen])

    def _put(self, text: Text, box: np.ndarray) -> None:
        text.set_position(self._to_data.transform(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)))


def _size(text: Text, renderer) -> tuple[float, float]:
    box = text.get_window_extent(renderer)
    return box.width, box.height


def importance_performance(labels: list[str], importance, performance, quadrant, source: str = "") -> Figure:
    """Items placed by importance and performance, quadrants (the analysis's) split at the medians.

    No name covers another, a point or the plot's edge (see _Labels); the legend stands above the plot."""
    with matplotlib.rc_context(STYLE):
        fig = _figure(6.3, 4.6)
        ax = fig.add_subplot()
        importance, performance = np.asarray(importance, dtype=float), np.asarray(performance, dtype=float)
        priority = np.asarray(quadrant, dtype=object) == QUADRANTS[True, False]
        sizes = np.where(priority, 30.0, 18.0)                     # marker areas, points squared
        ax.scatter(importance[~priority], performance[~priority], marker="o", color=BLUE, s=sizes[~priority],
                   label="其他方面")
        ax.scatter(importance[priority], performance[priority], marker="^", color=RED, s=sizes[priority],
                   label=f"{QUADRANTS[True, False]}（重要但表现较差）")
        ax.margins(0.08, 0.1)
        text = {"fontsize": 7, "color": INK, "ha": "center", "va": "center", "clip_on": False}
        names = [ax.text(x, y, label, **text) for label, x, y in zip(labels, importance, performance)]
        leaders = [ax.add_artist(Line2D([], [], color=GREY, linewidth=0.5, visible=False, gid="leader"))
                   for _ in labels]
        medians, quadrants = [], {}
        if len(labels):
            mid_x, mid_y = np.nanmedian(importance), np.nanmedian(performance)
            ax.axvline(mid_x, color=GREY, linestyle=":", linewidth=1)
            ax.axhline(mid_y, color=GREY, linestyle=":", linewidth=1)
            medians = [ax.text(mid_x, mid_y, f"中位数 {mid_x:.3f}", **{**text, "fontsize": 6.5, "color": GREY}),
                       ax.text(mid_x, mid_y, f"中位数 {mid_y:.1f}", **{**text, "fontsize": 6.5, "color": GREY})]
            quadrants = {key: ax.text(mid_x, mid_y, name, **{**text, "fontsize": 9, "color": LIGHT})
                         for key, name in QUADRANTS.items()}
        for artist in [*names, *medians, *quadrants.values()]:
            artist.set_in_layout(False)
        ax.add_artist(_Labels(ax, np.column_stack([importance, performance]), np.sqrt(sizes) / 2, names, leaders,
                              medians, quadrants))
        ax.set_xlabel("重要性（与总体满意度的关联）")
        ax.set_ylabel("表现（平均得分）")
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.01), ncols=2, borderaxespad=0, fontsize=7, frameon=False)
        _caption(fig, f"右下：重要但表现较差，应优先改进。来源：{source}")
        return fig


def render(fig: Figure, kind: str, dpi: int = 200) -> bytes:
    """The chart as PNG or PDF (the PDF embeds the Chinese font; its text can be copied).

    A PNG is drawn once (savefig draws a figure with a layout engine twice: once to lay it out, once
    to paint it; a plain drawing does both) and kept without its alpha channel, every pixel being
    opaque: the file is smaller and a PDF that shows it needs no soft mask."""
    out = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        if kind != "png":
            fig.savefig(out, format=kind, dpi=dpi, metadata={"Creator": "county-survey"} if kind == "pdf" else None)
            return out.getvalue()
        shown = fig.dpi
        try:
            fig.dpi = dpi
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
            size = canvas.get_width_height(physical=True)
            image = Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
        finally:
            fig.dpi = shown
    image.save(out, "png", dpi=(dpi, dpi), compress_level=1)     # 4x as fast as the default, 8% larger
    return out.getvalue()
