"""Ink mask -> boxes of candidate digits: blobs joined, judged and split the way handwriting needs.

Thresholding breaks thin strokes (the bar of a 5, the two strokes of a 4) and lets neighbours touch; a photo
also holds the sheet's edge, the desk beside it, dirt and grain. So blobs are first joined into digits (a
short piece stacked over or beside a taller one), then judged: a digit is about as tall as the others,
made of strokes (not a solid blob, not an outline with nothing inside), and no longer than a digit in any
direction (a sheet's edge or a long shadow line is). A solid blob standing in a row of digits of its height is
one too, blurred (a marker's 8). A blob several digits wide is cut where it has least ink.
"""
from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from edge.params import DetectParams

Box = tuple[int, int, int, int]  # x, y, w, h

SPECK = 0.35        # blobs smaller than this share of the smallest digit height are dirt, even as fragments
FRAGMENT = 0.75     # a blob shorter than this share of the typical height may be part of another digit
SLENDER = 5.0       # a long piece this many times longer than wide is a sliver: a 1, or what is left of a line ...
LINE_FILL = 0.08    # ... as is one, tilted, whose ink fills less than this share of its box and is thin (STRAIGHT)
STACKED = 1.3       # joined pieces are at most this many typical heights tall (never two rows at once)
STRAIGHT = 0.2      # a blob whose tightest rotated box is thinner than this share of its length is a sliver ...
LONG = 1.5          # ... a line when it is also longer than this many typical digit heights ...
BLOT = 0.36         # stroke width over the longer side above which a blob is a blot, not writing
CONTINUED = 0.2     # ... or when ink goes on along its axis past both ends for this share of its length
SOLID = 0.6         # a blob whose thick parts are this share of its height is a smudge (a blurred marker 6: 0.55)
SOLID_SIDE = 40     # ... judged on a copy at most this many pixels across
DENSE = 0.4         # ... which is only looked for in blobs that cover this share of their box
RAGGED = 6.0        # a blob whose outline is this many times its box's width plus height is speckle ...
HOLES = 15          # ... as is one with this many holes (a digit has two at most, a speckled marker's up to 11)
TOUCH = 0.1         # boxes this close (x typical height) in both directions touch (a 5's flag lifted off it)
PART = 0.5          # a part cut from a blob is a digit only if it is this share of the blob's height
EDGE_CUT = 0.08     # a doubtful blob may be cut anywhere but this share of its width from either side
SPLIT_PART = 0.7    # touching digits are each nearly as tall as their blob; a wide 3 cut in two gives low halves
ROW_ALIKE = 0.3     # small digits in a row differ in height by at most this share ...
ROW_GAP = 2.0       # ... and stand at most this many heights apart; a row of writing holds ...
ROW_LEAST = 3       # ... this many of them at least
LINES = 3.5         # lines of writing lie at most this many digit heights apart (small writing, three apart)
ABOVE = 0.3         # a piece this close (x a digit's height) above or below it, in its columns, is beside it
SURE_WIDE = 2.0     # a blob this many times wider than tall is several digits however its cuts look
LOOSE_WIDE = 1.5    # a loose piece is less tall than a digit, and less wide than this many digit heights (a 5's
                    # flag written apart may be wider than the 5 is tall)
LOOSE_MOST = 3      # loose pieces kept, at most this many times the most digits a frame may hold (biggest first)
GRAINS = 4          # marks away from every digit outnumbering the digits this many times over ...
GRAINS_LEAST = 20   # ... and this many at least: the "digits" are the biggest grains of a texture (unless
                    #     they are laid out as writing)


def digit_boxes(mask: np.ndarray, params: DetectParams = DetectParams()) -> list[Box]:
    """(x, y, w, h) of every candidate digit in `mask` (uint8, 255 = ink), left to right, top to bottom."""
    return candidates(mask, params)[0]


