"""edge.second_look: a doubtful box is read again as two, two doubtful touching boxes as one; the network's
sure reading wins, and sure boxes are never looked at again."""
from __future__ import annotations

import cv2
import numpy as np

from edge.order import reading_rows
from edge.second_look import harder_writing, is_writing, second_look, sure_rows


def one_hot(digit: int, confidence: float) -> np.ndarray:
    p = np.full(10, (1.0 - confidence) / 9, np.float32)
    p[digit] = confidence
    return p


def pair() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A 3 and a 5 whose strokes touch: one blob."""
    mask = np.zeros((200, 300), np.uint8)
    cv2.putText(mask, "35", (60, 140), cv2.FONT_HERSHEY_SIMPLEX, 3.0, 255, 9)
    return mask, cv2.boundingRect(mask)


class Network:
    """Sure of a box about one digit wide (a 3 left of x=100, else a 5), doubtful of anything wider."""

    def __init__(self) -> None:
        self.asked: list[list[tuple[int, int, int, int]]] = []

    def __call__(self, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
        self.asked.append(list(boxes))
        return np.array([one_hot(3 if x < 100 else 5, 0.99 if w < 80 else 0.5) for x, y, w, h in boxes])


def test_a_doubtful_blob_two_digits_wide_is_read_as_the_two_the_network_is_sure_of():
    mask, box = pair()
    network = Network()
    boxes, probabilities = second_look(mask, [box], np.array([one_hot(8, 0.6)]), network)
    assert len(boxes) == 2 and boxes[0][0] < boxes[1][0]
    assert [int(p.argmax()) for p in probabilities] == [3, 5]
    assert boxes[0][0] == box[0] and boxes[1][0] + boxes[1][2] == box[0] + box[2]


def test_a_sure_box_is_not_looked_at_again_and_doubtful_halves_change_nothing():
    mask, box = pair()
    network = Network()
    sure = np.array([one_hot(8, 0.95)])
    assert second_look(mask, [box], sure, network) == ([box], sure)
    assert network.asked == []
    unsure = np.array([one_hot(8, 0.6)])
    boxes, probabilities = second_look(mask, [box], unsure, lambda b: np.array([one_hot(1, 0.6)] * len(b)))
    assert boxes == [box] and np.array_equal(probabilities, unsure)


def narrow_pair() -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A 1 and a 4 written tight, their strokes touching: one blob narrower than tall."""
    mask = np.zeros((200, 300), np.uint8)
    cv2.line(mask, (70, 40), (70, 160), 255, 9)
    cv2.line(mask, (74, 110), (125, 110), 255, 9)
    cv2.line(mask, (110, 40), (110, 160), 255, 9)
    x, y, w, h = cv2.boundingRect(mask)
    assert w < 0.7 * h
    return mask, (x, y, w, h)


def test_a_narrow_mark_the_network_takes_for_no_one_digit_is_cut_where_it_is_sure_of_each_part():
    """Two digits written tight are narrower than a pair usually is; the network's none output says to cut.
    But a cut of a single digit the network took for a pair (a wide 0, a 6) gives parts it reads fairly, a
    sliver of a loop as a 1 at 0.8: only parts it is sure of win."""
    mask, box = narrow_pair()
    halves = lambda boxes: np.array([one_hot(1 if x < 75 else 4, 0.99) for x, y, w, h in boxes])  # noqa: E731
    none = np.array([one_hot(8, 0.4) * 0.4])  # the none output took 0.6 of it
    boxes, probabilities = second_look(mask, [box], none, halves)
    assert len(boxes) == 2 and [int(p.argmax()) for p in probabilities] == [1, 4]
    ten = np.array([one_hot(8, 0.6)])  # a ten-output network's doubt: a mark this narrow is one digit
    assert second_look(mask, [box], ten, halves) == ([box], ten)
    fair = lambda boxes: np.array([one_hot(1 if x < 75 else 4, 0.8) for x, y, w, h in boxes])  # noqa: E731
    assert second_look(mask, [box], none, fair)[0] == [box]  # likelier digits than none, but not sure: whole


