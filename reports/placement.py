"""Where a chart's labels go so that none covers another, a marker or the plot's edge: a small
deterministic repel in display coordinates (pixels), done with the sizes the renderer measures.

Each label tries positions around its point, nearest first (right, left, above, below, then the
diagonals, on rings further and further out), and takes the first whose box stays inside the bounds
and meets no box already taken (markers, labels placed before it, their leader lines). A label set
far from its point gets a leader line, which must not cross another label (nor, unless the point
sits in a tight cluster and every way out passes one, another marker). Boxes
are ``(x0, y0, x1, y1)`` rows of float arrays; no randomness, so a chart is the same every time.
"""
from __future__ import annotations

import numpy as np

# Gaps between a marker and its label, in points: rings tried one after another.
RINGS = (2.5, 5.0, 8.0, 13.0, 19.0, 26.0, 34.0, 43.0, 53.0, 64.0, 76.0)
# Directions in degrees, the most natural first: right, left, above, below, the diagonals, between.
ANGLES = (0, 180, 90, 270, 45, 135, 315, 225, 22.5, 157.5, 337.5, 202.5, 67.5, 112.5, 292.5, 247.5)
LEADER = 6.0         # a label further than this from its marker (points) is joined to it by a line
CLEARANCE = 2.0      # the least room between two labels, or a label and a marker (points)


def intersecting(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """(n, m) booleans: does box i overlap box j (touching edges do not)."""
    a, b = boxes[:, None, :], others[None, :, :]
    return (a[..., 0] < b[..., 2]) & (a[..., 2] > b[..., 0]) & (a[..., 1] < b[..., 3]) & (a[..., 3] > b[..., 1])


def crosses(start, end, boxes: np.ndarray) -> np.ndarray:
    """(m,) booleans: does the segment start-end pass through box j (Liang-Barsky clipping)."""
    if not len(boxes):
        return np.zeros(0, dtype=bool)
    (x, y), (dx, dy) = start, (end[0] - start[0], end[1] - start[1])
    enter, leave = np.zeros(len(boxes)), np.ones(len(boxes))
    inside = np.ones(len(boxes), dtype=bool)
    for p, q in ((-dx, x - boxes[:, 0]), (dx, boxes[:, 2] - x), (-dy, y - boxes[:, 1]), (dy, boxes[:, 3] - y)):
        if p == 0:
            inside &= q > 0
            continue
        t = q / p
        if p < 0:
            enter = np.maximum(enter, t)
        else:
            leave = np.minimum(leave, t)
    return inside & (enter < leave)


def around(point, radius: float, size, scale: float) -> np.ndarray:
    """Candidate boxes of a label of `size` (w, h) around a marker of `radius` at `point`, in the
    order they are tried; `scale` is pixels per point."""
    theta = np.radians(ANGLES)
    unit = np.round(np.column_stack([np.cos(theta), np.sin(theta)]), 6)
    half = np.asarray(size, dtype=float) / 2
    reach = radius + np.asarray(RINGS)[:, None, None] * scale                  # (rings, 1, 1)
    centre = np.asarray(point, dtype=float) + reach * unit + half * np.sign(unit)   # (rings, angles, 2)
    centre = centre.reshape(-1, 2)
    return np.column_stack([centre - half, centre + half])


def nearest_point(box, point) -> np.ndarray:
    return np.clip(point, box[:2], box[2:])


class Layout:
    """The boxes taken so far inside `bounds`, and the labels' leader lines.

    Parameters
    ----------
    bounds : (4,) array
        The area labels must stay in (an Axes' box less a margin).
    scale : float
        Pixels per point, from the renderer (``renderer.points_to_pixels(1)``).
    """

    def __init__(self, bounds, scale: float):
        self.bounds, self.scale = np.asarray(bounds, dtype=float), scale
        self.taken = np.empty((0, 4))
        self.markers = np.zeros(0, dtype=bool)           # which of the boxes taken are markers
        self.leaders: list[tuple[np.ndarray, np.ndarray]] = []

    def take(self, boxes, markers: bool = False) -> None:
        boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
        self.taken = np.vstack([self.taken, boxes])
        self.markers = np.r_[self.markers, np.full(len(boxes), markers)]

    def free(self, candidates: np.ndarray, clearance: float = CLEARANCE) -> np.ndarray:
        """(n,) booleans: candidate i lies inside the bounds and comes no nearer than `clearance`
        (points) to a box taken or a leader line."""
        grown = candidates + np.array([-1, -1, 1, 1]) * clearance * self.scale
        ok = ((candidates[:, 0] >= self.bounds[0]) & (candidates[:, 1] >= self.bounds[1])
              & (candidates[:, 2] <= self.bounds[2]) & (candidates[:, 3] <= self.bounds[3]))
        ok &= ~intersecting(grown, self.taken).any(axis=1)
        for start, end in self.leaders:
            ok &= ~crosses(start, end, grown)
        return ok

    def first_free(self, candidates: np.ndarray, clearance: float = CLEARANCE) -> int | None:
        """The first candidate that is free, taken; None when none is."""
        hits = np.flatnonzero(self.free(candidates, clearance))
        if not len(hits):
            return None
        self.take(candidates[hits[0]])
        return int(hits[0])

    def label(self, point, radius: float, size, own: np.ndarray | None = None):
        """Place a label of `size` beside the marker at `point`; take its box (and leader line).

        The first free position is taken whose leader line (if it needs one) crosses no other marker
        or label; failing that, the first whose line crosses markers only (inside a tight cluster,
        any line out does). `own` is the marker's own box, which its line starts from.
        Returns (box, leader, placed): leader is a (start, end) pair or None; placed is False when
        no position was free, and the box is then the one meeting fewest others.
        """
        point = np.asarray(point, dtype=float)
        candidates = around(point, radius, size, self.scale)
        mine = np.zeros(len(self.taken), dtype=bool) if own is None else (self.taken == own).all(axis=1)
        free = np.flatnonzero(self.free(candidates))
        for allowed in (mine, mine | self.markers):
            for i in free:
                leader = self._leader(point, radius, candidates[i], i)
                if leader is None or not crosses(*leader, self.taken[~allowed]).any():
                    return self._keep(candidates[i], leader, True)
        grown = candidates + np.array([-1, -1, 1, 1]) * CLEARANCE * self.scale
        overlaps = intersecting(grown, self.taken).sum(axis=1)
        outside = ((candidates[:, :2] < self.bounds[:2]) | (candidates[:, 2:] > self.bounds[2:])).any(axis=1)
        best = int(np.lexsort((np.arange(len(candidates)), overlaps, outside))[0])
        return self._keep(candidates[best], self._leader(point, radius, candidates[best], best), False)

    def _leader(self, point, radius: float, box, i: int):
        """The line from the marker's edge to the label, for a label on a ring far from it; else None."""
        if RINGS[i // len(ANGLES)] <= LEADER:
            return None
        end = nearest_point(box, point)
        direction = (end - point) / max(np.hypot(*(end - point)), 1e-9)
        return point + direction * (radius + self.scale), end - direction * self.scale

    def _keep(self, box, leader, placed: bool):
        self.take(box)
        if leader is not None:
            self.leaders.append(leader)
        return box, leader, placed