def candidates(mask: np.ndarray, params: DetectParams = DetectParams()) -> tuple[list[Box], list[Box]]:
    """The digit boxes (as `digit_boxes`), and the loose pieces of ink: blobs smaller than a digit that no
    digit holds, biggest first.

    A faint digit, or one in shade or on a grid, may pass the frame's threshold only in a short piece, too
    small to be told from dirt on its own; standing `beside` a digit (in its row, or just above or below it:
    a 5's flag written apart) it is worth finishing (`complete`).
    """
    height, width = mask.shape
    sure = max(3.0, params.min_digit_height * height)
    min_height = min(sure, max(3.0, params.min_row_height * height))
    pieces = _pieces(mask, SPECK * sure)
    if len(pieces) == 0 or len(pieces) > 10 * params.max_digits:
        return [], []
    sized = ((pieces[:, 3] >= min_height) & (pieces[:, 3] <= params.max_digit_height * height)
             & (pieces[:, 2] <= params.max_digit_height * width))
    if not sized.any():
        return [], []
    sure_sized = sized & (pieces[:, 3] >= sure)
    if params.small_writing and not sure_sized.any():
        sure = min_height  # no usual digit to measure against: small marks need not stand in a row (_small_in_rows)
    # How tall a digit is, from the digit-sized pieces; a rule or grid line left in the mask is a sliver as
    # tall as the page, tilted or not (a 1 is one too: it only counts when nothing else does).
    stout = sure_sized & ~_lines_left(mask, pieces, 2 * sure)
    typical = float(np.percentile(pieces[next(m for m in (stout, sure_sized, sized) if m.any()), 3], 75))
    joined = [b for b in _join(pieces, typical, params.join_gap) if _plausible(mask, b, min_height, params)]
    flaws = [_flaw(mask, b, typical) for b in joined]  # before splitting: an edge is one blob
    boxes = [b for b, flaw in zip(joined, flaws) if flaw is None]
    blots = [b for b, flaw in zip(joined, flaws) if flaw == "blot"]
    if not boxes:
        return [], []
    reference = float(np.median([b[3] for b in boxes]))
    boxes = [b for b in boxes if params.min_relative_height * reference <= b[3]]
    boxes = _split_wide(mask, boxes, params.split_width)
    boxes = _drop_strays(boxes, params.stray_gap)
    boxes = _small_in_rows(boxes, sure)
    boxes = boxes + _blots_in_rows(boxes, blots)
    if len(boxes) > params.max_digits:
        return [], []
    boxes = sorted((b for b in boxes if not (params.photo and cut_off(b, mask.shape))), key=lambda b: (b[0], b[1]))
    if not boxes:
        return [], []
    inside, near = _around(pieces, boxes)
    if params.photo and _grainy(inside | near, len(boxes)) and not _written_in_rows(boxes):
        return [], []
    return boxes, _loose(pieces[~within(pieces, boxes)], boxes, LOOSE_MOST * params.max_digits)


def within(pieces: Sequence[Box] | np.ndarray, boxes: Sequence[Box]) -> np.ndarray:
    """Per piece (bool): does it lie wholly in a box. A piece only partly over a box is no part of it (a 5's
    flag written apart, over the corner of its body's box)."""
    x, y, w, h = (v[:, None] for v in np.array(pieces, dtype=np.int64).reshape(-1, 4).T)
    fx, fy, fw, fh = (v[None, :] for v in np.array(boxes, dtype=np.int64).reshape(-1, 4).T)
    return ((fx <= x) & (x + w <= fx + fw) & (fy <= y) & (y + h <= fy + fh)).any(axis=1)


def beside(pieces: Sequence[Box], boxes: Sequence[Box], over: bool = True) -> np.ndarray:
    """Per piece (bool): does it stand level with a box and near it (in its row), or (`over`) just above or
    below it, in its columns."""
    return _around(np.array(pieces, dtype=np.int64).reshape(-1, 4), boxes, over)[1]


