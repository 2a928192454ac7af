"""A second look at the digits the network doubts: two touching digits taken for one, one wide digit cut in two.

Where digits touch, or a wide 0 or 7 has a thin waist, the pixels alone cannot say whether a blob is one digit
or two. The network can: it is sure of a real digit and doubtful of a pair squeezed into one crop or of half
a digit. So a doubtful box at least as wide as a digit pair could be (of one or two digits), or far wider
than the frame's other digits (of three or more: a 1 fused to its neighbour; a wide 4 is no pair), or any but
the narrowest that the network takes for no one digit (a model's `none` output, which the classifier leaves
out: such a crop's probabilities sum to less than a half), is read again as two parts (cut near its middle,
or further out where a thin 1 would meet its neighbour; each part as tall as a digit of the frame's can be),
two touching boxes either of which is doubtful (side by side, or one just over the other: a flat-topped 3's
bar and bowl), or two that overlap much (a 5's flag found apart), are read again as one (and a pair so joined
with a third piece it overlaps: a big 0 found in three arcs); the other reading wins where the network is sure
of every digit of it (for a mark that is no one digit, failing the first two cuts, one at any column few
strokes cross whose parts both read fairly surely: digits leaning into each other). A doubtful digit is also
read together with each loose piece of ink right beside it that no digit took (a 5's flag written apart, a 4's
arm): the thresholds cannot tell such a piece from dirt, the network can. All the second crops go through the
network in one batch (a third piece's, rare, in another).
And a frame whose marks the network mostly doubts holds no writing at all (`is_writing`), nor does a doubted
mark standing apart from all the others (`doubted_strays`); marks found only by looking harder are writing
only in the rows (or the column) of them the network is sure of (`sure_rows`), the marks it doubts left out
when two digits at least are left (`harder_writing`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from edge.order import reading_rows
from edge.regions import (ROW_LEAST, Box, halves, in_column, isolation, other_halves, overlaps, row_mates,
                          row_sizes)

DOUBT = 0.9     # a box read with less confidence than this gets a second look ...
SURE = 0.97     # ... and its other reading wins only when every digit of it is this sure
STEP = 0.005    # an int8 network's probabilities come in steps of 1/256 and stop at 255/256: a reading one step
                # under another is as sure (a wide 2's whole at 254/256 against its long base's 255)
NOT_ONE = 0.5   # a box whose digit probabilities sum to less than this is no one digit (a pair, to the
                # network's none output) ...
PAIR_NARROW = 0.5  # ... and is cut when at least this wide for its height (two touching 1s) ...
OTHER_CUTS = 16    # ... or, failing that, at one of this many other columns where few strokes cross ...
OTHER_SURE = 0.9   # ... where every part reads this surely
PART_OF_USUAL = 0.6  # a cut's parts are each this share of the frame's median digit height at least (of three
                     # digits or more): a crossed 7's halves, read surely as a 1 and a 2, are half as tall
WIDE = 0.9      # a box at least this wide for its height may be two digits ...
NARROW = 0.7    # ... or, among three digits or more, one at least this wide that is PAIR times as wide as
PAIR = 1.5      #     their median: a 1 fused to its neighbour adds little width, and a 4 as wide as it is
                #     tall among digits as wide is one digit (cut, it read surely as a 6 and a 1)
OVERLAP = 0.2   # boxes sharing this much of the smaller one's area are looked at as one, however sure
STACKED_GAP = 0.1  # a doubtful box this close (x the taller's height) over or under another is looked at as one
BESIDE = 0.3    # a loose piece this close (x the digit's height) may be part of a doubtful digit ...
TALLER = 1.3    # ... when the two together are at most this many times the digit's height (or the frame's
                #     median digit's, if taller: a 5's body is two thirds of the 5) ...
WIDER = 2.0     # ... and at most this many times as wide as they are tall; it may make the network only surer
STOUT = 0.2     # ... of the same digit when it is this share of the two's height thick and long at least
WRITING = 0.75  # marks whose median confidence is below this are no writing at all (texture, noise, grain) ...
SURE_SHARE = 0.34  # ... nor are marks of which no more than a third are read surely (DOUBT or more)
APART = 2.0     # a doubted mark this many median digit heights from every other is no part of the writing
                # (a number's next line lies up to two heights under its first: at 1.5 its digits were dropped)
ALONE = 0.99    # a harder look's only mark is writing when read this surely (and not as a 1)
JOINS_ROW = 0.5  # a harder look's doubted mark in a row of its sure ones is read with them from this on
COLUMN = 4.0    # a harder look's sure marks one under another are a list when this many heights apart at most
                # (a line or two of a ruled page skipped between them)


def second_look(mask: np.ndarray, boxes: list[Box], probabilities: np.ndarray,
                classify: Callable[[list[Box]], np.ndarray], loose: Sequence[Box] = ()) -> tuple[list[Box], np.ndarray]:
    """`boxes` (in `mask`'s pixels) and their (N, 10) `probabilities`, with doubtful ones split, joined or
    joined with `loose` pieces where the network is sure of the other reading; `classify` gives the
    probabilities of boxes' crops."""
    confidence = probabilities.max(axis=1) if len(boxes) else np.zeros(0)
    usual = float(np.median([box[2] for box in boxes])) if len(boxes) >= 3 else None
    not_one = no_one_digit(probabilities) if len(boxes) else np.zeros(0, bool)
    splits = {i: halves(mask, box) for i, box in enumerate(boxes) if confidence[i] < DOUBT
              and ((box[2] >= WIDE * box[3] if usual is None else box[2] >= max(NARROW * box[3], PAIR * usual))
                   or (not_one[i] and box[2] >= PAIR_NARROW * box[3]))}
    typical = float(np.median([box[3] for box in boxes])) if boxes else 0.0
    least = PART_OF_USUAL * typical if len(boxes) >= 3 else 0.0
    splits = {i: _tall(ways, least) for i, ways in splits.items() if ways}
    overlapping = _pairs(boxes, _overlap)
    # Side by side and touching, even both sure: a wide digit (a sprawling 2, a slanted 4), which detection cut
    # as a blob too wide for one digit (`DetectParams.split_width`), reads as two digits, each surely; the
    # whole, surer still, is one.
    pairs = _pairs(boxes, _touch) + [(i, j) for i, j in _pairs(boxes, _stack)
                                     if min(confidence[i], confidence[j]) < DOUBT]
    # Boxes sharing much of their area are one digit's pieces more likely than two digits, even when one of them
    # is wide enough to cut (a big 9's loop found apart from its tail): joined if no cut wins.
    joins = {(i, j): _union(boxes[i], boxes[j]) for i, j in dict.fromkeys(pairs + overlapping)
             if not {i, j} & splits.keys() or (i, j) in overlapping}
    busy = splits.keys() | {k for pair in joins for k in pair}
    grown = {i: _with_pieces(boxes, i, loose, typical) for i in range(len(boxes))
             if confidence[i] < DOUBT and i not in busy}
    grown = {i: unions for i, unions in grown.items() if unions}
    asked = ([part for ways in splits.values() for way in ways for part in way] + list(joins.values())
             + [union for unions in grown.values() for union, _ in unions])
    if not asked:
        return boxes, probabilities
    answers = iter(classify(asked))
    out: dict[int, list[tuple[Box, np.ndarray]]] = {i: [pair] for i, pair in enumerate(zip(boxes, probabilities))}
    for i, ways in splits.items():
        cut = _best_cut(ways, answers, SURE) if ways else []
        if cut:
            out[i] = cut
    joined: set[int] = set()
    for (i, j), union in joins.items():
        read = next(answers)
        # Two digits written into each other read as one as surely, at the network's ceiling, as each part: two
        # sure marks side by side (not one over the other's box) are one only when the whole reads surer still.
        side_by_side = min(confidence[i], confidence[j]) >= DOUBT and (i, j) not in overlapping
        if (_surer(read, confidence[i], confidence[j]) and not joined & {i, j}
                and not (side_by_side and float(read.max()) <= min(confidence[i], confidence[j]))
                and len(out[i]) == len(out[j]) == 1):  # neither cut in two
            out[i] = [(union, read)]
            del out[j]
            joined |= {i, j}
    # A digit the threshold broke in three (a big 0's arcs): a pair joined may still overlap the third piece,
    # read surely on its own (a 0's right arc as a 1). Joined too where the three read surer still, and as one
    # digit's box (no wider than tall: two digits side by side are).
    thirds = {i: (k, whole) for i in sorted(joined & out.keys()) for k in sorted(out.keys() - joined)
              if len(out[k]) == 1 and _overlap(out[i][0][0], boxes[k])
              and (whole := _union(out[i][0][0], boxes[k]))[2] <= whole[3]}
    if thirds:
        for (i, (k, whole)), read in zip(thirds.items(), classify([whole for _, whole in thirds.values()])):
            if k in out and _surer(read, float(out[i][0][1].max()), confidence[k]):
                out[i] = [(whole, read)]
                del out[k]
    claimed: list[Box] = []
    for i, unions in grown.items():
        reads = [next(answers) for _ in unions]
        best = int(np.argmax([float(p.max()) for p in reads]))
        union, stout = unions[best]
        # Only a different digit, or a stout piece: a thin one that merely makes the network surer of the same
        # digit (a grid line's stub under a 1) would add nothing but a wrong box and false sureness; a marker's
        # flag written apart is half the 5's width. And a piece joins one digit.
        if (i in out and float(reads[best].max()) >= SURE
                and (stout or int(reads[best].argmax()) != int(probabilities[i].argmax()))
                and not any(overlaps(union, other) for other in claimed)):
            out[i] = [(union, reads[best])]
            claimed.append(union)
    # A mark that is no one digit and that neither cut parted is cut elsewhere too (read in a call of its own,
    # so the usual frame pays nothing for it), where both parts read fairly surely: digits leaning into each
    # other touch where no upright cut parts them cleanly, and each part keeps a sliver of the other.
    others = {i: ways for i in splits if not_one[i] and i not in joined and len(out.get(i, ())) == 1
              and (ways := _tall(other_halves(mask, boxes[i], OTHER_CUTS), least))}
    if others:
        answers = iter(classify([part for ways in others.values() for way in ways for part in way]))
        for i, ways in others.items():
            cut = _best_cut(ways, answers, OTHER_SURE)
            if cut:
                out[i] = cut
    kept = [pair for i in sorted(out) for pair in out[i]]
    return [box for box, _ in kept], np.array([p for _, p in kept]).reshape(-1, probabilities.shape[1])


def _surer(read: np.ndarray, *than: float) -> bool:
    """Whether a second crop's reading is sure (SURE) and no less sure than every one of `than` (the pieces it
    would replace), but for an int8 output's STEP."""
    return float(read.max()) >= max(SURE, max(than) - STEP)


def no_one_digit(probabilities: np.ndarray) -> np.ndarray:
    """Per mark (bool): whether the network takes it for no one digit, its ten digits' probabilities summing to
    under NOT_ONE (the rest went to a model's `none` output: digits run together)."""
    return probabilities.sum(axis=1) < NOT_ONE


def is_writing(probabilities: np.ndarray, boxes: list[Box] | None = None) -> bool:
    """Whether a frame's marks are writing: the network reads most of them surely. The flecks of a stone
    desk, noise and a blank sheet's grain that pass every pixel test still fit no digit well; of the digits
    on a sheet, hardly one in fifty is read with less than 0.9. A few flecks fit some digit fairly well
    (0.7 to 0.9) and lift the median; but then few are read surely, and of a sheet's digits hardly any
    sheet has fewer than half. Unless every mark stands in a row of `boxes` of its height (ROW_LEAST at
    least) and is read as some digit at WRITING at least, or the row's median is and one of them surely
    (SURE): flecks seldom stand so, a number's digits do, and of three faint or odd ones the network may be
    sure of one only."""
    if len(probabilities) == 0:
        return True
    confidence = probabilities.max(axis=1)
    median = float(np.median(confidence))
    if median >= WRITING and float(np.mean(confidence >= DOUBT)) >= SURE_SHARE:
        return True
    fits = float(confidence.min()) >= WRITING or (median >= WRITING and float(confidence.max()) >= SURE)
    return (boxes is not None and len(boxes) >= ROW_LEAST and fits
            and int(row_sizes(boxes).min()) >= ROW_LEAST)


def sure_rows(rows: list[list[int]], probabilities: np.ndarray, boxes: list[Box] | None = None) -> list[int]:
    """Which marks found only by looking harder (`DetectParams.harder_look`) are writing: all of them when the
    network reads every one surely, two at least side by side or each in another's columns a line or a few
    above or below (`boxes`, when given: a list of numbers written one under another), or one alone, read
    surer still (ALONE), and not all as 1s; else those of the rows of writing (ROW_LEAST at least) that it
    reads surely, every one, and half at most as 1s.
    At lower bars a blank page, noise or a desk gives specks the network doubts, and a streaked desk slivers
    it reads surely as 1s; beside a faint sheet, a desk's flecks come through too, but seldom three in a row
    that the network is sure of."""
    if len(probabilities) == 0:
        return []
    sure = probabilities.max(axis=1) >= SURE
    ones = probabilities.argmax(axis=1) == 1
    alone = len(probabilities) == 1 and float(probabilities.max()) >= ALONE
    together = any(len(row) >= 2 for row in rows) or (boxes is not None and bool(in_column(boxes, COLUMN).all()))
    if sure.all() and not ones.all() and (alone or together):
        return list(range(len(probabilities)))
    return sorted(i for row in rows if len(row) >= ROW_LEAST and sure[row].all()
                  and not mostly_ones(probabilities[row]) for i in row)


def mostly_ones(probabilities: np.ndarray) -> bool:
    """Whether more than half of these marks are read as 1s: a streaked desk's slivers, or a rule's dashes."""
    return float(np.mean(probabilities.argmax(axis=1) == 1)) > 0.5


def harder_writing(boxes: list[Box], rows: list[list[int]], probabilities: np.ndarray) -> list[int]:
    """Which marks of a harder look (`boxes`, in reading `rows`) are writing: `sure_rows` of all of them;
    failing that, `sure_rows` of those the network reads surely (SURE), when two at least are left, and with
    them the doubted marks standing in their rows of like boxes that it reads as some digit (JOINS_ROW). The
    lower bars let a faint sheet's noise through in specks beside its digits, and the network doubts them: a
    speck must not outvote the sure pair beside it, nor a digit that noise has blurred sink the sure ones
    around it. But a speck is seldom as tall as the digits and level with them, while a faint digit at a
    row's end, or one touching the sheet's edge, is, and is then read with its row.
    A lone sure mark among rejected specks is as likely a desk's fleck that happens to fit a digit, so it
    stays out."""
    writing = sure_rows(rows, probabilities, boxes)
    digits = np.flatnonzero(probabilities.max(axis=1) >= SURE)
    if writing or len(digits) < 2 or len(digits) == len(boxes):
        return writing
    sure = [boxes[i] for i in digits]
    kept = [int(digits[i]) for i in sure_rows(reading_rows(sure), probabilities[digits], sure)]
    if not kept:
        return []
    mates = row_mates(boxes)[:, kept].any(axis=1) & (probabilities.max(axis=1) >= JOINS_ROW)
    return sorted(set(kept) | {int(i) for i in np.flatnonzero(mates)})


def doubted_strays(boxes: list[Box], probabilities: np.ndarray) -> list[int]:
    """Which marks stand apart from every other (APART median digit heights or more) and are doubted: the
    network reads every such mark written on purpose surely; a desk's fleck or the sheet's corner beside the
    page's writing it fits only fairly, even beside a single digit (a lone mark has nothing to stand apart
    from)."""
    doubted = probabilities.max(axis=1) < DOUBT if len(boxes) >= 2 else np.zeros(0, bool)
    if not doubted.any():
        return []
    alone = isolation(boxes) >= APART * float(np.median([box[3] for box in boxes]))
    return [int(i) for i in np.flatnonzero(alone & doubted)]


def surest(readings: list[list[np.ndarray]], bar: float) -> int | None:
    """Of ways to cut a box (each way's parts' `readings`), the one whose less sure part is surest (the first
    of equally sure ways), if at least `bar` sure; else None."""
    sureness = [min(float(p.max()) for p in parts) for parts in readings]
    best = int(np.argmax(sureness))
    return best if sureness[best] >= bar else None


def _best_cut(ways: list[tuple[Box, Box]], answers: Iterator[np.ndarray], bar: float) -> list[tuple[Box, np.ndarray]]:
    """The `surest` of `ways` (their parts' readings next in `answers`): its parts with their readings; else
    none."""
    readings = [[next(answers) for _ in way] for way in ways]
    best = surest(readings, bar)
    return [] if best is None else list(zip(ways[best], readings[best]))


def _tall(ways: list[tuple[Box, Box]], least: float) -> list[tuple[Box, Box]]:
    """The ways whose parts are each `least` tall at least."""
    return [way for way in ways if min(part[3] for part in way) >= least]


def _with_pieces(boxes: list[Box], i: int, loose: Sequence[Box], typical: float) -> list[tuple[Box, bool]]:
    """Box `i` joined with each loose piece beside it, where the two together are still one digit's size
    (`typical` is the frame's median digit height) and reach into no other box; and whether the piece is a
    stroke of the whole's, STOUT in both directions (not a stub of a line)."""
    x, y, w, h = boxes[i]
    unions = []
    for px, py, pw, ph in loose:
        gap = max(px - (x + w), x - (px + pw), py - (y + h), y - (py + ph), 0)
        union = _union(boxes[i], (px, py, pw, ph))
        if (gap <= BESIDE * h and union[3] <= TALLER * max(h, typical) and union[2] <= WIDER * union[3]
                and not any(overlaps(union, other) for j, other in enumerate(boxes) if j != i)):
            unions.append((union, min(pw, ph) >= STOUT * union[3]))
    return unions


def _pairs(boxes: list[Box], test: Callable[[Box, Box], bool]) -> list[tuple[int, int]]:
    """The pairs (i, j), i < j, of boxes that pass `test`."""
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes) if i < j and test(a, b)]


