"""digitcam's device stage: camera frames in, digit readings out. Never imports TensorFlow."""
import os

# OpenCV refuses an image whose header claims more pixels than this before allocating it, but it reads the limit
# once, when cv2 is first imported: set here, before any edge module imports cv2, so a small file that claims a
# huge picture is refused instead of filling the device's memory. edge.images.MAX_PIXELS is the same figure.
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", "120000000")
