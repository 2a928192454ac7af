"""digitcam's conversion stage: a trained Keras model in, a quantised TFLite model and its proof out."""
