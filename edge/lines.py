"""Remove ruled lines, grids, margins and sheet edges from an ink mask, keeping the digits that touch them.

A line is a chain of straight runs far longer than any digit stroke. A tilted page tilts its lines, so the
mask is first sheared until the dominant line direction (a Hough vote at quarter resolution) is level;
runs then stay runs. A long horizontal chain is a line when there are several of them (a ruled page; two
will do when they are as thin as print) or when it is far longer than everything joined to it is tall (the
bar of a big "7" belongs to a blob as tall as the bar is long). A long vertical chain is a line when there
are several (a grid), when it reaches the top or bottom of the frame, or when it is very long and thin (a
margin); a big "1" drawn alone is none of these. A dozen thin straight pieces one way are a grid too, even
when no line of it came through whole. Faint print breaks into dashes and perspective gives each line of a
page its own slope, so once a page shows print, the lines the chains missed are also sought one by one (a
Hough vote at quarter size, then fitted and checked at full size); where no chain came through either way,
only a margin in dashes is sought so, most of the page tall and as thin as print. Where ink is thicker across
a line than the line itself (a stroke crossing it, a digit resting on it), the line's pixels there are kept, so
the digit is not cut in two.
"""
from __future__ import annotations

import cv2
import numpy as np

from edge.blobs import blobs
from edge.params import DetectParams

FLAT = 1.5          # a lone line is this many times longer than its blob (with any digit on it) is tall
COVERED = 0.35      # a printed line found by its votes has ink along this share of its length
VOTES = 0.6         # ... gets votes at quarter size from this share of a line's least length
MOST = 8            # ... and no more than this many lines a direction are tried (a dense grid)
HALF = 2            # ... and is taken this many pixels either side of its centre line
SEARCH = 6          # ... which is looked for this far either side of where the quarter-size vote puts it
GAP = 0.25          # ... and has no gap longer than this share of its length
PIECE = 0.5         # on a ruled page, straight thin pieces this long (x a line's least length) are print too ...
IN_LINE = 0.5       # ... and shorter ones with ink along this share of their line, both ways, for as far again
CLEAN = 6           # this many long chains one way: the page's lines are whole, no one-by-one search
RULED = 3           # this many parallel long chains are a ruled page or a grid, whatever their blobs ...
BROKEN = 12         # ... as are this many parallel pieces (PIECE long at least): a grid's lines, each broken
CROSSED = 6         # ... or this many each way, both ways at once: a faint grid seen askew, its lines in short pieces
FINE = 2.0          # ... when most of them are at most this thick (px), ...
PRINT = 1.5         # ... those of them at most this many times as thick as most
MARGIN = 40.0       # a lone upright line this many times longer than it is thick is a printed margin ...
MARGIN_SHARE = 0.6  # ... when this share of the frame's height long (a chain) or the page's (dashes no chain holds)
THIN = 0.015        # printed lines and sheet edges are at most this thick (x frame height); marker strokes are not
BLURRED = 3.0       # ... unless blur thickened them: several parallel chains up to this many times as thick,
BLUR_SPREAD = 2.0   # ... and no more than this many times as thick as the page's thin lines, if any came through,
BLURRED_RULED = 5   # ... or this many of them, if none did: three are a big digit's strokes (a 9's tail, a 7's stem)
BORDER = 0.02       # "reaches the border": ends within this share of the frame of it
LEVEL = 0.05        # lines flatter than this slope need no shearing
TILT = 20.0         # lines are searched within this many degrees of level and of upright
INK_OVER_LINE = 1.25  # ink this many times darker than the page's lines is told from them by darkness (a
                     # pencil too: 1.6 left a pencil's strokes along the rules with the rules)
REACH = 0.15         # ... and joined to more ink than it adds within this share of the frame's height,
STROKE_OVER_LINE = 1.0  # ... or, shorter than a line, as thick as the lines at least (a 1 along one; blur
                        #     spreads a grid's lines as wide as a gel pen's stroke: 1.5 lost such a 1)
OFFSETS = np.arange(-SEARCH, SEARCH + 1)  # where a printed line's ink is sought across its Hough guess ...
ON = np.arange(-HALF + 1, HALF)           # ... and, once fitted, its own pixels across it ...
ON_AND_BESIDE = np.concatenate([ON, [-HALF - 3, -HALF - 2, HALF + 2, HALF + 3]])  # ... and paper beside it