def _around(pieces: np.ndarray, boxes: Sequence[Box], over: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Per piece: does it overlap a box; is it `beside` one."""
    found = np.array(boxes, dtype=np.int64).reshape(-1, 4)
    x, y, w, h = (v[:, None] for v in pieces.T)
    fx, fy, fw, fh = (v[None, :] for v in found.T)
    columns = (x < fx + fw) & (fx < x + w)  # sharing some of a box's columns
    inside = (columns & (y < fy + fh) & (fy < y + h)).any(axis=1)
    level = np.abs((y + h / 2) - (fy + fh / 2)) <= 0.5 * fh
    near = np.maximum(fx - (x + w), x - (fx + fw)) <= ROW_GAP * fh
    near = level & near
    if over:
        near |= columns & (np.maximum(fy - (y + h), y - (fy + fh)) <= ABOVE * fh)
    return inside, near.any(axis=1)


def _grainy(with_digits: np.ndarray, digits: int) -> bool:
    """True when the marks away from every digit and its row far outnumber the digits.

    A page holds writing and little else; grain, speckled stone or fabric holds marks all over, alike in
    size, and what passes for digits is only the biggest of them. (A page's own dirt is a few marks.)
    """
    away = int((~with_digits).sum())
    return away >= GRAINS_LEAST and away >= GRAINS * digits


def _written_in_rows(boxes: list[Box]) -> bool:
    """Whether the boxes are laid out as writing: a row of ROW_LEAST like boxes, or every box in a row with
    another. A speckled desk's biggest flecks lie anywhere, seldom side by side at one height."""
    sizes = row_sizes(boxes)
    return bool(sizes.max() >= ROW_LEAST or (len(boxes) >= 2 and sizes.min() >= 2))


def looks_like_digit(mask: np.ndarray, box: Box, least: float, typical: float,
                     params: DetectParams = DetectParams()) -> bool:
    """The tests `digit_boxes` puts a joined blob to, for a box found another way: at least `least` tall, and
    no sliver longer than a line among digits `typical` tall (a slanted 1 is longer than the least height)."""
    return _plausible(mask, box, least, params) and not _junk(mask, box, typical)


def _loose(pieces: np.ndarray, boxes: list[Box], most: int) -> list[Box]:
    """Of `pieces` (those outside every box), the ones smaller than a digit (LOOSE_WIDE); biggest first."""
    typical = float(np.median([b[3] for b in boxes]))
    small = (pieces[:, 3] < typical) & (pieces[:, 2] < LOOSE_WIDE * typical)
    chosen = pieces[small]
    chosen = chosen[np.argsort(-chosen[:, 2] * chosen[:, 3], kind="stable")][:most]
    return [tuple(int(v) for v in b) for b in chosen]  # type: ignore[misc]


def overlaps(a: Box, b: Box) -> bool:
    """Whether two boxes share any pixel."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _lines_left(mask: np.ndarray, pieces: np.ndarray, long: float) -> np.ndarray:
    """Which pieces longer than `long` are slivers: far longer than wide, or, tilted, filling next to none
    of their bounding box and thin in their tightest rotated one (a big digit in a fine pen fills as little)."""
    x, y, w, h = pieces.T
    line = np.maximum(w, h) > SLENDER * np.minimum(w, h)
    for i in np.flatnonzero(~line & (np.maximum(w, h) > long)):
        crop = mask[y[i]:y[i] + h[i], x[i]:x[i] + w[i]]
        if cv2.countNonZero(crop) < LINE_FILL * w[i] * h[i]:
            contours, _ = cv2.findContours(crop, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            own = max(contours, key=lambda c: np.prod(cv2.boundingRect(c)[2:]))  # the piece spans its box
            _, (a, b), _ = cv2.minAreaRect(own)
            line[i] = min(a, b) < STRAIGHT * max(a, b)
    return line & (np.maximum(w, h) > long)


def _pieces(mask: np.ndarray, speck: float) -> np.ndarray:
    """(n, 4) bounding boxes of the mask's blobs, specks left out."""
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return np.zeros((0, 4), np.int64)
    outer = hierarchy[0, :, 3] < 0  # blobs' outlines, including blobs inside another's hole; not the holes
    rects = np.array([cv2.boundingRect(c) for c, o in zip(contours, outer) if o], dtype=np.int64).reshape(-1, 4)
    return rects[np.maximum(rects[:, 2], rects[:, 3]) >= speck]


def _join(pieces: np.ndarray, typical: float, gap: float) -> list[Box]:
    """Merge pieces of one digit into one box, until nothing more merges.

    Two boxes merge when one of them is a fragment (shorter than a typical digit) and the union stays one
    digit in size, and either they share at least half of the narrower one's columns with a small vertical
    gap (the bar of a 5 over its body), or the fragment lies within the other's rows with a small
    horizontal gap (the corner of an open 4 beside its stem).
    """
    boxes = pieces.astype(np.int64)
    for _ in range(8):  # each pass merges every matching pair; chains of pieces need a few passes
        pairs = _joinable(boxes, typical, gap)
        if not pairs.any():
            break
        group = np.arange(len(boxes))
        for i, j in zip(*np.nonzero(pairs)):
            gi, gj = _root(group, i), _root(group, j)
            group[max(gi, gj)] = min(gi, gj)
        roots = np.array([_root(group, i) for i in range(len(boxes))])
        boxes = np.array([_union_all(boxes[roots == r]) for r in np.unique(roots)], dtype=np.int64)
    return [tuple(int(v) for v in b) for b in boxes]  # type: ignore[misc]


def _joinable(boxes: np.ndarray, typical: float, gap: float) -> np.ndarray:
    """(n, n) upper-triangular bool: which pairs of boxes are pieces of one digit."""
    x, y, w, h = boxes.T
    right, bottom = x + w, y + h
    shared_x = np.minimum(right[:, None], right[None, :]) - np.maximum(x[:, None], x[None, :])
    shared_y = np.minimum(bottom[:, None], bottom[None, :]) - np.maximum(y[:, None], y[None, :])
    union_w = np.maximum(right[:, None], right[None, :]) - np.minimum(x[:, None], x[None, :])
    union_h = np.maximum(bottom[:, None], bottom[None, :]) - np.minimum(y[:, None], y[None, :])
    short = np.minimum(h[:, None], h[None, :])
    fragment = short < FRAGMENT * typical
    stacked = (shared_x >= 0.5 * np.minimum(w[:, None], w[None, :])) & (-shared_y <= gap * typical)
    beside = (shared_y >= 0.8 * short) & (-shared_x <= 0.5 * gap * typical)
    touching = (shared_x >= -TOUCH * typical) & (shared_y >= -TOUCH * typical)  # the bar of a 7 off its stem
    ok = fragment & (stacked | beside | touching) & (union_h <= STACKED * typical) & (union_w <= 1.2 * typical)
    return np.triu(ok, 1)


def _root(group: np.ndarray, i: int) -> int:
    while group[i] != i:
        i = group[i]
    return int(i)


def _union_all(boxes: np.ndarray) -> np.ndarray:
    x, y = boxes[:, 0].min(), boxes[:, 1].min()
    return np.array([x, y, (boxes[:, 0] + boxes[:, 2]).max() - x, (boxes[:, 1] + boxes[:, 3]).max() - y])


def _plausible(mask: np.ndarray, box: Box, min_height: float, params: DetectParams) -> bool:
    """Digit-sized, not an outline, not a solid slab, not a bar, not running along the frame's edge."""
    height, width = mask.shape
    x, y, w, h = box
    if h < min_height or h > params.max_digit_height * height or w > params.max_digit_height * width:
        return False
    if params.photo and (((y == 0 or y + h == height) and w > 0.5 * width)
                         or ((x == 0 or x + w == width) and h > 0.5 * height)):
        return False  # the desk, a shadow or the sheet's edge along the frame
    fill = cv2.countNonZero(mask[y:y + h, x:x + w]) / float(w * h)
    if fill < params.min_fill:
        return False
    if fill > params.max_fill and w > 0.5 * h:
        return False  # a blot or a dark object; a marker's "1" is tall and narrow
    return not (w > params.max_aspect * h and fill > 0.5)  # a thick bar, not several touching digits


def cut_off(box: Box, shape: tuple[int, int]) -> bool:
    """Cut by the frame's edge on one side: a digit partly out of view, or the desk beyond the sheet."""
    x, y, w, h = box
    return (x == 0) != (x + w == shape[1]) or (y == 0) != (y + h == shape[0])


def _junk(mask: np.ndarray, box: Box, typical: float) -> bool:
    """Not writing: a blot, speckle, or a straight sliver that is a piece of something longer (`_flaw`)."""
    return _flaw(mask, box, typical) is not None


def _flaw(mask: np.ndarray, box: Box, typical: float) -> str | None:
    """Why a blob is no writing: "speckle", "blot" or "sliver"; None when it may be.

    Speckle's outline runs round every grain: a digit's, holes and all, is at most about four times its
    box's width plus height, two touching digits' five; and the darkest part of a soft shadow, just passing
    the threshold, is a smudge riddled with holes. A blot's stroke width (twice its area over its outline) is
    half its size; handwriting stays well below (a marker's 0 reaches about 0.3 of its height). A
    sheet's edge, a tilted rule or a shadow line is a sliver longer than any digit, or one the mask continues
    along its axis past both ends, more than beside it (a "1" stands alone: paper above and below it).
    """
    x, y, w, h = box
    crop = mask[y:y + h, x:x + w]
    contours, hierarchy = cv2.findContours(crop, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    outline = sum(cv2.arcLength(c, True) for c in contours)
    ink = cv2.countNonZero(crop)
    if _speckled(outline, hierarchy, w, h):
        return "speckle"
    if outline > 0 and 2.0 * ink / outline > BLOT * max(w, h):
        return "blot"
    if ink > DENSE * w * h and _thickest(crop) > SOLID * h:  # strokes leave most of their box empty
        return "blot"
    points = np.vstack(contours)  # the outlines have the same tightest box as the ink, from few points
    (_, _), (a, b), _ = cv2.minAreaRect(points)
    length, thickness = max(a, b), min(a, b)
    if thickness >= STRAIGHT * length:
        return None
    if length >= LONG * typical:
        return "sliver"
    vx, vy, cx, cy = (float(v) for v in cv2.fitLine(points, cv2.DIST_L2, 0, 0.01, 0.01).ravel())
    # Looked for as far off the axis as the stroke is wide: a slanted or bent 1's tightest box is thicker than
    # its stroke, and searched that wide, the flecks of recycled paper beyond its ends pass for a line going on.
    reach = int(np.ceil(min(thickness, 2.0 * ink / outline) / 2)) + 1
    steps = np.arange(length / 2 + reach + 1, 1.5 * length + reach + 1)  # from out of reach of its own ends
    ends = [(x + cx + sign * steps * vx, y + cy + sign * steps * vy) for sign in (-1.0, 1.0)]
    covered = [_hits(mask, px, py, reach) for px, py in ends]
    if max(covered) >= 0.9:
        return "sliver"
    if min(covered) < CONTINUED:
        return None
    # Flecks all around (recycled paper, noise) also lie on the axis: the ink must go on along it more
    # than it lies beside it, a few stroke widths off to either side.
    aside = 2 * reach + 2
    beside = [np.mean([_hits(mask, px - side * aside * vy, py + side * aside * vx, reach) for side in (-1.0, 1.0)])
              for px, py in ends]
    return "sliver" if min(on - off for on, off in zip(covered, beside)) >= CONTINUED else None


def speckled(mask: np.ndarray, box: Box) -> bool:
    """Whether the ink in `box` is speckle (`_flaw`): after `complete` has grown a mark's box, a noisy patch
    at the threshold shows more of its grains than the mark that passed for a digit did."""
    x, y, w, h = box
    contours, hierarchy = cv2.findContours(mask[y:y + h, x:x + w], cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    return _speckled(sum(cv2.arcLength(c, True) for c in contours), hierarchy, w, h)


def _speckled(outline: float, hierarchy: np.ndarray | None, w: int, h: int) -> bool:
    """A noisy patch at the threshold is all outline and holes; a shaded smudge there is solid but riddled
    with holes. A digit's outline, holes and all, is at most about four times its box's width plus height."""
    return outline > RAGGED * (w + h) or (hierarchy is not None and int((hierarchy[0, :, 3] >= 0).sum()) >= HOLES)


def _thickest(crop: np.ndarray) -> float:
    """How thick the blob's thickest parts are: twice the 90th percentile of the distance to its outline,
    after a 3x3 closing and opening, so a ragged, speckled outline (a smudge at the threshold) reads as solid."""
    scale = SOLID_SIDE / max(crop.shape)
    if scale < 1.0:  # the share is the same at any size: look at a small copy
        small = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))),
                           interpolation=cv2.INTER_AREA)
        return _thickest(cv2.compare(small, 127, cv2.CMP_GT)) / scale
    square = np.ones((3, 3), np.uint8)
    clean = cv2.morphologyEx(cv2.morphologyEx(crop, cv2.MORPH_CLOSE, square), cv2.MORPH_OPEN, square)
    inside = cv2.distanceTransform(cv2.copyMakeBorder(clean, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0),
                                   cv2.DIST_L2, 3)
    values = inside[inside > 0]
    if values.size == 0:
        return 0.0
    rank = int(0.9 * (values.size - 1))
    return 2.0 * float(np.partition(values, rank)[rank])


