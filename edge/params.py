"""Every threshold of the pixel pipeline in one place, with the reason for its default.

Sizes are fractions of the analysis frame's height (or of a typical digit) rather than pixels, so the same
defaults hold for a 640x480 camera frame, a downscaled phone photo and an upscaled 28x28 Paint digit.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class DetectParams:
    """Thresholds for segment, lines, regions and normalise; `edge.detect` re-exports this class."""

    # --- analysis resolution (detect) ---
    analysis_width: int = 960          # frames whose longer side exceeds this are downscaled first (a photo's
                                       # thin pen stroke keeps its width: 640 halved a 1280 photo's 2 px stroke)
    min_analysis_side: int = 96        # smaller images (a 28x28 Paint digit) are upscaled to this

    # --- segmentation (segment) ---
    background_step: int = 4           # the paper's brightness is estimated at 1/step resolution ...
    background_window: float = 0.25    # ... by a closing this wide (x frame height): wider than any stroke
    shade_window: float = 0.06         # a shadow narrower than that (an arm's, a phone's) is followed by a
                                       # closing this wide (0: never) ...
    shade_depth: float = 0.15          # ... where it is darker than the wide estimate by this share of it ...
    shade_area: float = 0.03           # ... over this share of the frame at least (more than any stroke covers)
    polarity_window: float = 0.3       # local median window (x frame height) that says what the paper is
    light_ink: bool | None = None      # None: the frame's marks vote on whether its ink is lighter than its
                                       # ground (`segment._polarity`); True or False says so instead
    ink_contrast: float = 0.12         # ink is darker than the paper by this fraction of the paper's brightness
    ink_floor: int = 24                # ... and by at least this many grey levels (blank paper stays empty)
    noise_factor: float = 4.5          # ... and by this many times the frame's noise level (noise stays empty)
    texture_window: float = 0.3        # texture is judged over windows this wide (x frame height) ...
    texture_factor: float = 5.0        # ... and by this many times the local texture's typical darkness
    texture_cap: float = 0.45          # ... which, on a clean frame, asks no more than this share of the paper
    relative_contrast: float = 0.45    # ... and by this share of the darkest writing's contrast (print is fainter)
    dim_ground: float = 0.7            # ground dimmer than this share of the page is desk or shade ...
    dim_contrast: float = 0.35        # ... where ink must be darker by this share of it (or by most of the
                                       # contrast the page's writing shows in the light, if that is less)
    edge_factor: float = 0.7           # ... and by this share of a hard step in the paper's brightness nearby
    grow_contrast: float = 0.07        # faint stroke edges and gaps touching ink are kept down to this contrast
    harder: float = 0.5                # a photo with no digit found is looked at again with the four ink bars
                                       # above at this share of themselves (0: never), see `harder_look`
    fill_rows: bool = False            # ... and one whose faintest digit only just passed is too, for digits
                                       # fainter still in its rows: for a still photo (`read`), not a live
                                       # frame (on the demo clip a third of the frames would pay for it)

    # --- the page (page) ---
    photo: bool = True                 # False for a drawing or a tight crop: no desk, sheet edge or frame edge
    page_step: float = 0.1             # a brightness step this steep (x the ground, over 2 low-res px) is an edge
    page_ground: float = 0.8           # pieces of ground this bright (x the brightest paper) are the page ...
    page_min_area: float = 0.02        # ... when they cover at least this share of the frame

    # --- ruled lines, margins, paper edges (lines) ---
    line_run: float = 0.03             # a straight run this long (x frame height) may be part of a line ...
    line_length: float = 0.3           # ... and a run-chain this long (x frame height) is a line, not a digit
    page_lines: bool = True            # ... or x the page's height, for a ruled page's or a grid's (not at a
                                       # harder look's low bars: grain strings into short chains)
    print_apart: bool = True           # marks no darker than the page's print are print (`printed`; not at a
                                       # harder look: the faint writing it looks for may be as faint)
    grains_apart: bool = True          # a mark finished into speckle is noise (`regions.speckled`; not at a
                                       # harder look: its low bars riddle faint writing with grains too)

    # --- candidate digits (regions) ---
    min_digit_height: float = 0.045    # smaller marks are fragments or dirt (x frame height) ...
    min_row_height: float = 0.03       # ... unless, down to this height, three of a like height stand in a row
    small_writing: bool = False        # ... or nothing on the frame is min_digit_height tall (see `smaller_look`)
    max_digit_height: float = 0.95     # taller is a sheet edge or a shadow (x frame height)
    min_fill: float = 0.04             # ink / box area below this is an outline (paper corner, shadow edge)
    max_fill: float = 0.9              # above this a wide box is a blot, a hole or a dark object
    max_aspect: float = 4.0            # wider than tall by more than this (per digit in it) is a dash or line
    min_relative_height: float = 0.45  # a digit is at least this share of the tallest neighbours' height
    join_gap: float = 0.3              # pieces this close (x digit height) that share columns are one digit
    stray_gap: float = 2.5             # a mark this far (x digit height) from every other is a stray, if others group
    split_width: float = 1.3           # a blob this much wider than tall holds several touching digits
    max_digits: int = 40               # more candidates than this is texture (a desk, fabric), not writing

    # --- finishing each digit's strokes (complete) ---
    stroke_share: float = 0.55         # a digit's faint parts are at least this share of its ink's median darkness

    # --- MNIST normalisation (normalise) ---
    min_stroke: float = 2.0            # thinner strokes (in 28x28 pixels) are thickened towards MNIST's

    def smaller_look(self) -> DetectParams:
        """These thresholds for a photo where no digit was found: when nothing on it is min_digit_height tall,
        a smaller mark counts without a row of its like. Digits written small, or seen from far, are as small
        as a desk's flecks; only the rows of them the network is sure of count (`second_look.harder_writing`)."""
        return replace(self, small_writing=True)

    def harder_look(self) -> DetectParams:
        """These thresholds with every bar a mark must beat to be ink (contrast, floor, noise, texture) at
        `harder` of itself: faint ballpoint on noisy or grainy paper passes the usual bars only in specks."""
        share = self.harder
        return replace(self, ink_contrast=share * self.ink_contrast, ink_floor=round(share * self.ink_floor),
                       noise_factor=share * self.noise_factor, texture_factor=share * self.texture_factor,
                       page_lines=False, print_apart=False, grains_apart=False)
