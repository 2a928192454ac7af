"""Synthetic camera photos of handwritten digits with ground truth, and the harness that scores edge on them."""