def _hits(mask: np.ndarray, px: np.ndarray, py: np.ndarray, reach: int) -> float:
    """Share of the points (px, py) with ink within `reach` pixels (points off the frame count as none)."""
    if len(px) == 0:
        return 0.0
    px, py = np.round(px).astype(int), np.round(py).astype(int)
    # Ink near a point is ink under it once the ink is grown by `reach`: grown only around the points.
    x0, y0, x1, y1 = px.min() - reach, py.min() - reach, px.max() + reach + 1, py.max() + reach + 1
    region = np.zeros((y1 - y0, x1 - x0), np.uint8)
    left, top, right, bottom = max(x0, 0), max(y0, 0), min(x1, mask.shape[1]), min(y1, mask.shape[0])
    if left < right and top < bottom:
        region[top - y0:bottom - y0, left - x0:right - x0] = mask[top:bottom, left:right]
    near = cv2.dilate(region, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * reach + 1, 2 * reach + 1)))
    return float(np.count_nonzero(near[py - y0, px - x0])) / len(px)


def isolation(boxes: list[Box]) -> np.ndarray:
    """Per box, how far the nearest other box is: the larger of the gaps across and down (0 when they touch
    or overlap, infinite for a lone box)."""
    b = np.array(boxes, dtype=np.float64).reshape(-1, 4)
    x, y, w, h = b.T
    apart = np.maximum(np.maximum(_gaps(x, w), _gaps(y, h)), 0.0)
    np.fill_diagonal(apart, np.inf)
    return apart.min(axis=1, initial=np.inf)