def _touch(a: Box, b: Box) -> bool:
    """Side by side in one row, touching or overlapping: the parts of a blob cut apart."""
    (x, y, w, h), (ox, oy, ow, oh) = a, b
    return min(y + h, oy + oh) - max(y, oy) >= 0.5 * min(h, oh) and ox <= x + w + 1 and x <= ox + ow + 1


def _stack(a: Box, b: Box) -> bool:
    """One over the other, sharing half the narrower one's columns, STACKED_GAP of the taller one's height
    apart at most: a tall digit's top and bottom found apart (a flat-topped 3's bar and bowl); the rows of a
    number lie further apart."""
    (x, y, w, h), (ox, oy, ow, oh) = a, b
    return (min(x + w, ox + ow) - max(x, ox) >= 0.5 * min(w, ow)
            and max(oy - (y + h), y - (oy + oh)) <= STACKED_GAP * max(h, oh))


def _overlap(a: Box, b: Box) -> bool:
    """Sharing much of the smaller one: a digit's stroke found apart (a 5's flag), sure or not, for digits
    side by side keep to their own boxes."""
    (x, y, w, h), (ox, oy, ow, oh) = a, b
    shared = max(0, min(x + w, ox + ow) - max(x, ox)) * max(0, min(y + h, oy + oh) - max(y, oy))
    return shared >= OVERLAP * min(w * h, ow * oh)


def _union(a: Box, b: Box) -> Box:
    x, y = min(a[0], b[0]), min(a[1], b[1])
    return x, y, max(a[0] + a[2], b[0] + b[2]) - x, max(a[1] + a[3], b[1] + b[3]) - y
