"""Which part of the frame is the sheet of paper: writing is only looked for there.

A desk beside the sheet holds grain, speckles and dirt that threshold like ink, and the sheet's own edge
thresholds like a stroke. The paper's brightness (edge.segment.paper_brightness, strokes already erased) shows
the sheet as bright ground bounded by a hard step, while a shadow on the sheet only dims it gradually. So the
ground is cut at hard steps, and the page is every large piece of it about as bright as the brightest paper:
the sheet with its shadows. A desk as light as the paper joins that piece through gaps in the sheet's outline;
where it is grainy, the sheet's straight edges, extended, cut it off.
"""
from __future__ import annotations

import cv2
import numpy as np

from edge.params import DetectParams

ABRUPT = 0.45       # an edge's change over 3 low-resolution pixels is at least this share of its change over 7
EDGE_LENGTH = 0.25  # a sheet's straight edge is seen this long at least (x frame height) ...
EDGE_GAP = 0.05     # ... with gaps up to this long (x frame height); ...
EDGES = 8           # ... the longest this many are looked at
BAND = 0.05         # an edge's two sides are compared over bands this wide (x frame height) ...
SAMPLES = 16        # ... at this many points along it (and 3 out from it), ...
GRAINY = 1.4        # ... and its far side is a grainy desk when marks there are this many times darker
DESK_LIGHT = 0.75   # ... and this bright at least (x the near side): a hard shadow's shade is dimmer


def page_region(closed: np.ndarray, coarse: np.ndarray, bright: float,
                params: DetectParams = DetectParams()) -> np.ndarray:
    """uint8 at the size of `closed` (the paper's brightness, low resolution): 1 on the page, 0 off it.

    `coarse` is how much darker than `closed` each low-resolution pixel is (marks, grain); `bright` is the
    brightest paper's brightness: the 95th percentile of `closed` (`quantile`).
    """
    brightest, step = _step(closed, 3)
    _, wide_step = _step(closed, 7)
    # An edge is steep and abrupt: nearly all of the change seen over 7 pixels happens within 3. A shadow's
    # edge, however dark, spreads its change out.
    hard = cv2.bitwise_and(cv2.compare(step, cv2.convertScaleAbs(brightest, alpha=params.page_step), cv2.CMP_GT),
                           cv2.compare(step, cv2.convertScaleAbs(wide_step, alpha=ABRUPT), cv2.CMP_GT))
    if not cv2.countNonZero(hard):
        return np.ones_like(closed)  # no hard step anywhere: the paper fills the frame
    return cv2.bitwise_and(_pieces_of_ground(closed, hard, bright, params),
                           _inside_edges(closed, coarse, hard, bright, params))