def remove_lines(mask: np.ndarray, params: DetectParams = DetectParams(), faint: np.ndarray | None = None,
                 darkness: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The mask without line pixels (uint8, 255 = ink); the input is not modified.

    `faint`, a lower-threshold mask holding `mask`, is where lines are looked for: a faint printed line is
    whole in it, while `mask` has only dashes of it. `darkness`, how much darker than its paper each pixel
    is and that paper's brightness (both uint8), tells ink lying along a line from the line: `_restore_ink`.
    """
    return split_lines(mask, params, faint, darkness)[0]


def split_lines(mask: np.ndarray, params: DetectParams = DetectParams(), faint: np.ndarray | None = None,
                darkness: tuple[np.ndarray, np.ndarray] | None = None,
                beyond: np.ndarray | None = None, page: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`remove_lines`'s mask, and the lines' pixels in `faint` (or `mask`) that it did not keep as ink.

    The second is where a digit's faint strokes must not be grown later: the dashes of a faint rule that did
    not pass `mask`'s threshold are line too, and a digit resting on the rule would run along them.
    Lines are sought on the page only, not where `beyond` (255 off the page, at any lower resolution) says: a
    desk's grain passes a harder look's low bars, and its streaks would crowd a faint page's own rules out.
    A ruled page's or a grid's lines are as long as a share of the page's height (`page`, in pixels), not of
    the frame's, where `params.page_lines` says: a small sheet far from the camera has short ones; a lone line
    must still be as long as a share of the frame's, or a long stroke on a small sheet (a 7's bar) would pass
    for one.
    """
    height, width = mask.shape
    lone_length = params.line_length * height
    min_length = lone_length if page is None or not params.page_lines else params.line_length * min(height, page)
    search = mask if faint is None else faint
    quarter = cv2.resize(search, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA)
    bounded = beyond is not None and cv2.countNonZero(beyond) > 0
    if bounded:
        quarter = cv2.subtract(quarter, cv2.resize(beyond, (quarter.shape[1], quarter.shape[0]),
                                                   interpolation=cv2.INTER_NEAREST))
    wide, tall = _long_blobs(quarter, min_length / 4)
    if bounded and (wide or tall):  # the full-size search only where a line may be: it is dear
        search = cv2.subtract(search, cv2.resize(beyond, (width, height), interpolation=cv2.INTER_NEAREST))
    run = max(5, round(params.line_run * height))
    chained: dict[bool, tuple[np.ndarray, float, int] | None] = {}
    slopes: dict[bool, float | None] = {}
    for horizontal in (False, True):
        slopes[horizontal] = slope = (_dominant_slope(quarter, min_length / 4, horizontal)
                                      if (wide if horizontal else tall) else None)
        chained[horizontal] = None if slope is None else _line_pixels(search, run, min_length, horizontal, slope,
                                                                      lone_length)
    if chained[False] is None and chained[True] is None and slopes[False] is not None and slopes[True] is not None:
        # A faint grid askew breaks every line into pieces, too few a way to be a grid alone (BROKEN), but
        # found both ways at once they are one: writing is seldom made of long straight strokes both ways.
        crossed = {horizontal: _line_pixels(search, run, min_length, horizontal, slope, lone_length, CROSSED)
                   for horizontal, slope in slopes.items() if slope is not None}
        if all(found is not None and found[2] >= CROSSED for found in crossed.values()):
            chained = crossed
    lines: dict[bool, tuple[np.ndarray, float]] = {}
    if chained[False] is None and chained[True] is None:
        # No print on this page that the chains hold: the one-by-one search is not worth its cost, but for a
        # faint margin in dashes, whose crossings with rules in dashes read as digits on a blank page.
        least = MARGIN_SHARE * (page or height)
        margin = _printed_lines(search, quarter, min_length, False, None, margin=least) if tall else None
        if margin is None:
            return mask, np.zeros_like(mask)
        lines[False] = margin
        chained = {}  # the margin alone: no search for the rest of a page's print, which no chain showed
    for horizontal, chains in chained.items():
        if chains is not None and chains[2] >= CLEAN and not _more(quarter, chains[0], min_length, horizontal):
            line: tuple[np.ndarray, float] | None = chains[:2]  # a cleanly ruled page: the chains had them all
        elif wide if horizontal else tall:
            crossing = chained[not horizontal]
            line = _merge(None if chains is None else chains[:2],
                          _printed_lines(search, quarter, min_length, horizontal,
                                         None if chains is None else chains[0],
                                         None if crossing is None else crossing[0]))
        else:
            continue
        if line is not None:
            lines[horizontal] = line
    if not lines:
        return mask, np.zeros_like(mask)
    result = mask
    for found, _ in lines.values():
        result = cv2.subtract(result, found)
    for horizontal, (found, thickness) in lines.items():
        # ink thicker across the line than the line, not counting the lines that cross it (a grid's corners)
        crossing = lines.get(not horizontal)
        other = mask if crossing is None else cv2.subtract(mask, crossing[0])
        result = cv2.bitwise_or(result, _touched(other, found, thickness, horizontal))
    found = [f for f, _ in lines.values()]
    line = found[0] if len(found) == 1 else cv2.bitwise_or(*found)
    if darkness is not None:
        result = _restore_ink(mask, result, line, darkness, (min_length, max(t for _, t in lines.values())))
    return result, cv2.subtract(line, result)


def _restore_ink(mask: np.ndarray, result: np.ndarray, found: np.ndarray,
                 darkness: tuple[np.ndarray, np.ndarray], measure: tuple[float, float]) -> np.ndarray:
    """`result` with the removed pixels that are ink lying on a line given back: the base of a 2 drawn along
    a rule, the side of an 8 along a grid line. Geometry cannot tell those from the line; darkness can, as
    ink over print is darker than print alone. Only when the page's ink is clearly darker than its lines,
    and only pieces joined to more ink than they add, so neither the line's own dark specks nor a stretch
    of a sheet's edge beside a speck of desk comes back; or pieces shorter than a line that are as thick as
    the lines (a 1 written along a grid line goes whole with it). `darkness`: how much darker than its
    paper each pixel is, and the paper's brightness; `measure`: a line's least length and the lines' thickness.
    """
    removed = cv2.findNonZero(cv2.subtract(mask, result))
    darker, paper = (d[::2, ::2] for d in darkness)  # every other row and column: plenty for a median
    on_line, on_ink = found[::2, ::2] > 0, result[::2, ::2] > 0
    if removed is None or not on_line.any() or not on_ink.any():
        return result
    line_level, ink_level = (float(np.median(darker[where] / np.maximum(paper[where], 1.0)))
                             for where in (on_line, on_ink))
    if ink_level < INK_OVER_LINE * line_level:
        return result
    points = removed[_share(darkness, removed) > (line_level + ink_level) / 2]
    if len(points) == 0:
        return result
    # Components are counted around the pixels to give back only, a digit's height beyond them at most.
    reach = int(REACH * result.shape[0])
    x, y, w, h = cv2.boundingRect(points)
    x0, y0 = max(0, x - reach), max(0, y - reach)
    x1, y1 = min(result.shape[1], x + w + reach), min(result.shape[0], y + h + reach)
    ys, xs = points[:, 0, 1], points[:, 0, 0]
    window = result[y0:y1, x0:x1].copy()
    window[ys - y0, xs - x0] = 255
    count, labels, stats = blobs(window)
    owner = labels[ys - y0, xs - x0]
    added = np.bincount(owner, minlength=count)
    joined = stats[:, cv2.CC_STAT_AREA] - added >= added  # a stroke's foot, not a sheet's edge on a speck
    least, thickness = measure
    length = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    stroke = (length < least) & (stats[:, cv2.CC_STAT_AREA] >= STROKE_OVER_LINE * thickness * length)
    keep = joined | stroke
    out = result.copy()
    out[ys[keep[owner]], xs[keep[owner]]] = 255
    return out


def _share(darkness: tuple[np.ndarray, np.ndarray], points: np.ndarray) -> np.ndarray:
    """Darkness as a share of the paper's brightness at `points` (findNonZero's (n, 1, 2) x, y)."""
    ys, xs = points[:, 0, 1], points[:, 0, 0]
    darker, paper = darkness
    return darker[ys, xs].astype(np.float32) / np.maximum(paper[ys, xs], 1)


def _touched(mask: np.ndarray, found: np.ndarray, thickness: float, horizontal: bool) -> np.ndarray:
    """The line pixels to keep: where the ink across the line is thicker than the line, something (a
    stroke crossing it, a digit resting on it) is merged with it, and cutting there would cut the digit.

    A little of the line either side goes too where ink lies right beside the line, so a curve that runs
    along it stays joined; not where there is none: a 1 standing on a rule would get a foot (read as a 3 or
    a 2, a 3 on a rule as a 2). And not a stretch that would join two pieces of ink: two digits whose feet
    rest on the same rule a few pixels apart would become one blob.
    """
    across = int(np.ceil(thickness)) + 3
    thick = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(
        cv2.MORPH_RECT, (1, across) if horizontal else (across, 1)))
    along = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * across + 1, 1) if horizontal else (1, 2 * across + 1))
    reach = cv2.getStructuringElement(cv2.MORPH_RECT, (1, 2 * across + 1) if horizontal else (2 * across + 1, 1))
    crossed = cv2.bitwise_and(thick, found)
    x, y, w, h = cv2.boundingRect(crossed)
    if w == 0:
        return crossed
    pad = 2 * across + 1  # the look reaches no further from what crosses a line
    near = (slice(max(0, y - pad), y + h + pad), slice(max(0, x - pad), x + w + pad))
    beside = cv2.dilate(cv2.subtract(mask[near], found[near]), reach)  # ink off the line, spread across it
    kept = crossed.copy()
    kept[near] |= cv2.bitwise_and(cv2.bitwise_and(cv2.dilate(crossed[near], along), found[near]), beside)
    _drop_bridges(kept, cv2.subtract(kept, crossed), cv2.bitwise_or(cv2.subtract(mask, found), crossed), near)
    return kept