def _drop_strays(boxes: list[Box], gap: float) -> list[Box]:
    """Without the marks that stand alone far from every other, when some digits stand together.

    People write numbers: digits in rows, a digit's neighbour within a few digit heights. A small mark far
    from all the rest, on a frame that has such a group, is dirt, the desk or the sheet's edge.
    """
    if len(boxes) < 3:
        return boxes
    h = np.array([box[3] for box in boxes], dtype=np.float64)
    near = isolation(boxes) <= gap * float(np.median(h))
    if near.sum() < 2:
        return boxes
    keep = near | (h >= float(np.median(h[near])))  # a lone mark as big as the grouped ones may be a digit
    return [box for box, k in zip(boxes, keep) if k]


def _small_in_rows(boxes: list[Box], sure: float) -> list[Box]:
    """Without the boxes shorter than `sure` that do not stand in a row of their like, nor beside writing.

    Digits written small (a far camera, a big sheet) are as small as grain and dirt; what tells them apart
    is that writing comes in rows: at least three marks of about the same height, each level with and near
    the next. A number's line may hold fewer: a small mark in a row with a digit of the usual size, or in
    the line just above or below a row of writing and as tall as its digits, is writing too.
    """
    small = np.array([box[3] < sure for box in boxes])
    if not small.any():
        return boxes
    rows = row_mates(boxes)
    sizes = rows.sum(axis=1)
    x, y, w, h = np.array(boxes, dtype=np.float64).reshape(-1, 4).T
    gaps = _gaps(x, w)
    paired = (rows & ~small[None, :] & (gaps > 0)).any(axis=1)  # beside a digit of the usual size, paper
    written = sizes >= ROW_LEAST                                # between (not a piece of one blob cut in two)
    next_line = _by_rows(x, y, w, h, written, LINES).any(axis=1)
    return [box for box, k in zip(boxes, ~small | written | paired | next_line) if k]


