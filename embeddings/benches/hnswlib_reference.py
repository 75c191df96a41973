"""hnswlib on the data set the `hnsw` bench writes with `--dump DIR`, for a
like-for-like comparison: build time, then recall@10 and single-thread
queries/s at several ef values.

    pip install numpy hnswlib==0.8.0
    python3 embeddings/benches/hnswlib_reference.py DIR [M] [EF_CONSTRUCTION]
"""

import sys
import time

import hnswlib
import numpy as np

DIM = 384
K = 10


def main():
    folder = sys.argv[1]
    links = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    ef_construction = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    base = np.fromfile(f"{folder}/base.f32", dtype="<f4").reshape(-1, DIM)
    queries = np.fromfile(f"{folder}/queries.f32", dtype="<f4").reshape(-1, DIM)
    truth = np.argsort(-(queries @ base.T), axis=1)[:, :K]

    index = hnswlib.Index(space="ip", dim=DIM)
    index.init_index(max_elements=len(base), M=links, ef_construction=ef_construction)
    index.set_num_threads(1)
    started = time.perf_counter()
    index.add_items(base, np.arange(len(base)))
    print(f"{len(base)} vectors, M {links}, ef_construction {ef_construction}")
    print(f"build (1 thread): {time.perf_counter() - started:.1f} s")

    print("| ef | recall@10 | queries/s (1 thread) |")
    for ef in (16, 24, 32, 48, 64, 96, 128, 256):
        index.set_ef(ef)
        started = time.perf_counter()
        found, _ = index.knn_query(queries, k=K, num_threads=1)
        seconds = time.perf_counter() - started
        hits = sum(len(set(f) & set(t)) for f, t in zip(found, truth))
        print(f"| {ef} | {hits / truth.size:.3f} | {len(queries) / seconds:.0f} |")


if __name__ == "__main__":
    main()