def test_two_touching_doubtful_boxes_the_network_reads_surely_as_one_are_joined():
    mask = np.zeros((200, 300), np.uint8)
    cv2.putText(mask, "0", (60, 140), cv2.FONT_HERSHEY_SIMPLEX, 3.0, 255, 9)
    x, y, w, h = cv2.boundingRect(mask)
    left, right = (x, y, w // 2, h), (x + w // 2, y, w - w // 2, h)  # a wide 0 cut at its waist
    network = lambda boxes: np.array([one_hot(0, 0.99) for _ in boxes])  # noqa: E731
    doubtful = np.array([one_hot(1, 0.7), one_hot(1, 0.7)])
    boxes, probabilities = second_look(mask, [left, right], doubtful, network)
    assert boxes == [(x, y, w, h)] and int(probabilities[0].argmax()) == 0


def test_a_wide_digits_pieces_are_joined_when_the_whole_reads_one_int8_step_under_the_surer_piece():
    mask = np.zeros((200, 400), np.uint8)
    cv2.putText(mask, "2", (60, 140), cv2.FONT_HERSHEY_SIMPLEX, 3.0, 255, 9)
    x, y, w, h = cv2.boundingRect(mask)
    hook, base = (x, y, w // 2, h), (x + w // 2, y, w - w // 2, h)  # a wide 2 broken at its waist
    parts = np.array([one_hot(2, 224 / 256), one_hot(2, 255 / 256)])  # an int8 network's steps; 255 its most
    step_under = lambda b: np.array([one_hot(2, 254 / 256)] * len(b))  # noqa: E731
    boxes, probabilities = second_look(mask, [hook, base], parts, step_under)
    assert boxes == [(x, y, w, h)] and int(probabilities[0].argmax()) == 2
    less_sure = lambda b: np.array([one_hot(2, 251 / 256)] * len(b))  # noqa: E731
    assert second_look(mask, [hook, base], parts, less_sure)[0] == [hook, base]


def test_a_wide_digit_cut_into_two_sure_parts_is_joined_when_the_whole_reads_surer_than_the_less_sure():
    """A sprawling 2, wider than a blob of one digit may be, is cut in two at detection and each part read
    surely as a 2 (a slanted 4 as "41"): the whole, read surer than the less sure part, is one digit. Two
    digits written into each other, each read at the network's ceiling, stay two however surely the whole
    reads as one."""
    mask = np.zeros((200, 400), np.uint8)
    cv2.putText(mask, "2", (60, 140), cv2.FONT_HERSHEY_SIMPLEX, 3.0, 255, 9)
    x, y, w, h = cv2.boundingRect(mask)
    left, right = (x, y, w // 2, h), (x + w // 2, y, w - w // 2, h)
    whole = lambda b: np.array([one_hot(2, 255 / 256)] * len(b))  # noqa: E731
    parts = np.array([one_hot(2, 242 / 256), one_hot(2, 253 / 256)])  # both sure (over DOUBT)
    boxes, probabilities = second_look(mask, [left, right], parts, whole)
    assert boxes == [(x, y, w, h)] and int(probabilities[0].argmax()) == 2
    at_ceiling = np.array([one_hot(7, 255 / 256), one_hot(8, 255 / 256)])
    assert second_look(mask, [left, right], at_ceiling, whole)[0] == [left, right]


def test_a_sure_box_overlapping_another_is_joined_only_when_the_whole_reads_surer():
    mask = np.zeros((200, 300), np.uint8)
    cv2.putText(mask, "5", (60, 140), cv2.FONT_HERSHEY_SIMPLEX, 3.0, 255, 9)
    x, y, w, h = cv2.boundingRect(mask)
    flag, body = (x, y, w, h // 2), (x, y + h // 3, w, h - h // 3)  # a 5's flag found apart, overlapping
    parts = np.array([one_hot(7, 0.95), one_hot(2, 0.98)])
    boxes, probabilities = second_look(mask, [flag, body], parts, lambda b: np.array([one_hot(5, 0.999)] * len(b)))
    assert boxes == [(x, y, w, h)] and int(probabilities[0].argmax()) == 5
    unchanged = second_look(mask, [flag, body], parts, lambda b: np.array([one_hot(5, 0.97)] * len(b)))
    assert unchanged[0] == [flag, body]  # not surer than the body alone was


def test_a_doubtful_box_as_wide_as_tall_among_digits_as_wide_is_not_cut_but_alone_it_is():
    """A wide 4 cut down its middle reads surely as a 6 and a 1; beside digits as wide as itself it is no
    pair, for a pair is half again as wide as one of them. Alone, its width for its height is all there is."""
    mask = np.zeros((200, 600), np.uint8)
    digits = [(40, 50, 60, 64), (140, 50, 58, 64), (240, 50, 62, 64)]
    four = (340, 50, 62, 64)
    for x, y, w, h in [*digits, four]:
        cv2.rectangle(mask, (x, y), (x + w - 1, y + h - 1), 255, 4)

    def network(boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
        return np.array([one_hot(6, 0.99) if bw < 45 else one_hot(4, 0.6) for _, _, bw, _ in boxes])

    read = np.array([one_hot(0, 0.99)] * 3 + [one_hot(4, 0.6)])
    assert second_look(mask, [*digits, four], read, network)[0] == [*digits, four]
    assert len(second_look(mask, [four], read[3:], network)[0]) == 2


def test_a_cut_whose_parts_are_far_shorter_than_the_frames_digits_is_no_cut():
    """A wide, oddly drawn 7 cut in two reads surely as a 1 and a 2, but each part is half as tall as the
    1s beside it: no two digits of one row are."""
    mask = np.zeros((300, 400), np.uint8)
    ones = [(40, 60, 20, 160), (100, 70, 20, 150)]
    seven = (170, 80, 140, 150)
    cv2.line(mask, (180, 228), (240, 155), 255, 6)  # a stem leaning into ...
    cv2.line(mask, (240, 155), (305, 82), 255, 6)   # ... a stroke up to the right
    for x, y, w, h in ones:
        mask[y:y + h, x:x + w] = 255

    def network(boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
        return np.array([one_hot(1, 0.99) if bw < 0.8 * seven[2] else one_hot(7, 0.6) for _, _, bw, _ in boxes])

    read = np.array([one_hot(1, 0.99), one_hot(1, 0.99), one_hot(7, 0.6)])
    assert second_look(mask, [*ones, seven], read, network)[0] == [*ones, seven]
    assert len(second_look(mask, [seven], read[2:], network)[0]) == 2  # alone, nothing to measure against


def test_overlapping_pieces_that_are_no_one_digit_are_joined_once_and_not_cut_again():
    mask = np.zeros((300, 200), np.uint8)
    cv2.putText(mask, "9", (40, 240), cv2.FONT_HERSHEY_SIMPLEX, 7.0, 255, 6)
    x, y, w, h = cv2.boundingRect(mask)
    loop, tail = (x, y, w, h // 2), (x, y + h // 3, w, h - h // 3)
    asked: list[list[tuple[int, int, int, int]]] = []

    def reads(boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
        asked.append(list(boxes))
        return np.array([one_hot(9, 0.99) if bh > 0.8 * h else np.full(10, 0.03, np.float32) for *_, bh in boxes])

    none = np.full((2, 10), 0.03, np.float32)  # the network's none output took both pieces
    boxes, probabilities = second_look(mask, [loop, tail], none, reads)
    assert boxes == [(x, y, w, h)] and int(probabilities[0].argmax()) == 9
    assert len(asked) == 1  # the first cuts and the join in one batch; no other cuts of either piece


def test_a_doubtful_box_just_over_another_is_joined_with_it_when_the_whole_reads_surely():
    mask = np.zeros((300, 200), np.uint8)
    cv2.putText(mask, "3", (40, 240), cv2.FONT_HERSHEY_SIMPLEX, 7.0, 255, 6)
    x, y, w, h = cv2.boundingRect(mask)
    bar, bowl = (x, y, w, h // 3), (x, y + h // 3 + 8, w, h - h // 3 - 8)  # found apart, 8 px between them

    def network(boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
        return np.array([one_hot(3, 0.99) if bh > 0.8 * h else one_hot(7, 0.8) for *_, bh in boxes])

    doubtful = np.array([one_hot(7, 0.8), one_hot(2, 0.99)])
    boxes, probabilities = second_look(mask, [bar, bowl], doubtful, network)
    assert boxes == [(x, y, w, h)] and int(probabilities[0].argmax()) == 3
    apart = (x, y + h + 40, w, h)  # a digit of the next row, a row's gap under it: no part of it
    assert second_look(mask, [(x, y, w, h), apart], doubtful, network)[0] == [(x, y, w, h), apart]


def test_overlapping_pieces_are_joined_when_one_is_wide_enough_to_cut_but_no_cut_reads_surely():
    mask = np.zeros((300, 200), np.uint8)
    cv2.putText(mask, "9", (40, 240), cv2.FONT_HERSHEY_SIMPLEX, 7.0, 255, 6)
    x, y, w, h = cv2.boundingRect(mask)
    loop, tail = (x, y, w, h // 2), (x, y + h // 3, w, h - h // 3)  # a big 9's loop found apart from its tail
    assert loop[2] >= 0.9 * loop[3]  # wide enough to be cut as two digits

    def network(boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
        return np.array([one_hot(9, 0.99) if bh > 0.8 * h else one_hot(6, 0.9) for _, _, _, bh in boxes])

    doubtful = np.array([one_hot(0, 0.85), one_hot(3, 0.4)])
    boxes, probabilities = second_look(mask, [loop, tail], doubtful, network)
    assert boxes == [(x, y, w, h)] and int(probabilities[0].argmax()) == 9

    def cuts_surely(boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
        return np.array([one_hot(1, 0.99) if bw < 0.8 * w else one_hot(9, 0.99) for _, _, bw, _ in boxes])

    assert (x, y, w, h) not in second_look(mask, [loop, tail], doubtful, cuts_surely)[0]  # a sure cut wins


def test_a_mark_that_is_no_one_digit_is_cut_elsewhere_too_but_only_where_both_parts_read_surely():
    """Digits written leaning into each other touch where neither the middle nor the cheapest column cuts
    them apart (`--seed 7272 --kind sheets --touching`: "19", "89", "45" read as one unsure mark)."""
    mask = np.zeros((200, 300), np.uint8)
    cv2.ellipse(mask, (80, 100), (22, 40), 0, 0, 360, 255, 5)
    mask[60:140, 118:124] = 255
    mask[60:140, 150:156] = 255
    mask[134:140, 100:156] = 255
    box = cv2.boundingRect(mask)
    assert box == (55, 57, 101, 87)
    left = (55, 57, 62, 87)  # cut at none of `halves`' columns

    def network(sure: float):
        return lambda boxes: np.array([one_hot(0, sure) if b == left else one_hot(7, sure) if b[0] == 117
                                       else one_hot(4, 0.3) for b in boxes])

    no_digit = np.array([one_hot(8, 0.4) * 0.4])  # the none output took 0.6 of it: no one digit
    boxes, probabilities = second_look(mask, [box], no_digit, network(0.95))
    assert boxes == [left, (117, 60, 39, 80)] and [int(p.argmax()) for p in probabilities] == [0, 7]
    assert second_look(mask, [box], no_digit, network(0.8))[0] == [box]  # not surely enough
    assert second_look(mask, [box], np.array([one_hot(8, 0.6)]), network(0.95))[0] == [box]  # one digit, doubted


def test_marks_the_network_mostly_doubts_are_no_writing():
    assert is_writing(np.zeros((0, 10)))
    assert is_writing(np.array([one_hot(3, 0.99), one_hot(5, 0.98), one_hot(1, 0.4)]))  # one doubtful digit
    flecks = np.array([one_hot(1, 0.97), one_hot(4, 0.6), one_hot(9, 0.35), one_hot(2, 0.7), one_hot(8, 0.65)])
    assert not is_writing(flecks)  # a stone desk: a few fit a digit by chance, most fit none


def test_a_1_touching_its_neighbour_is_cut_off_where_it_meets_it_not_at_the_middle():
    mask = np.zeros((200, 300), np.uint8)
    mask[50:150, 60:70] = 255  # the 1
    cv2.ellipse(mask, (114, 100), (40, 46), 0, 0, 360, 255, 9)  # a wide 0, touching it
    box = cv2.boundingRect(mask)
    assert cv2.connectedComponents(mask)[0] == 2  # one blob

    def network(boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
        """Sure only of a box holding exactly the 1 (x 60..70) or exactly the 0 (from x 70 on)."""
        return np.array([one_hot(1, 0.99) if x == 60 and w <= 12 else one_hot(0, 0.99) if 68 <= x <= 72
                         else one_hot(8, 0.5) for x, y, w, h in boxes])

    boxes, probabilities = second_look(mask, [box], np.array([one_hot(0, 0.6)]), network)
    assert [int(p.argmax()) for p in probabilities] == [1, 0]
    assert boxes[0][0] == 60 and boxes[0][2] <= 12


def test_flecks_that_each_fit_some_digit_fairly_well_are_no_writing_but_a_sheet_half_sure_is():
    flecks = np.array([one_hot(8, 0.8), one_hot(1, 0.85), one_hot(7, 0.78), one_hot(4, 0.95), one_hot(5, 0.7)])
    assert not is_writing(flecks)  # the median passes, but only one in five is read surely
    assert not is_writing(np.array([one_hot(4, 0.8)]))  # a lone fleck
    odd_hand = np.array([one_hot(7, 0.99), one_hot(1, 0.95), one_hot(9, 0.8), one_hot(4, 0.7)])
    assert is_writing(odd_hand)


def test_a_row_of_digits_all_read_as_digits_is_writing_though_few_are_read_surely():
    """`--seed 3030 --kind all`, image 86: "917" in a thin ballpoint, large, read 0.85, 1.0 and 0.88. A third
    sure is what a stone desk's flecks give; but flecks do not stand three of a height in a row, each read as
    some digit."""
    probabilities = np.array([one_hot(9, 0.85), one_hot(1, 1.0), one_hot(7, 0.88)])
    row = [(100, 100, 60, 100), (190, 100, 20, 100), (240, 100, 50, 100)]
    assert not is_writing(probabilities)
    assert is_writing(probabilities, row)
    assert not is_writing(probabilities, [(100, 100, 60, 100), (190, 300, 20, 100), (240, 100, 50, 100)])  # no row
    fabric = np.array([one_hot(7, 0.81), one_hot(3, 0.96), one_hot(8, 0.88), one_hot(8, 0.54)])
    assert not is_writing(fabric, row + [(320, 100, 40, 100)])  # a row, but one mark fits no digit well


def test_a_row_of_three_one_read_surely_and_the_median_fairly_is_writing():
    """`--seed 6464 --source mnist`, image 28: "445" in gel, read 0.996, 0.855 and 0.441. A third sure, and
    one mark fitting no digit well, but in a row: the first two digits were lost with the third."""
    row = [(100, 100, 60, 100), (190, 100, 50, 100), (260, 110, 55, 90)]
    probabilities = np.array([one_hot(4, 0.996), one_hot(4, 0.855), one_hot(5, 0.441)])
    assert not is_writing(probabilities)
    assert is_writing(probabilities, row)
    assert not is_writing(np.array([one_hot(4, 0.95), one_hot(4, 0.855), one_hot(5, 0.441)]), row)  # none sure
    assert not is_writing(np.array([one_hot(4, 0.996), one_hot(4, 0.6), one_hot(5, 0.441)]), row)  # median low
    assert not is_writing(probabilities, [(100, 100, 60, 100), (190, 300, 50, 100), (260, 110, 55, 90)])  # no row


def flagless_five() -> tuple[np.ndarray, tuple[int, int, int, int], tuple[int, int, int, int]]:
    """A 5 written in two strokes, its flag apart to the right of its body: the body's box and the flag's."""
    mask = np.zeros((200, 300), np.uint8)
    cv2.ellipse(mask, (100, 110), (30, 30), 0, -120, 150, 255, 6)  # the body, open at the top left
    cv2.line(mask, (80, 60), (80, 82), 255, 6)                       # its stem
    cv2.line(mask, (142, 60), (176, 60), 255, 6)                     # the flag, written apart
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    body, flag = sorted((tuple(int(v) for v in s[:4]) for s in stats[1:]), key=lambda b: -b[2] * b[3])
    return mask, body, flag


def reads_five_when_flag_joined(flag: tuple[int, int, int, int]):
    """Sure of a 5 for a box reaching the flag's right end, doubtful of a 3 otherwise."""
    return lambda boxes: np.array([one_hot(5, 0.99) if x + w >= flag[0] + flag[2] else one_hot(3, 0.6)
                                   for x, y, w, h in boxes])


def test_a_doubtful_digit_is_read_with_a_loose_piece_beside_it_and_joined_when_it_becomes_another_digit():
    mask, body, flag = flagless_five()
    assert flag[0] > body[0] + body[2]  # apart, sharing no column
    boxes, probabilities = second_look(mask, [body], np.array([one_hot(3, 0.6)]),
                                       reads_five_when_flag_joined(flag), loose=[flag])
    x, y = min(body[0], flag[0]), min(body[1], flag[1])
    assert boxes == [(x, y, flag[0] + flag[2] - x, body[1] + body[3] - y)]
    assert int(probabilities[0].argmax()) == 5


def test_a_loose_piece_is_left_alone_beside_a_sure_digit_far_away_or_when_it_only_makes_the_same_digit_surer():
    mask, body, flag = flagless_five()
    network = reads_five_when_flag_joined(flag)
    sure = np.array([one_hot(3, 0.95)])
    assert second_look(mask, [body], sure, network, loose=[flag]) == ([body], sure)
    far = (flag[0] + body[3], flag[1], flag[2], flag[3])  # a digit's height further off
    doubtful = np.array([one_hot(3, 0.6)])
    assert second_look(mask, [body], doubtful, reads_five_when_flag_joined(far), loose=[far]) == ([body], doubtful)
    surer_three = lambda boxes: np.array([one_hot(3, 0.99)] * len(boxes))  # noqa: E731
    boxes, probabilities = second_look(mask, [body], doubtful, surer_three, loose=[flag])
    assert boxes == [body] and np.array_equal(probabilities, doubtful)


def test_a_stout_piece_is_joined_even_when_it_only_makes_the_same_digit_surer():
    """`--seed 8080 --kind sheets`, image 48: a marker 5 alone on its sheet, its thick flag written apart. The
    body alone is a doubtful 5, and a lone doubtful mark is no writing: the sheet read as empty."""
    mask, body, _ = flagless_five()
    flag = (142, 50, 40, 20)  # as thick as a marker writes: a fifth of the 5's height and more
    mask[50:70, 142:182] = 255
    doubtful_five = np.array([one_hot(5, 0.77)])
    boxes, probabilities = second_look(mask, [body], doubtful_five, reads_five_when_flag_joined(flag), loose=[flag])
    x, y = min(body[0], flag[0]), min(body[1], flag[1])
    assert boxes == [(x, y, flag[0] + flag[2] - x, body[1] + body[3] - y)]
    assert int(probabilities[0].argmax()) == 5 and float(probabilities[0].max()) > 0.77


def test_a_low_body_is_joined_with_its_flag_above_when_the_two_are_no_taller_than_the_rows_digits():
    """A 5's body is about two thirds of the 5: with its flag it is far taller than alone, not than a digit."""
    body, flag = (70, 80, 60, 60), (120, 58, 40, 6)  # the flag 16 px over the body: 82 px together
    network = reads_five_when_flag_joined(flag)
    doubtful = np.array([one_hot(3, 0.6)])
    alone = second_look(np.zeros((200, 300), np.uint8), [body], doubtful, network, loose=[flag])
    assert alone == ([body], doubtful)  # nothing says a digit is that tall here
    row = [body, (200, 75, 50, 70), (280, 76, 50, 70)]
    probabilities = np.array([one_hot(3, 0.6), one_hot(1, 0.99), one_hot(7, 0.99)])
    boxes, read = second_look(np.zeros((200, 400), np.uint8), row, probabilities, network, loose=[flag])
    assert boxes[0] == (70, 58, 90, 82) and boxes[1:] == row[1:]
    assert [int(p.argmax()) for p in read] == [5, 1, 7]


def test_a_loose_piece_is_not_joined_across_another_digit():
    mask, body, flag = flagless_five()
    neighbour = (flag[0] + 5, flag[1] + flag[3] + 4, 30, 50)  # a digit right under the flag, beside the body
    network = reads_five_when_flag_joined(flag)
    probabilities = np.array([one_hot(3, 0.6), one_hot(1, 0.99)])
    boxes, _ = second_look(mask, [body, neighbour], probabilities, network, loose=[flag])
    assert boxes == [body, neighbour]


def test_a_doubtful_box_narrower_than_a_pair_is_cut_when_it_is_far_wider_than_the_rows_digits():
    """A 1 fused to its neighbour adds little width: "10" is less wide than tall. Among digits half its
    width it is still tried as two; alone, or among digits as wide, it is one wide digit."""
    mask = np.zeros((200, 400), np.uint8)
    cv2.line(mask, (60, 50), (60, 150), 255, 7)               # a 1 ...
    cv2.ellipse(mask, (98, 100), (32, 48), 0, 0, 360, 255, 7)  # ... fused to a 0 beside it
    fused = cv2.boundingRect(mask)
    assert fused[2] < 0.9 * fused[3]

    def network(boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
        return np.array([one_hot(1, 0.99) if w <= 12 else one_hot(0, 0.99) if 60 <= w <= 75 else one_hot(8, 0.6)
                         for x, y, w, h in boxes])

    doubtful = one_hot(8, 0.6)
    narrow = [fused, (200, 46, 40, 109), (260, 46, 40, 109)]
    boxes, read = second_look(mask, narrow, np.array([doubtful, one_hot(4, 0.99), one_hot(7, 0.99)]), network)
    assert [int(p.argmax()) for p in read] == [1, 0, 4, 7] and boxes[0][2] <= 12
    assert second_look(mask, [fused], np.array([doubtful]), network)[0] == [fused]
    wide = [fused, (200, 46, 70, 109), (300, 46, 70, 109)]
    assert second_look(mask, wide, np.array([doubtful, one_hot(4, 0.99), one_hot(7, 0.99)]), network)[0] == wide


def test_marks_found_only_by_looking_harder_are_writing_when_a_row_of_them_is_read_surely_and_not_all_1s():
    sure = np.array([one_hot(4, 0.99), one_hot(8, 0.98)])
    assert sure_rows([[0, 1]], sure) == [0, 1]
    assert sure_rows([[0], [1]], sure) == []  # no two side by side
    assert sure_rows([[0, 1]], np.array([one_hot(4, 0.99), one_hot(8, 0.9)])) == []  # one doubted
    assert sure_rows([[0, 1]], np.array([one_hot(1, 0.99), one_hot(1, 0.99)])) == []  # a desk's streaks
    lone = np.array([one_hot(4, 0.99), one_hot(8, 0.98), one_hot(0, 0.99)])
    assert sure_rows([[0, 1], [2]], lone) == [0, 1, 2]  # every mark sure: a lone digit under a row too


def test_sure_marks_found_only_by_looking_harder_are_writing_one_under_another_but_not_far_apart_or_aside():
    """A faint list of one-digit numbers, "6" over "3" on a ruled sheet: no two side by side, but each stands
    in the other's columns, a line or two apart, as a desk's two flecks seldom do."""
    sure = np.array([one_hot(6, 1.0), one_hot(3, 1.0)])
    listed = [(272, 296, 30, 46), (292, 414, 31, 44)]  # 2.5 heights apart, the second a little to the right
    assert sure_rows(reading_rows(listed), sure, listed) == [0, 1]
    assert harder_writing(listed, reading_rows(listed), sure) == [0, 1]
    far = [(272, 96, 30, 46), (292, 414, 31, 44)]  # seven heights apart
    aside = [(72, 296, 30, 46), (292, 414, 31, 44)]  # in other columns
    small = [(272, 296, 30, 46), (292, 414, 15, 22)]  # half its height
    for boxes in (far, aside, small):
        assert sure_rows(reading_rows(boxes), sure, boxes) == []
    assert sure_rows(reading_rows(listed), np.array([one_hot(6, 1.0), one_hot(3, 0.9)]), listed) == []


def test_a_single_mark_found_only_by_looking_harder_is_writing_when_read_surer_still_and_not_as_a_1():
    """A one-digit sheet in faint ballpoint: its digit is all a harder look finds. A blank page's speck or a
    desk's sliver found alone is read less surely, or as a 1."""
    assert sure_rows([[0]], np.array([one_hot(4, 0.995)])) == [0]
    assert sure_rows([[0]], np.array([one_hot(4, 0.98)])) == []  # sure, but not as sure as a lone mark must be
    assert sure_rows([[0]], np.array([one_hot(1, 1.0)])) == []  # a sliver


def test_a_harder_looks_doubted_digit_in_the_row_of_its_sure_ones_is_read_with_them():
    """`--seed 1357 --kind all`, image 25: a faint "49627" found only by looking harder, its 7 touching the
    sheet's edge and read 0.906, so it was left out: "4962". A speck of noise as tall, but fitting no digit,
    or one fitting a digit but a third as tall, or one as tall but a row below, stays out."""
    row = [(687, 77, 28, 46), (738, 74, 24, 43), (769, 72, 24, 42), (795, 72, 45, 40), (842, 68, 28, 46)]
    read = np.array([one_hot(4, 0.996), one_hot(9, 0.977), one_hot(6, 0.996), one_hot(2, 0.996), one_hot(7, 0.906)])
    assert harder_writing(row, reading_rows(row), read) == [0, 1, 2, 3, 4]
    noise = np.array([*read[:4], one_hot(7, 0.3)])
    assert harder_writing(row, reading_rows(row), noise) == [0, 1, 2, 3]
    speck = [*row[:4], (842, 80, 10, 15)]
    assert harder_writing(speck, reading_rows(speck), read) == [0, 1, 2, 3]
    below = [*row[:4], (842, 160, 28, 46)]
    assert harder_writing(below, reading_rows(below), read) == [0, 1, 2, 3]


def test_beside_doubted_flecks_only_the_rows_of_three_sure_marks_not_mostly_1s_are_writing():
    """A faint sheet on a speckled desk: looking harder, the desk's flecks come through too; the network
    doubts them, but is sure of the sheet's rows."""
    row = [one_hot(5, 0.99), one_hot(2, 1.0), one_hot(9, 0.99)]
    flecks = [one_hot(7, 0.6), one_hot(3, 0.99), one_hot(4, 0.5)]
    probabilities = np.array(row + flecks)
    assert sure_rows([[0, 1, 2], [3, 4, 5]], probabilities) == [0, 1, 2]
    assert sure_rows([[0, 1], [2, 3, 4, 5]], probabilities) == []  # two sure side by side are not enough
    streaks = np.array([one_hot(1, 1.0), one_hot(4, 1.0), one_hot(1, 1.0)] + flecks)
    assert sure_rows([[0, 1, 2], [3, 4, 5]], streaks) == []  # a streaked desk's slivers, mostly 1s

def test_a_harder_looks_doubted_marks_do_not_outvote_a_sure_pair_but_a_lone_mark_stays_out():
    """A faint "29" on noisy paper: looking harder finds both digits, and a speck of noise between or above
    them that the network rejects. A desk's lone fleck that fits a 7 beside a rejected speck is no writing."""
    pair = [(100, 100, 30, 45), (140, 100, 30, 45), (180, 100, 30, 45)]  # 2, a speck, 9 in one row
    read = np.array([one_hot(2, 1.0), one_hot(4, 0.05), one_hot(9, 0.99)])
    assert sure_rows(reading_rows(pair), read) == []  # the speck vetoes the row
    assert harder_writing(pair, reading_rows(pair), read) == [0, 2]
    above = [(100, 100, 30, 45), (120, 20, 30, 45), (140, 100, 30, 45)]  # the speck above the pair
    read = np.array([one_hot(2, 1.0), one_hot(4, 0.05), one_hot(9, 0.99)])
    assert harder_writing(above, reading_rows(above), read) == [0, 2]
    blurred = np.array([one_hot(2, 1.0), one_hot(4, 0.95), one_hot(9, 0.99)])  # nor does a digit noise blurred:
    assert harder_writing(pair, reading_rows(pair), blurred) == [0, 1, 2]       # as tall as they, it joins them
    assert harder_writing(pair[:2], reading_rows(pair[:2]), blurred[:2]) == []  # one sure mark is not enough
    fleck = [(200, 20, 60, 55), (80, 600, 30, 40)]
    read = np.array([one_hot(4, 0.29), one_hot(7, 0.99)])
    assert harder_writing(fleck, reading_rows(fleck), read) == []
    alone = [(80, 600, 30, 40)]  # with nothing rejected beside it, a lone mark is judged as before
    assert harder_writing(alone, [[0]], np.array([one_hot(7, 0.995)])) == [0]


def test_a_digit_broken_in_three_is_joined_whole_when_the_three_read_surer_than_a_joined_pair_and_the_third():
    """A big 0's top, lower left and right arcs found apart: the top and lower left join into a sure 6, the
    right arc alone is a sure 1. The three together read surer still, as one digit: "0", not "61"."""
    mask = np.zeros((200, 300), np.uint8)
    cv2.putText(mask, "0", (60, 140), cv2.FONT_HERSHEY_SIMPLEX, 3.0, 255, 9)
    x, y, w, h = cv2.boundingRect(mask)
    top, lower_left = (x, y, w * 3 // 5, h // 2), (x, y + h * 2 // 5, w // 2, h - h * 2 // 5)
    right = (x + w * 2 // 5, y + h * 3 // 10, w - w * 2 // 5, h - h * 3 // 10)
    arcs = np.array([one_hot(5, 0.7), one_hot(6, 0.94), one_hot(1, 0.996)])
    pair = (x, y, top[2], h)  # the top and lower left joined

    def network(whole: float):
        def read(boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
            return np.array([one_hot(0, whole) if bw >= w else one_hot(6, 0.996) if (bx, by, bw, bh) == pair
                             else one_hot(7, 0.6) for bx, by, bw, bh in boxes])
        return read

    boxes, probabilities = second_look(mask, [top, lower_left, right], arcs, network(0.999))
    assert boxes == [(x, y, w, h)] and int(probabilities[0].argmax()) == 0
    boxes, probabilities = second_look(mask, [top, lower_left, right], arcs, network(0.99))
    assert boxes == [pair, right]  # not surer than the pair and the 1 were