def _blots_in_rows(boxes: list[Box], blots: list[Box]) -> list[Box]:
    """The blots that stand in a row of writing (`in_rows_of`): a marker's digit blurred until its loops fill
    in (an 8, a 9) is as solid as a blot, but a row of digits of its height says it is writing, and the
    network can tell which digit. A blot on its own, or beside one digit, stays out."""
    return [blot for blot, kept in zip(blots, in_rows_of(boxes, blots)) if kept]


def in_rows_of(digits: list[Box], marks: list[Box]) -> np.ndarray:
    """Per mark (bool): does it stand in a row of like boxes with ROW_LEAST - 1 of `digits` at least, so that
    the row holds ROW_LEAST with it. Marks do not count for one another."""
    if not marks or len(digits) < ROW_LEAST - 1:
        return np.zeros(len(marks), bool)
    return row_mates(digits + marks)[len(digits):, :len(digits)].sum(axis=1) >= ROW_LEAST - 1


def next_line_of(digits: list[Box], marks: list[Box], reach: float) -> np.ndarray:
    """Per mark (bool): does it stand in the line above or below a row of writing (ROW_LEAST of `digits`
    alike, level and near), its middle at most `reach` of their heights from theirs, about as tall as they
    are and within a digit's width of one of them: a number's second line. Marks do not count for one
    another."""
    if not marks or len(digits) < ROW_LEAST:
        return np.zeros(len(marks), bool)
    x, y, w, h = np.array(digits + marks, dtype=np.float64).reshape(-1, 4).T
    n = len(digits)
    written = np.zeros(len(x), bool)
    written[:n] = row_mates(digits).sum(axis=1) >= ROW_LEAST
    return _by_rows(x, y, w, h, written, reach)[n:].any(axis=1)


def _by_rows(x: np.ndarray, y: np.ndarray, w: np.ndarray, h: np.ndarray, written: np.ndarray,
             reach: float) -> np.ndarray:
    """(n, n) bool: [i, j] when box j stands in a row of writing (`written`) and box i, about as tall, in its
    line or the next, their middles at most `reach` of the taller's height apart, within a digit's width."""
    middle = y + h / 2
    lines = np.abs(middle[:, None] - middle[None, :]) <= reach * np.maximum(h[:, None], h[None, :])
    return _alike(h) & lines & (_gaps(x, w) <= h[:, None]) & written[None, :]


