"""ResNet-50 weights written by real Keras, with BatchNorm moving statistics measured on the test photos.

tf.keras.applications.ResNet50(weights=None) (Keras's own initialization), then one forward pass in
training mode over the photo views with every BatchNorm's momentum set to 0: each layer normalizes by its
batch statistics as in training, and its moving mean and variance become exactly those statistics. The
weights are saved in the legacy HDF5 layout of resnet50_weights_tf_dim_ordering_tf_kernels.h5, which
sqlinfer reads. Prints the spread of Keras's own (inference-mode) top-1 probabilities on the views.

    node dist/scripts/int8-accuracy.js --dump /tmp/int8     # writes all-views.f32 (photo views, 'caffe')
    python3 scripts/keras-photo-weights.py --views /tmp/int8/all-views.f32 --out /tmp/int8/keras.h5

Needs tensorflow-cpu and h5py (not part of npm test).
"""

from __future__ import annotations

import argparse
import importlib.util
import os

import numpy as np

SIDE = 224


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--views", required=True, help="float32 N x 224 x 224 x 3, preprocessed 'caffe'")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import tensorflow as tf

    views = np.fromfile(args.views, dtype=np.float32).reshape(-1, SIDE, SIDE, 3)
    tf.keras.utils.set_random_seed(args.seed)
    model = tf.keras.applications.ResNet50(weights=None)
    batch_norms = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.BatchNormalization)]
    for layer in batch_norms:
        layer.momentum = 0.0
    model(views, training=True)
    probabilities = model.predict(views, batch_size=10, verbose=0)
    top1 = probabilities.max(axis=1)
    print(f"{len(batch_norms)} BatchNorm layers set from {len(views)} views; Keras's top-1 probability: "
          f"min {top1.min():.4f}, median {np.median(top1):.4f}, max {top1.max():.4f}")
    legacy_h5_writer()(model, args.out)
    print(f"wrote {args.out}")


def legacy_h5_writer():
    """save_legacy_h5 of python/bench_notebook.py (one writer of the layout for the project's scripts)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python", "bench_notebook.py")
    spec = importlib.util.spec_from_file_location("bench_notebook", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.save_legacy_h5


if __name__ == "__main__":
    main()