def _drop_bridges(kept: np.ndarray, stretches: np.ndarray, ink: np.ndarray,
                  near: tuple[slice, slice]) -> None:
    """Clear from `kept` (in place) each piece of `stretches` that touches two or more pieces of `ink`; the
    stretches lie in `near`, a pixel or more inside its edges."""
    count, pieces = cv2.connectedComponents(stretches[near], connectivity=8)
    if count <= 1:
        return
    _, owners = cv2.connectedComponents(ink, connectivity=8)  # whole: a piece of ink may leave `near` and return
    reach = cv2.dilate(pieces.astype(np.uint16), None)  # a stretch's label on the pixels around it
    owners = owners[near]
    touching = (owners > 0) & (reach > 0)
    span = int(owners.max()) + 1
    pairs = np.unique(reach[touching].astype(np.int64) * span + owners[touching])  # each (stretch, owner) once
    bridges = np.flatnonzero(np.bincount(pairs // span, minlength=count) >= 2)
    if len(bridges):
        kept[near][np.isin(pieces, bridges)] = 0


def _long_blobs(quarter: np.ndarray, min_length: float) -> tuple[bool, bool]:
    """Whether any blob of the quarter-size mask is `min_length` wide, and whether any is that tall: else no
    line can be. (A quarter of the pixels, and a faint dashed line still shows: any ink marks its block; and
    blocks a block apart join, as a faint rule's dashes do once the chains bridge them at full size.)"""
    _, _, stats = blobs(cv2.dilate((quarter > 0).astype(np.uint8), None))
    sizes = stats[1:]
    return (bool((sizes[:, cv2.CC_STAT_WIDTH] >= min_length).any()),
            bool((sizes[:, cv2.CC_STAT_HEIGHT] >= min_length).any()))


def _more(quarter: np.ndarray, found: np.ndarray, min_length: float, horizontal: bool) -> bool:
    """Whether ink a line long that way is left in the quarter-size mask once the lines `found` (full size)
    are taken out: a dense grid has more lines than the chains caught, a cleanly ruled page none."""
    lines = cv2.resize(found, (quarter.shape[1], quarter.shape[0]), interpolation=cv2.INTER_AREA)
    rest = cv2.bitwise_and(quarter, cv2.compare(cv2.dilate(lines, None), 0, cv2.CMP_EQ))
    wide, tall = _long_blobs(rest, min_length / 4)
    return wide if horizontal else tall


def _merge(a: tuple[np.ndarray, float] | None, b: tuple[np.ndarray, float] | None) -> tuple[np.ndarray, float] | None:
    """The union of two finds of line pixels, each with its thickness."""
    if a is None or b is None:
        return a if b is None else b
    return cv2.bitwise_or(a[0], b[0]), max(a[1], b[1])


def _printed_lines(search: np.ndarray, quarter: np.ndarray, min_length: float, horizontal: bool,
                   known: np.ndarray | None, crossing: np.ndarray | None = None,
                   margin: float | None = None) -> tuple[np.ndarray, float] | None:
    """Lines of a ruled or squared page one by one: each is voted for at quarter size (dashes of a faint
    line still vote, and each line keeps its own slope under perspective), then put exactly in place and
    checked at full size: ink along most of it, little just beside it, and no long gap in its own ink (the
    `crossing` lines the other way, when found, are not its own). Only a page with several such lines
    counts; one line alone is left to the chains' tests, but for a `margin`: a line this long at least, as thin
    as print (FINE) and MARGIN times longer than thick (a margin in dashes on a page where no chain came
    through; a 1 is shorter, a pen stroke so long thicker).
    """
    tilt = np.deg2rad(TILT)
    ranges = [(np.pi / 2 - tilt, np.pi / 2 + tilt)] if horizontal else [(0.0, tilt), (np.pi - tilt, np.pi)]
    binary = (quarter > 40).astype(np.uint8)
    votes = max(4, int(VOTES * min_length / 4))
    if known is not None:  # lines the chains found already need no second look
        seen = cv2.resize(known, (binary.shape[1], binary.shape[0]), interpolation=cv2.INTER_AREA)
        binary[cv2.dilate(seen, None) > 0] = 0
    candidates = []
    for low, high in ranges:
        found = cv2.HoughLinesWithAccumulator(binary, 1, np.pi / 360, votes, min_theta=low, max_theta=high)
        if found is not None:
            candidates.extend(found[:, 0].tolist())
    kept: list[tuple[float, float]] = []
    for rho, theta, _ in sorted(candidates, key=lambda c: -c[2]):
        if all(abs(rho - r) > 2 or abs(theta - t) > np.deg2rad(2) for r, t in kept):
            kept.append((rho, theta))
        if len(kept) == MOST:
            break
    if not kept or (len(kept) < RULED and known is None and margin is None):
        return None
    out = np.zeros_like(search)
    # Where the other way's lines cross it is no sign of a line: 1s written one under another on a ruled page
    # are two stretches of ink with rules between them.
    alone = search if crossing is None else cv2.subtract(search, cv2.dilate(crossing, None))
    placed = _distinct([line for line in (_place(search, rho, theta, min_length, horizontal, alone)
                                          for rho, theta in kept) if line is not None])
    if margin is not None:
        # one margin: more lines are a page's print the chains missed, for them to find
        if len(placed) != 1 or not _thin_and_long(search, *placed[0], horizontal, margin):
            return None
    elif len(placed) < (1 if known is not None else RULED):
        return None
    for along, across in placed:
        ys, xs = (across, along) if horizontal else (along, across)
        for d in range(-HALF, HALF + 1):
            y, x = (ys + d, xs) if horizontal else (ys, xs + d)
            inside = (y >= 0) & (y < search.shape[0]) & (x >= 0) & (x < search.shape[1])
            out[y[inside], x[inside]] = search[y[inside], x[inside]]
    return out, float(2 * HALF - 1)


def _thin_and_long(search: np.ndarray, along: np.ndarray, across: np.ndarray, horizontal: bool,
                   least: float) -> bool:
    """Whether a placed line is a margin: `least` long at least, its ink as thin as print (FINE, the median
    count of ink pixels across it where it has any) and MARGIN times longer than thick."""
    counts = _inked(search, along, across, np.arange(-HALF - 1, HALF + 2), horizontal).sum(axis=1)
    thickness = float(np.median(counts[counts > 0])) if counts.any() else 0.0
    return 0 < thickness <= FINE and _margin_long(len(along), thickness, least)


def _margin_long(length: float, thickness: float, least: float) -> bool:
    """Whether an upright line is long enough for a margin: `least` at least, and MARGIN times its thickness."""
    return length >= least and length >= MARGIN * thickness


def _distinct(placed: list[tuple[np.ndarray, np.ndarray]]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The placed lines less those lying on one before them (`_same_line`): one line's Hough votes at quarter
    size come in several, a degree or a few pixels apart, and an upright one's either side of the angle's wrap
    too; counted as lines, a margin and a 1 beside it would make a ruled page."""
    kept: list[tuple[np.ndarray, np.ndarray]] = []
    for along, across in placed:
        if not any(_same_line(along, across, *other) for other in kept):
            kept.append((along, across))
    return kept


def _same_line(along: np.ndarray, across: np.ndarray, other_along: np.ndarray, other_across: np.ndarray) -> bool:
    """Whether two placed lines lie within 2 HALF px of each other across, in the median where both run."""
    _, mine, theirs = np.intersect1d(along, other_along, assume_unique=True, return_indices=True)
    return len(mine) > 0 and float(np.median(np.abs(across[mine] - other_across[theirs]))) <= 2 * HALF


def _place(search: np.ndarray, rho: float, theta: float, min_length: float, horizontal: bool,
           alone: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """A quarter-size Hough line fitted to the full-size ink: (positions along, positions across) of its
    pixels, or None when the ink does not make a thin line there. `alone` is `search` without the lines
    crossing it, where its gaps are measured."""
    height, width = search.shape
    rho = 4 * rho + 1.5 * (np.cos(theta) + np.sin(theta))  # quarter pixel i spans full pixels 4i..4i+3
    along = np.arange(0, width if horizontal else height, 4)
    if horizontal:
        guess = (rho - along * np.cos(theta)) / np.sin(theta)
    else:
        guess = (rho - along * np.sin(theta)) / np.cos(theta)
    ink = _inked(search, along, np.round(guess).astype(int), OFFSETS, horizontal)
    hit = ink.any(axis=1)
    ends = np.flatnonzero(hit)
    if len(ends) < COVERED * min_length / 4 or _fraction(hit[ends[0]:ends[-1] + 1]) < COVERED:
        return None  # too little ink near it, or only here and there (strokes it happens to cross)
    # each sample's ink nearest the guess; a straight fit through them, outliers (strokes) dropped once
    nearest = OFFSETS[np.argmin(np.where(ink, np.abs(OFFSETS)[None, :], 99), axis=1)]
    t, o = along[hit].astype(float), nearest[hit].astype(float)
    slope, offset = _fit(t, o)
    good = np.abs(slope * t + offset - o) <= 2
    if np.count_nonzero(good) < 2:
        return None
    slope, offset = _fit(t[good], o[good])
    line = np.round(guess + (slope * along + offset)).astype(int)
    near = _inked(search, along, line, ON_AND_BESIDE, horizontal)
    on, beside = near[:, :len(ON)].any(axis=1), near[:, len(ON):].any(axis=1)
    span = np.flatnonzero(on)
    if len(span) == 0:
        return None
    first, last = span[0], span[-1]
    length = (along[last] - along[first]) + 1
    covered = _fraction(on[first:last + 1])
    if length < min_length or covered < COVERED or _fraction(beside[first:last + 1]) > 0.3 * covered:
        return None
    own = _inked(alone, along, line, ON, horizontal).any(axis=1)[first:last + 1]
    if _longest_gap(own) > GAP * len(own):
        return None  # ink in a few long stretches: strokes in line (1s written one under another), not print
    full = np.arange(along[first], along[last] + 1)
    if horizontal:
        guess_full = (rho - full * np.cos(theta)) / np.sin(theta)
    else:
        guess_full = (rho - full * np.sin(theta)) / np.cos(theta)
    return full, np.round(guess_full + (slope * full + offset)).astype(int)


def _inked(search: np.ndarray, along: np.ndarray, line: np.ndarray, offsets: np.ndarray,
           horizontal: bool) -> np.ndarray:
    """(positions, offsets) bool: whether the mask has ink at each offset across the line (off the frame:
    none), in one gather."""
    limit = search.shape[0] if horizontal else search.shape[1]
    across = line[:, None] + offsets[None, :]
    index = np.minimum(np.maximum(across, 0), limit - 1)  # np.clip costs more than the gather
    values = search[index, along[:, None]] if horizontal else search[along[:, None], index]
    return (values > 0) & (across >= 0) & (across < limit)


def _fraction(flags: np.ndarray) -> float:
    """The share of True in a non-empty bool array (as its mean, without the mean's overhead)."""
    return np.count_nonzero(flags) / len(flags)


def _longest_gap(on: np.ndarray) -> int:
    """The longest run of False in a bool array."""
    edges = np.flatnonzero(np.diff(np.concatenate(([1], on.astype(np.int8), [1]))))
    return int((edges[1::2] - edges[0::2]).max(initial=0))


def _fit(t: np.ndarray, o: np.ndarray) -> tuple[float, float]:
    """Least-squares straight line o = a t + b, as (a, b)."""
    n = len(t)
    tm, om = float(t.sum()) / n, float(o.sum()) / n
    dt = t - tm
    spread = float((dt ** 2).sum())
    slope = float((dt * (o - om)).sum()) / spread if spread > 0 else 0.0
    return slope, om - slope * tm


def _dominant_slope(quarter: np.ndarray, votes: float, horizontal: bool) -> float | None:
    """Slope (dy/dx for level lines, dx/dy for upright ones) of the strongest line near that direction."""
    tilt = np.deg2rad(TILT)
    ranges = [(np.pi / 2 - tilt, np.pi / 2 + tilt)] if horizontal else [(0.0, tilt), (np.pi - tilt, np.pi)]
    best = None
    for low, high in ranges:
        found = cv2.HoughLinesWithAccumulator(quarter, 1, np.pi / 180, max(4, int(votes)),
                                              min_theta=low, max_theta=high)
        if found is not None and (best is None or found[0, 0, 2] > best[2]):
            best = found[0, 0]
    if best is None:
        return None
    theta = float(best[1])
    return float(np.tan(theta - np.pi / 2)) if horizontal else float(-np.tan(theta))


def _line_pixels(mask: np.ndarray, run: int, min_length: float, horizontal: bool,
                 slope: float, lone_length: float, broken: int = BROKEN) -> tuple[np.ndarray, float, int] | None:
    """Pixels of the long straight chains in one direction, their thickness and how many long chains there
    were; None when there are none. A chain alone (no ruled page) must be `lone_length` long at least, and
    `broken` pieces as thin as print, none a chain, are a grid's lines."""
    height, width = mask.shape
    shear, size = _shear(slope, width, height, horizontal)
    # Runs survive a slight tilt (a 2-pixel line drifts a pixel in 20): shear only when the tilt is larger.
    level = mask if abs(slope) < LEVEL else cv2.warpAffine(mask, shear, size, flags=cv2.INTER_NEAREST)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1) if horizontal else (1, run))
    gap = cv2.getStructuringElement(cv2.MORPH_RECT, (run // 2, 1) if horizontal else (1, run // 2))
    bridged = cv2.morphologyEx(level, cv2.MORPH_CLOSE, gap)  # a faint printed line thresholds into dashes
    straight = cv2.morphologyEx(bridged, cv2.MORPH_OPEN, kernel)
    contours, hierarchy = cv2.findContours(straight, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    max_thickness = max(3.0, THIN * height)
    chains, pieces, thick, dashes = [], [], [], []  # (contour, box, thickness) but dashes: contours
    for contour, parent in zip(contours, hierarchy[0, :, 3] if contours else []):
        rect = cv2.boundingRect(contour)
        length = rect[2] if horizontal else rect[3]
        if parent >= 0:
            continue
        thickness = _thickness(straight, rect, length)
        if length < PIECE * min_length:
            if thickness <= max_thickness:
                dashes.append(contour)
            continue
        if thickness > max_thickness:
            if thickness <= BLURRED * max_thickness and length >= min_length:
                thick.append((contour, rect, thickness))
            continue
        (chains if length >= min_length else pieces).append((contour, rect, thickness))
    if chains:  # blur thickens a page's lines alike: far thicker than those that came through thin is a marker
        thin = float(np.median([t for *_, t in chains]))  # stroke along them
        thick = [chain for chain in thick if chain[2] <= BLUR_SPREAD * thin]
    if len(chains) + len(thick) >= (RULED if chains else BLURRED_RULED):
        chains += thick  # a blurred or shaken photo of a ruled page: its lines are thick, but many and parallel
    if len(chains) < RULED and len(pieces) >= broken:
        # A dense grid in faint print: every line broken, none whole. Its pieces are as thin as print; noise
        # strung into runs at a low bar is thicker, and so is a marker's straight 1 among a grid's pieces.
        most = float(np.median([t for *_, t in pieces]))
        if most <= FINE:
            chains += [piece for piece in pieces if piece[2] <= PRINT * most]
            pieces = []
    # Two level chains as thin as print are rules too: a small sheet's, its others broken by faint print into
    # dashes (two upright ones are as likely a margin and a 1).
    ruled = len(chains) >= RULED or (horizontal and len(chains) >= 2 and max(t for *_, t in chains) <= FINE)
    lines = [(c, t) for c, rect, t in chains if ruled
             or ((rect[2] if horizontal else rect[3]) >= lone_length
                 and (_lone_line(level, c, rect) if horizontal else _margin(rect, t, level.shape)))]
    if not lines:
        return None
    found = np.zeros_like(level)
    for contour, chain_thickness in lines:
        _extend(found, straight, contour, chain_thickness, horizontal)
    if ruled:  # on a ruled page, shorter thin straight pieces are lines broken by faint print too
        cv2.drawContours(found, [c for c, *_ in pieces] + _in_line(straight, dashes), -1, 255, thickness=cv2.FILLED)
    found = cv2.bitwise_and(found, level)
    thickness = max(t for _, t in lines)
    if abs(slope) < LEVEL:
        return found, thickness, len(chains)
    back = cv2.warpAffine(found, shear, (width, height), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
    return cv2.bitwise_and(cv2.dilate(back, None), mask), thickness, len(chains)  # sheared there and back


def _extend(found: np.ndarray, straight: np.ndarray, contour: np.ndarray, thickness: float,
            horizontal: bool) -> None:
    """Paint the line through a chain (`thickness` thick) across the whole canvas, a pixel thicker a side.

    A printed line thresholds into dashes; the pieces past the chain's ends lie on the same straight line.
    The line is fitted to the chain's middle at each position along it, leaving out the positions where a
    stroke merged into it pulls the middle aside (a 2's foot drawn along a rule): fitted to the chain's
    outline, such a stroke's many outline points outweigh the few of the straight line and tilt it off the
    rule, which then stays in the mask beyond the digit.
    """
    x, y, w, h = cv2.boundingRect(contour)
    chain = np.zeros((h, w), np.uint8)
    cv2.drawContours(chain, [contour], -1, 255, thickness=cv2.FILLED, offset=(-x, -y))
    ys, xs = np.nonzero(cv2.bitwise_and(chain, straight[y:y + h, x:x + w]))
    t, o = (xs, ys) if horizontal else (ys, xs)
    counts = np.bincount(t)
    along = np.flatnonzero(counts)
    middle = np.bincount(t, weights=o)[along] / counts[along]
    slope, offset = _fit(along, middle)
    for _ in range(2):  # a clean rule's middle is on the first fit; a merged stroke's is dropped
        good = np.abs(slope * along + offset - middle) <= 2
        if good.all() or np.count_nonzero(good) < 2:
            break
        slope, offset = _fit(along[good], middle[good])
    reach = found.shape[0] + found.shape[1]
    ends = [(t, slope * t + offset) for t in (-reach, reach)]  # (along, across) from the chain's box corner
    p0, p1 = ((round(x + a), round(y + b)) if horizontal else (round(x + b), round(y + a)) for a, b in ends)
    cv2.line(found, p0, p1, 255, thickness=max(3, int(np.ceil(thickness)) + 2))


def _in_line(straight: np.ndarray, dashes: list[np.ndarray]) -> list[np.ndarray]:
    """The short straight dashes that lie on a longer line: beyond each of its ends, for as far again as it
    is long, `straight` has ink along its axis most of the way. A faint grid line under perspective breaks
    into such dashes, each with its own slope; a 1's stroke ends in paper, or in a line crossing it."""
    if not dashes:
        return []
    near = cv2.dilate(straight, np.ones((3, 3), np.uint8))  # ink within a pixel of the axis counts
    height, width = straight.shape
    xs, ys, owners = [], [], []
    for k, contour in enumerate(dashes):
        vx, vy, x0, y0 = (float(v) for v in cv2.fitLine(contour, cv2.DIST_L2, 0, 0.01, 0.01).ravel())
        along = (contour[:, 0, 0] - x0) * vx + (contour[:, 0, 1] - y0) * vy
        low, high = float(along.min()), float(along.max())
        length = high - low
        ways = (np.arange(high + 2, high + 2 + length), np.arange(low - 2, low - 2 - length, -1))
        for side, ahead in enumerate(ways):
            xs.append(np.round(x0 + ahead * vx).astype(np.int64))
            ys.append(np.round(y0 + ahead * vy).astype(np.int64))
            owners.append(np.full(len(ahead), 2 * k + side))
    x, y, owner = np.concatenate(xs), np.concatenate(ys), np.concatenate(owners)
    on = (x >= 0) & (y >= 0) & (x < width) & (y < height)
    samples = np.bincount(owner, minlength=2 * len(dashes))
    seen = np.bincount(owner[on], minlength=2 * len(dashes))
    inked = np.bincount(owner[on], weights=near[y[on], x[on]] > 0, minlength=2 * len(dashes))
    checked = seen >= 0.5 * np.maximum(samples, 1)  # a way mostly off the frame: the other way decides
    passed = ~checked | (inked >= IN_LINE * np.maximum(seen, 1))
    keep = (passed[0::2] & passed[1::2]) & (checked[0::2] | checked[1::2])
    return [contour for contour, kept in zip(dashes, keep) if kept]


def _thickness(straight: np.ndarray, rect: tuple[int, int, int, int], length: int) -> float:
    """Mean thickness of the chain in `rect`: its pixels over its length."""
    x, y, w, h = rect
    return cv2.countNonZero(straight[y:y + h, x:x + w]) / float(max(length, 1))


def _shear(slope: float, width: int, height: int, horizontal: bool) -> tuple[np.ndarray, tuple[int, int]]:
    """Affine map that levels lines of `slope`, and the canvas size that holds the whole sheared frame."""
    if horizontal:
        offset = max(0.0, slope * (width - 1))
        return (np.array([[1.0, 0.0, 0.0], [-slope, 1.0, offset]]),
                (width, height + int(np.ceil(abs(slope) * width))))
    offset = max(0.0, slope * (height - 1))
    return np.array([[1.0, -slope, offset], [0.0, 1.0, 0.0]]), (width + int(np.ceil(abs(slope) * height)), height)


def _lone_line(level: np.ndarray, contour: np.ndarray, rect: tuple[int, int, int, int]) -> bool:
    """A single level chain is a line when it is far longer than the blob it belongs to is tall."""
    seed = (int(contour[0, 0, 0]), int(contour[0, 0, 1]))
    scratch = level.copy()
    _, _, _, (_, _, _, blob_height) = cv2.floodFill(scratch, None, seed, 128)
    return rect[2] >= FLAT * blob_height


def _margin(rect: tuple[int, int, int, int], thickness: float, shape: tuple[int, int]) -> bool:
    """A single upright chain (its box, its thickness) is a line when it reaches the top or bottom, or is
    long and very thin."""
    height = shape[0]
    x, y, w, h = rect
    if y <= BORDER * height or y + h >= (1 - BORDER) * height:
        return True
    return _margin_long(h, thickness, MARGIN_SHARE * height)