def _inside_edges(closed: np.ndarray, coarse: np.ndarray, hard: np.ndarray, paper: float,
                  params: DetectParams) -> np.ndarray:
    """1 on the sheet's side of every straight edge with a grainy desk beyond it, 0 beyond.

    A desk as light as the paper joins the sheet through every gap in its outline, but the sheet's edges are
    straight: each one found, extended, keeps its whole far side off the page (a sheet is convex). Only an
    edge with a grainy ground (stone, wood, speckled laminate) nearly as light as the paper on its darker
    side counts: a hard shadow's edge is dimmer (the writing in its shade would pass for grain). Nearly: a
    wood desk's light streaks bring it into the page's pieces of ground (`_pieces_of_ground` goes by their
    brighter part), though on average it is a fifth darker. And only an edge with the page's paper (`paper`, the
    brightest paper's brightness) on its brighter side: a step within a dark desk, extended, would cut
    through the sheet.
    """
    height, width = closed.shape
    inside = np.ones_like(closed)
    segments = cv2.HoughLinesP(hard, 1, np.pi / 90, threshold=max(8, int(EDGE_LENGTH * height)),
                               minLineLength=EDGE_LENGTH * height, maxLineGap=EDGE_GAP * height)
    if segments is None:
        return inside
    ends = segments[:, 0, :].astype(np.float64)
    ends = ends[np.argsort(-np.hypot(ends[:, 2] - ends[:, 0], ends[:, 3] - ends[:, 1]))[:EDGES]]
    start, direction = ends[:, :2], ends[:, 2:] - ends[:, :2]
    along = direction / np.linalg.norm(direction, axis=1, keepdims=True)
    normal = np.stack([-along[:, 1], along[:, 0]], axis=1)
    # Points beside each edge, on either side (sign): (edges, 2 sides, steps along, offsets out, x/y).
    steps = np.linspace(0.0, 1.0, SAMPLES)[None, None, :, None, None] * direction[:, None, None, None, :]
    offsets = np.linspace(2.0, 2.0 + BAND * height, 3)[None, None, None, :, None]
    signs = np.array([1.0, -1.0])[None, :, None, None, None]
    points = start[:, None, None, None, :] + steps + signs * offsets * normal[:, None, None, None, :]
    x, y = np.round(points[..., 0]).astype(int), np.round(points[..., 1]).astype(int)
    on = (x >= 0) & (y >= 0) & (x < width) & (y < height)
    x, y = np.clip(x, 0, width - 1), np.clip(y, 0, height - 1)
    count = np.maximum(on.sum(axis=(2, 3)), 1)
    bright = (closed[y, x] * on).sum(axis=(2, 3)) / count  # (edges, 2)
    grain = (coarse[y, x] * on).sum(axis=(2, 3)) / count
    desk = np.argmin(bright, axis=1)  # the desk's side is the darker
    rows = np.arange(len(ends))
    grainy = ((grain[rows, desk] > GRAINY * np.maximum(grain[rows, 1 - desk], 1.0))
              & (bright[rows, desk] >= DESK_LIGHT * bright[rows, 1 - desk])
              & (bright[rows, 1 - desk] >= params.page_ground * paper) & on.any(axis=(2, 3)).all(axis=1))
    for i in np.flatnonzero(grainy):
        _cut(inside, start[i], along[i], 1.0 if desk[i] == 0 else -1.0)
    return inside


def _cut(inside: np.ndarray, start: tuple[float, float], along: tuple[float, float], sign: float) -> None:
    """Zero `inside` on the `sign` side of the line through `start` along `along`, from a pixel short of it."""
    far = 2.0 * sum(inside.shape)
    (x0, y0), (ux, uy) = start, along
    nx, ny = -uy * sign, ux * sign  # the unit normal pointing to the cut side
    bx, by = x0 - nx, y0 - ny
    near = np.array([(bx - ux * far, by - uy * far), (bx + ux * far, by + uy * far)])
    corners = np.vstack([near, near[::-1] + (nx * far, ny * far)])
    cv2.fillConvexPoly(inside, np.round(corners).astype(np.int32), 0)


def _pieces_of_ground(closed: np.ndarray, hard: np.ndarray, bright: float, params: DetectParams) -> np.ndarray:
    """1 on every large piece of ground, between hard steps, about as bright as the brightest paper."""
    # Grain or a ruled line's end can break an edge's outline for a pixel or two; a leak would join the desk.
    smooth = cv2.bitwise_not(cv2.dilate(hard, np.ones((3, 3), np.uint8)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(smooth, connectivity=4)
    if count <= 2:
        return np.ones_like(closed)  # the hard steps cut nothing off: one piece of ground
    large = stats[:, cv2.CC_STAT_AREA] >= params.page_min_area * closed.size
    large[0] = False
    page = np.zeros_like(closed)
    for label in np.flatnonzero(large):
        piece = cv2.compare(labels, float(label), cv2.CMP_EQ)
        if quantile(closed, piece, 0.9) >= params.page_ground * bright:
            page[piece > 0] = 1
    return page


def quantile(image: np.ndarray, where: np.ndarray | None, share: float) -> float:
    """The `share` quantile of a uint8 image's values (over `where`, when given), from its histogram."""
    histogram = cv2.calcHist([image], [0], where, [256], [0, 256]).ravel()
    return float(np.searchsorted(np.cumsum(histogram), share * histogram.sum()))


def _step(closed: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The brightest value within a `size` square around each pixel, and the change of brightness there."""
    near = np.ones((size, size), np.uint8)
    brightest = cv2.dilate(closed, near, borderType=cv2.BORDER_REPLICATE)
    return brightest, cv2.subtract(brightest, cv2.erode(closed, near, borderType=cv2.BORDER_REPLICATE))
