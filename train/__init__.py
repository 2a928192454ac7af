"""digitcam's workstation stage: load MNIST, fit a Keras network, evaluate and save it."""
