"""digitcam's device stage: camera frames in, digit readings out. Never imports TensorFlow."""