def _gaps(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(n, n): the paper between each two boxes along one axis, from their starts and sizes on it (negative
    where they overlap)."""
    return np.maximum(x[:, None] - (x + w)[None, :], x[None, :] - (x + w)[:, None])


def _alike(h: np.ndarray) -> np.ndarray:
    """(n, n) bool: which boxes, by their heights `h`, are about as tall as each other (ROW_ALIKE)."""
    return np.abs(h[:, None] - h[None, :]) <= ROW_ALIKE * np.maximum(h[:, None], h[None, :])


def in_column(boxes: list[Box], reach: float) -> np.ndarray:
    """Per box (bool): does a box of about its height stand in a line above or below it (`reach` heights
    apart at most), in its columns or half a height off them: a list of numbers written one under another."""
    x, y, w, h = np.array(boxes, dtype=np.float64).reshape(-1, 4).T
    alike = _alike(h)
    apart = np.abs((y + h / 2)[:, None] - (y + h / 2)[None, :])
    lines = (apart > 0.5 * h[:, None]) & (apart <= reach * np.maximum(h[:, None], h[None, :]))
    return (alike & lines & (_gaps(x, w) <= 0.5 * h[:, None])).any(axis=1)


def row_sizes(boxes: list[Box]) -> np.ndarray:
    """Per box, how many boxes its row of like boxes holds (itself too): boxes of about one height, each level
    with and near the next."""
    return row_mates(boxes).sum(axis=1)


def row_mates(boxes: list[Box]) -> np.ndarray:
    """(n, n) bool: which boxes share a row of like boxes (those `row_sizes` counts), each with itself."""
    b = np.array(boxes, dtype=np.float64).reshape(-1, 4)
    x, y, w, h = b.T
    alike = _alike(h)
    level = np.abs((y + h / 2)[:, None] - (y + h / 2)[None, :]) <= 0.5 * h[:, None]
    near = _gaps(x, w) <= ROW_GAP * h[:, None]
    row = alike & level & near & level.T  # neighbours in a row; a row is every box they chain to
    for _ in range(len(boxes)):
        wider = row | ((row.astype(np.uint8) @ row.astype(np.uint8)) > 0)
        if (wider == row).all():
            break
        row = wider
    return row


def _split_wide(mask: np.ndarray, boxes: list[Box], split_width: float) -> list[Box]:
    """Cut blobs several digits wide (by their height and by the other digits) at their emptiest columns.

    The width says roughly how many digits there are; of the two nearest counts, the one whose cuts pass
    through less ink wins (two touching 0s are cut once at their junction, not twice through the rings).
    A blob less than twice as wide as tall is cut only where a single stroke joins its parts: a wide 0, 2
    or 7 crosses two strokes at every column near its middle. A cut leaving a part much lower than the blob
    is undone: the two arcs of a wide 3 meet in one stroke, but each is half a digit, and too small alone.
    A run of digits written on a slant is taller than each of them: one SURE_WIDE wide is measured by the
    frame's other digits (their median height), where there are some, not by its own height.
    """
    one = [b for b in boxes if b[2] < split_width * b[3]]  # one digit wide
    single, heights = [b[2] for b in one], [b[3] for b in one]
    out: list[Box] = []
    for box in boxes:
        x, y, w, h = box
        if w < split_width * h:
            out.append(box)
            continue
        tall = h if w < SURE_WIDE * h or not heights else min(h, float(np.median(heights)))
        digits = w / max(float(np.median(single)) if single else 0.0, 0.7 * tall)
        cost = cut_cost(mask[y:y + h, x:x + w] > 0)
        options = [_cuts(cost, count) for count in sorted({max(2, int(digits)), max(2, int(np.ceil(digits)))})]
        cuts = min(options, key=lambda c: float(np.mean(cost[c[1:-1]])))
        if w < SURE_WIDE * h and min(cost[c] for c in cuts[1:-1]) >= 2:
            out.append(box)
            continue
        parts = [p for p in (_shrink(mask, (x + left, y, right - left, h)) for left, right in zip(cuts[:-1], cuts[1:]))
                 if p is not None]
        parts = _rejoin_flat(parts, h)
        out.extend(parts if all(part[3] >= SPLIT_PART * tall for part in parts) else [box])
    return out


def halves(mask: np.ndarray, box: Box) -> list[tuple[Box, Box]]:
    """Ways to cut `box` in two, each part shrunk to its ink (`_cut_at`): at the cheapest column near the
    middle (as `_split_wide` cuts), and at the cheapest anywhere but near its sides, which is where a thin 1
    meets its neighbour."""
    return _cut_at(mask, box, _columns(mask, box)[:2])


def other_halves(mask: np.ndarray, box: Box, count: int) -> list[tuple[Box, Box]]:
    """Ways to cut `box` in two other than `halves`': at the `count` next cheapest columns where the cost
    dips, but near its sides. Two digits that lean into each other touch where neither cut falls."""
    columns = _columns(mask, box)
    return _cut_at(mask, box, [c for c in columns[2:2 + count] if c not in columns[:2]])


def _columns(mask: np.ndarray, box: Box) -> list[int]:
    """Where `halves` cuts `box` (near the middle, then anywhere but near the sides), then every other
    column where the cost dips, cheapest first."""
    x, y, w, h = box
    if w < 4:
        return []
    cost = cut_cost(mask[y:y + h, x:x + w] > 0)
    columns = [_cuts(cost, 2)[1]]  # near the middle
    low, high = max(1, int(EDGE_CUT * w)), min(w - 1, int((1 - EDGE_CUT) * w))
    if low >= high:
        return columns
    columns.append(low + int(np.argmin(cost[low:high])))  # anywhere but near the sides
    return columns + [low + int(i) for i in dips(cost[low:high])]


def dips(cost: np.ndarray) -> np.ndarray:
    """Where a cut's cost (per column) dips: no higher than the column before and lower than the one after;
    cheapest first."""
    at = np.flatnonzero((cost <= np.r_[np.inf, cost[:-1]]) & (cost < np.r_[cost[1:], np.inf]))
    return at[np.argsort(cost[at], kind="stable")]


def _cut_at(mask: np.ndarray, box: Box, columns: Sequence[int]) -> list[tuple[Box, Box]]:
    """`box` cut at each of `columns` (from its left), each part shrunk to its ink. A cut that leaves a part
    without ink or too flat to be a digit is no way."""
    x, y, w, h = box
    ways = []
    for column in dict.fromkeys(columns):
        parts = [_shrink(mask, (x, y, column, h)), _shrink(mask, (x + column, y, w - column, h))]
        if all(p is not None and p[3] >= PART * h for p in parts):
            ways.append((parts[0], parts[1]))
    return ways  # type: ignore[return-value]


def _rejoin_flat(parts: list[Box], height: int) -> list[Box]:
    """The parts of a cut blob, each too flat to be a digit joined back to its neighbour: the long base of
    a 2, the bar of a 5 or 7 or the tail of a 9 is one stroke wide at the cut, like a junction, but a digit
    it is not."""
    parts = list(parts)
    while len(parts) > 1:
        flat = [i for i, p in enumerate(parts) if p[3] < PART * height]
        if not flat:
            break
        i = flat[0]
        j = i + 1 if i == 0 else i - 1 if i == len(parts) - 1 else max(i - 1, i + 1, key=lambda k: parts[k][3])
        merged = _union_all(np.array([parts[i], parts[j]]))
        parts[min(i, j)] = tuple(int(v) for v in merged)  # type: ignore[assignment]
        del parts[max(i, j)]
    return parts


def cut_cost(ink: np.ndarray) -> np.ndarray:
    """Per column, what cutting there costs: the strokes it crosses, then the ink it takes.

    Two digits touch at one stroke; cutting through a digit crosses two or more (both sides of a 0).
    """
    runs = ink[0].astype(np.int64) + np.count_nonzero(ink[1:] & ~ink[:-1], axis=0)
    amount = np.count_nonzero(ink, axis=0)
    return runs + amount / max(1, int(amount.max()))


def _cuts(cost: np.ndarray, count: int) -> list[int]:
    """Column borders splitting a blob into `count` parts, each at the cheapest column near its place."""
    width = len(cost)
    part = width / count
    cuts = [0]
    for k in range(1, count):
        centre = int(round(k * part))
        lo, hi = max(cuts[-1] + 1, int(centre - part / 3)), min(width - 1, int(centre + part / 3) + 1)
        if lo >= hi:
            continue
        # the cheapest column, with a slight pull towards the expected border
        pull = 0.25 * np.abs(np.arange(lo, hi) - centre) / (part / 3)
        cuts.append(lo + int(np.argmin(cost[lo:hi] + pull)))
    cuts.append(width)
    return cuts


def _shrink(mask: np.ndarray, box: Box) -> Box | None:
    """The bounding box of the ink inside `box`, or None when it holds none."""
    x, y, w, h = box
    if w <= 0 or h <= 0:
        return None
    points = cv2.findNonZero(mask[y:y + h, x:x + w])
    if points is None:
        return None
    bx, by, bw, bh = cv2.boundingRect(points)
    return x + bx, y + by, bw, bh
