"""Grouping questions by meaning: average-linkage clustering of unit-length sentence embeddings.

Two questions are about the same thing when their MiniLM vectors are close in cosine. A cluster
is grown with average linkage (SciPy's hierarchical clustering, which scikit-learn's
`AgglomerativeClustering` also runs on): two groups merge only while the *average* cosine
distance between their questions stays below `DISTANCE_THRESHOLD`, so a cluster cannot drift
from one topic to the next through a chain of near neighbours, as single linkage does.

Exact average linkage needs every pairwise distance: 20,000 questions would be a 1.6 GB matrix.
Above `SAMPLE_SIZE` questions the clustering runs in rounds instead: a random sample is
clustered exactly, every other question joins the sample cluster it is on average closest to
if that average passes the same threshold, and the questions that joined none go to the next
round. Each round removes at least a sample's worth, the last one is exact. On 10,000
synthetic questions this agrees closely with exact average linkage (docs/benchmarks.md).

For unit vectors the average cosine similarity between a question x and a group G is
x · sum(G) / |G|, so a group is summed up by the sum of its vectors and its size; this module
never builds an all-pairs matrix beyond one sample.
"""

import logging

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from scipy.spatial.distance import squareform

logger = logging.getLogger(__name__)

# Average cosine distance below which questions are one topic (average similarity >= 0.55).
# Checked on the Voltway questions grouped by the article that answers them (docs/benchmarks.md):
# in the flat part of the adjusted Rand index and about 90 % homogeneous, while tighter
# thresholds begin to split plain rephrasings of one request and looser ones mix articles.
# 0.45 with float32 vectors; the int8 engine (kb_index/onnx_engine.py) gives cosines about
# 0.005 lower, so the same questions need 0.46.
DISTANCE_THRESHOLD = 0.46
SAMPLE_SIZE = 4000  # exact linkage up to this many questions (tens of MB of distances)
CHUNK_ROWS = 2048  # rows of question-by-cluster similarities held at once
SEED = 20  # the sample is random but repeatable: the same questions give the same clusters


def cluster_by_meaning(
    vectors: np.ndarray, *, threshold: float = DISTANCE_THRESHOLD, sample_size: int = SAMPLE_SIZE
) -> np.ndarray:
    """A cluster label (0, 1, ...) for each row of `vectors` (unit-length embeddings).

    Rows keep their own label when nothing is close to them (a cluster of one).
    """
    count = len(vectors)
    labels = np.full(count, -1, dtype=np.int64)
    pool = np.arange(count)
    rng = np.random.default_rng(SEED)
    next_label = 0
    rounds = 0
    while len(pool):
        rounds += 1
        if len(pool) <= sample_size:
            labels[pool] = _average_linkage(vectors[pool], threshold) + next_label
            break
        picked = np.sort(rng.choice(len(pool), size=sample_size, replace=False))
        sample, rest = pool[picked], np.delete(pool, picked)
        sample_labels = _average_linkage(vectors[sample], threshold)
        sums, sizes = cluster_sums(vectors[sample], sample_labels)
        labels[sample] = sample_labels + next_label
        best, similarity = closest_clusters(vectors[rest], sums, sizes)
        joins = similarity >= 1.0 - threshold
        labels[rest[joins]] = best[joins] + next_label
        next_label += len(sizes)
        pool = rest[~joins]
    logger.debug("clustered %d questions in %d round(s)", count, rounds)
    return _renumbered(labels)


def cluster_sums(vectors: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sum of the vectors and the size of each cluster 0..max(labels)."""
    clusters = int(labels.max()) + 1 if len(labels) else 0
    membership = csr_matrix((np.ones(len(labels)), (labels, np.arange(len(labels)))),
                            shape=(clusters, len(labels)))
    sums = np.asarray(membership @ vectors.astype(np.float64))
    return sums, np.bincount(labels, minlength=clusters)


def closest_clusters(
    vectors: np.ndarray, sums: np.ndarray, sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each vector, the cluster it is on average most similar to, and that average similarity."""
    best = np.zeros(len(vectors), dtype=np.int64)
    similarity = np.full(len(vectors), -1.0)
    if not len(sizes):
        return best, similarity
    means = (sums / sizes[:, None]).T.astype(np.float32)
    for start in range(0, len(vectors), CHUNK_ROWS):
        block = vectors[start : start + CHUNK_ROWS] @ means
        best[start : start + len(block)] = block.argmax(axis=1)
        similarity[start : start + len(block)] = block.max(axis=1)
    return best, similarity


def centrality(vectors: np.ndarray) -> np.ndarray:
    """Each question's average similarity to the other questions of its group (1.0 alone)."""
    count = len(vectors)
    if count < 2:
        return np.ones(count)
    total = vectors.sum(axis=0)
    return (vectors @ total - (vectors * vectors).sum(axis=1)) / (count - 1)


def _average_linkage(vectors: np.ndarray, threshold: float) -> np.ndarray:
    """Exact average linkage, cut where merging would pass `threshold`.

    The cosine distances are one matrix product (the vectors are unit length), several times
    faster than computing them pair by pair, and handed to SciPy in condensed form (the upper
    triangle only), which is also half the memory of a square matrix.
    """
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=np.int64)
    distances = 1.0 - vectors @ vectors.T
    np.clip(distances, 0.0, 2.0, out=distances)
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False), method="average")
    return np.asarray(fcluster(tree, t=threshold, criterion="distance"), dtype=np.int64) - 1


def _renumbered(labels: np.ndarray) -> np.ndarray:
    """Labels 0..k-1 in order of first appearance, so equal input gives equal output."""
    _unique, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))
    return order[inverse].astype(np.int64)
