"""The country network: builders, validation and array views for the game engine.

Every network produced here is an undirected :class:`networkx.Graph` whose nodes are
exactly the integers ``0..N-1`` (added in that order) and whose every edge carries a
positive, finite float attribute ``"weight"`` (1.0 for the generated topologies).
Edges are inserted in sorted ``(min, max)`` order, so the same arguments and seed always
give the same graph, including the same ``G.edges`` iteration order.

Topologies (see :data:`NETWORK_KINDS` and :func:`build_network`):

* ``complete`` -- every pair of countries plays (well-mixed population).
* ``ring`` -- one-dimensional ring lattice, each node linked to its ``degree/2`` nearest
  neighbours on each side (the ``p = 0`` starting point of Watts & Strogatz 1998).
* ``lattice`` -- two-dimensional torus with the Moore (8-cell) neighbourhood, as in the
  spatial Prisoner's Dilemma of Nowak & May (1992), "Evolutionary games and spatial
  chaos", Nature 359, 826-829.
* ``watts_strogatz`` -- small-world graph: Watts & Strogatz (1998), "Collective dynamics
  of 'small-world' networks", Nature 393, 440-442 (connected variant, resampled by
  networkx until connected).
* ``barabasi_albert`` -- preferential attachment: Barabási & Albert (1999), "Emergence of
  scaling in random networks", Science 286, 509-512.
* ``erdos_renyi`` -- uniform random graph G(n, M) with a fixed number of edges: Erdős &
  Rényi (1959), "On random graphs I", Publ. Math. Debrecen 6, 290-297; resampled until
  connected (connectivity threshold: mean degree about ln n, Erdős & Rényi 1960).

Randomness: every random builder accepts ``seed`` as ``None``, an ``int`` or a
:class:`numpy.random.Generator`.  An integer for networkx is drawn from
``numpy.random.default_rng(seed)``, so an int seed is fully reproducible and a Generator
is advanced (reproducible given the Generator's state).

:func:`edge_arrays` turns a network into flat numpy arrays over *directed* edges for the
vectorised engine (see :class:`EdgeArrays` for the conventions).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

__all__ = [
    "NETWORK_KINDS",
    "EdgeArrays",
    "barabasi_albert",
    "build_network",
    "complete",
    "edge_arrays",
    "erdos_renyi",
    "from_graph",
    "lattice",
    "ring",
    "validate_graph",
    "watts_strogatz",
]

NETWORK_KINDS: tuple[str, ...] = (
    "complete",
    "ring",
    "lattice",
    "watts_strogatz",
    "barabasi_albert",
    "erdos_renyi",
)

#: Number of G(n, M) samples tried by :func:`erdos_renyi` before giving up.
ER_MAX_TRIES = 100

SeedLike = int | np.integer | np.random.Generator | None


# --------------------------------------------------------------------------- helpers


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _check_int(name: str, value: Any, minimum: int, context: str = "") -> int:
    """Return ``value`` as an ``int`` or raise ValueError naming ``name``."""
    if not _is_int(value) or int(value) < minimum:
        where = f" for {context}" if context else ""
        raise ValueError(f"{name} must be an integer >= {minimum}{where}; got {value!r}")
    return int(value)


def _check_even_degree(degree: Any, n: int, context: str) -> int:
    """Validate an even ``degree`` with ``2 <= degree < n``."""
    if not _is_int(degree) or int(degree) % 2 != 0 or not 2 <= int(degree) < n:
        raise ValueError(
            f"degree must be an even integer with 2 <= degree < n (n={n}) for {context}; "
            f"got {degree!r}"
        )
    return int(degree)


def _as_generator(seed: Any) -> np.random.Generator:
    """Turn ``seed`` (None, int or numpy Generator) into a numpy Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or _is_int(seed):
        if seed is not None and int(seed) < 0:
            raise ValueError(
                f"seed must be a non-negative integer, a Generator or None; got {seed}"
            )
        return np.random.default_rng(None if seed is None else int(seed))
    raise ValueError(
        f"seed must be None, a non-negative integer or a numpy.random.Generator; got {seed!r}"
    )


def _nx_seed(rng: np.random.Generator) -> int:
    """Draw a plain ``int`` seed for networkx from ``rng``."""
    return int(rng.integers(0, 2**63 - 1))


def _from_edges(n: int, edges: Iterable[tuple[int, int]] | np.ndarray) -> nx.Graph:
    """Canonical graph: nodes ``0..n-1`` in order, edges sorted as ``(min, max)``, weight 1.0."""
    arr = np.asarray(list(edges) if not isinstance(edges, np.ndarray) else edges, dtype=np.int64)
    arr = arr.reshape(-1, 2)
    u = np.minimum(arr[:, 0], arr[:, 1])
    v = np.maximum(arr[:, 0], arr[:, 1])
    order = np.lexsort((v, u))
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from(zip(u[order].tolist(), v[order].tolist(), strict=True), weight=1.0)
    return G


def _canonical(G: nx.Graph) -> nx.Graph:
    """Re-insert a generated graph (nodes already ``0..n-1``) in canonical order."""
    return _from_edges(G.number_of_nodes(), np.asarray(list(G.edges()), dtype=np.int64))


# --------------------------------------------------------------------------- validation


def validate_graph(
    G: nx.Graph,
    *,
    require_connected: bool = True,
    allow_self_loops: bool = False,
    weight: str = "weight",
) -> None:
    """Check that ``G`` is usable as a country network; raise ValueError otherwise.

    Requirements: an undirected simple :class:`networkx.Graph` (no ``DiGraph``, no
    multigraph) with at least 2 nodes; no self-loops unless ``allow_self_loops``; connected
    unless ``require_connected`` is False; every edge attribute ``weight`` that is present
    must be a real, finite, strictly positive number (a missing weight means 1.0).
    Node labels are not checked here (see :func:`from_graph` for relabelling).
    """
    if not isinstance(G, nx.Graph):
        raise ValueError(f"G must be a networkx.Graph; got {type(G).__name__}")
    if G.is_directed():
        raise ValueError(
            "G must be undirected; got a directed graph "
            f"({type(G).__name__}); convert it with G.to_undirected() first"
        )
    if G.is_multigraph():
        raise ValueError(
            f"G must be a simple graph; got a multigraph ({type(G).__name__}) with parallel "
            "edges; collapse them into one weighted edge per pair first"
        )
    n = G.number_of_nodes()
    if n < 2:
        raise ValueError(f"G must have at least 2 nodes; got {n}")
    if not allow_self_loops:
        loops = list(nx.selfloop_edges(G))
        if loops:
            shown = ", ".join(repr(u) for u, _ in loops[:5])
            raise ValueError(
                f"G has {len(loops)} self-loop(s) (at node(s) {shown}); self-loops are not "
                "allowed (pass allow_self_loops=True to accept them)"
            )
    for u, v, data in G.edges(data=True):
        if weight not in data:
            continue
        w = data[weight]
        if (
            not isinstance(w, numbers.Real)
            or isinstance(w, (bool, np.bool_))
            or not math.isfinite(float(w))
            or float(w) <= 0.0
        ):
            raise ValueError(
                f"edge ({u!r}, {v!r}) has invalid {weight!r} {w!r}: edge weights must be "
                "finite numbers > 0"
            )
    if require_connected and not nx.is_connected(G):
        sizes = sorted((len(c) for c in nx.connected_components(G)), reverse=True)
        raise ValueError(
            f"G is not connected: it has {len(sizes)} connected components "
            f"(sizes {sizes[:10]}); pass require_connected=False to allow this"
        )


# --------------------------------------------------------------------------- builders


def complete(n: int) -> nx.Graph:
    """Complete graph K_n: every pair of the ``n >= 2`` countries is linked (n(n-1)/2 edges)."""
    n = _check_int("n", n, 2, "kind='complete'")
    iu, ju = np.triu_indices(n, k=1)
    G = _from_edges(n, np.column_stack([iu, ju]))
    validate_graph(G)
    return G


def ring(n: int, degree: int = 4) -> nx.Graph:
    """Ring lattice: node i linked to i±1, ..., i±degree/2 (mod n); n·degree/2 edges.

    ``degree`` must be even with ``2 <= degree < n``.  This is the regular starting point
    of the Watts & Strogatz (1998) construction (rewiring probability 0).
    """
    n = _check_int("n", n, 3, "kind='ring'")
    degree = _check_even_degree(degree, n, "kind='ring'")
    nodes = np.arange(n, dtype=np.int64)
    parts = [np.column_stack([nodes, (nodes + k) % n]) for k in range(1, degree // 2 + 1)]
    G = _from_edges(n, np.concatenate(parts))
    validate_graph(G)
    return G


# Half of the Moore neighbourhood; the other half is covered by the reverse edges.
_MOORE_HALF = ((0, 1), (1, -1), (1, 0), (1, 1))


def lattice(rows: int, cols: int) -> nx.Graph:
    """2-D torus with the Moore neighbourhood (8 neighbours per node), node id ``r*cols + c``.

    The spatial Prisoner's Dilemma lattice of Nowak & May (1992).  ``rows, cols >= 3`` so
    that the 8 neighbours are distinct; the graph is 8-regular with 4·rows·cols edges.
    Built with numpy index arithmetic (a 50x50 torus takes milliseconds).
    """
    rows = _check_int("rows", rows, 3, "kind='lattice'")
    cols = _check_int("cols", cols, 3, "kind='lattice'")
    n = rows * cols
    r, c = np.divmod(np.arange(n, dtype=np.int64), cols)
    node = r * cols + c
    parts = [
        np.column_stack([node, ((r + dr) % rows) * cols + (c + dc) % cols])
        for dr, dc in _MOORE_HALF
    ]
    G = _from_edges(n, np.concatenate(parts))
    validate_graph(G)
    return G


def watts_strogatz(
    n: int, degree: int = 4, rewiring: float = 0.1, seed: SeedLike = None
) -> nx.Graph:
    """Connected Watts & Strogatz (1998) small-world graph; keeps exactly n·degree/2 edges.

    Starts from :func:`ring` ``(n, degree)`` and rewires each edge with probability
    ``rewiring`` in ``[0, 1]`` (``nx.connected_watts_strogatz_graph``, up to 100 tries until
    the result is connected).
    """
    n = _check_int("n", n, 3, "kind='watts_strogatz'")
    degree = _check_even_degree(degree, n, "kind='watts_strogatz'")
    if (
        not isinstance(rewiring, numbers.Real)
        or isinstance(rewiring, bool)
        or not 0.0 <= float(rewiring) <= 1.0
    ):
        raise ValueError(f"rewiring must be a probability in [0, 1]; got {rewiring!r}")
    rng = _as_generator(seed)
    try:
        H = nx.connected_watts_strogatz_graph(
            n, degree, float(rewiring), tries=100, seed=_nx_seed(rng)
        )
    except nx.NetworkXError as exc:  # pragma: no cover - needs very sparse/odd settings
        raise ValueError(
            f"could not draw a connected Watts-Strogatz graph with n={n}, degree={degree}, "
            f"rewiring={rewiring} in 100 tries; raise degree or lower rewiring ({exc})"
        ) from exc
    G = _canonical(H)
    validate_graph(G)
    return G


def barabasi_albert(n: int, degree: int = 4, seed: SeedLike = None) -> nx.Graph:
    """Barabási & Albert (1999) preferential-attachment graph with m = degree/2.

    ``degree`` is the target mean degree; it must be even with ``2 <= degree < n``.
    networkx starts from a star on m+1 nodes (m edges) and adds the remaining n-m-1 nodes
    with m edges each, so the graph has m + m(n-m-1) = m(n-m) edges (mean degree
    2m(n-m)/n, which tends to ``degree`` for n >> m).
    """
    n = _check_int("n", n, 3, "kind='barabasi_albert'")
    degree = _check_even_degree(degree, n, "kind='barabasi_albert'")
    rng = _as_generator(seed)
    H = nx.barabasi_albert_graph(n, degree // 2, seed=_nx_seed(rng))
    G = _canonical(H)
    validate_graph(G)
    return G


def erdos_renyi(n: int, degree: float = 4, seed: SeedLike = None) -> nx.Graph:
    """Connected Erdős & Rényi (1959) G(n, M) graph with M = round(n·degree/2) edges.

    ``degree`` is the mean degree (any real number in ``(0, n-1]``).  Samples
    ``nx.gnm_random_graph`` with successive seeds drawn from ``seed`` until the graph is
    connected, up to :data:`ER_MAX_TRIES` times, then raises ValueError asking for a
    larger ``degree`` (connectivity needs a mean degree of roughly ln n; Erdős & Rényi 1960).
    """
    n = _check_int("n", n, 2, "kind='erdos_renyi'")
    if (
        not isinstance(degree, numbers.Real)
        or isinstance(degree, bool)
        or not math.isfinite(float(degree))
        or not 0.0 < float(degree) <= n - 1
    ):
        raise ValueError(
            f"degree (mean degree) must be a number with 0 < degree <= n-1 (n={n}) for "
            f"kind='erdos_renyi'; got {degree!r}"
        )
    m = round(n * float(degree) / 2)
    m = min(m, n * (n - 1) // 2)
    if m < n - 1:
        raise ValueError(
            f"degree={degree} gives only {m} edges for n={n}, fewer than the n-1={n - 1} a "
            f"connected graph needs; raise degree to at least {2 * (n - 1) / n:.3g} "
            f"(in practice about ln(n) = {math.log(n):.2f} for connectivity)"
        )
    rng = _as_generator(seed)
    for _ in range(ER_MAX_TRIES):
        H = nx.gnm_random_graph(n, m, seed=_nx_seed(rng))
        if nx.is_connected(H):
            G = _canonical(H)
            validate_graph(G)
            return G
    raise ValueError(
        f"no connected Erdős-Rényi G(n={n}, M={m}) graph in {ER_MAX_TRIES} samples: raise "
        f"degree (currently {degree}); the minimum mean degree for connectivity is about "
        f"ln(n) = {math.log(n):.2f}"
    )


def build_network(
    kind: str,
    n: int,
    *,
    degree: int = 4,
    rewiring: float = 0.1,
    shape: tuple[int, int] | None = None,
    seed: SeedLike = None,
) -> nx.Graph:
    """Build a country network of ``kind`` (one of :data:`NETWORK_KINDS`) on ``n`` nodes.

    ``degree`` is used by ring, watts_strogatz, barabasi_albert (even, ``2 <= degree < n``)
    and erdos_renyi (mean degree); ``rewiring`` only by watts_strogatz; ``shape=(rows,
    cols)`` only by lattice (if None, ``n`` must be a perfect square >= 9 and the torus is
    sqrt(n) x sqrt(n)); ``seed`` by the random kinds.  Arguments a kind does not use are
    ignored, except that a non-None ``shape`` for a kind other than lattice is an error.
    All invalid arguments raise ValueError naming the argument.
    """
    if kind not in NETWORK_KINDS:
        raise ValueError(f"kind must be one of {', '.join(NETWORK_KINDS)}; got {kind!r}")
    if shape is not None and kind != "lattice":
        raise ValueError(
            f"shape is only used with kind='lattice'; got shape={shape!r} with kind={kind!r}"
        )
    if kind == "complete":
        return complete(n)
    if kind == "ring":
        return ring(n, degree)
    if kind == "lattice":
        n = _check_int("n", n, 9, "kind='lattice'")
        if shape is None:
            side = math.isqrt(n)
            if side * side != n:
                raise ValueError(
                    f"n must be a perfect square >= 9 for kind='lattice' when shape is None; "
                    f"got n={n} (or pass shape=(rows, cols) with rows*cols == n)"
                )
            return lattice(side, side)
        if (
            not isinstance(shape, (tuple, list))
            or len(shape) != 2
            or not all(_is_int(s) and int(s) >= 3 for s in shape)
            or int(shape[0]) * int(shape[1]) != n
        ):
            raise ValueError(
                f"shape must be a pair (rows, cols) of integers >= 3 with rows*cols == n "
                f"(n={n}); got {shape!r}"
            )
        return lattice(int(shape[0]), int(shape[1]))
    if kind == "watts_strogatz":
        return watts_strogatz(n, degree, rewiring, seed)
    if kind == "barabasi_albert":
        return barabasi_albert(n, degree, seed)
    return erdos_renyi(n, degree, seed)


def from_graph(
    G: nx.Graph,
    *,
    weight: str = "weight",
    allow_self_loops: bool = False,
    require_connected: bool = True,
) -> nx.Graph:
    """Convert a user graph with arbitrary hashable node labels into a country network.

    ``G`` is checked with :func:`validate_graph` (undirected, simple, >= 2 nodes, no
    self-loops unless allowed, connected unless not required, weights finite and > 0).
    Nodes are relabelled ``0..N-1`` in ``G``'s node iteration order; each new node keeps
    the user's node attributes plus ``"label"`` = the original label (overwriting any
    existing ``"label"`` attribute).  Each edge gets ``"weight"`` = float of the edge's
    ``weight`` attribute (1.0 if missing); other edge attributes are copied unchanged.
    Edges are inserted in sorted ``(min, max)`` order.  ``G`` is not modified.
    """
    validate_graph(
        G, require_connected=require_connected, allow_self_loops=allow_self_loops, weight=weight
    )
    index: dict[Hashable, int] = {label: i for i, label in enumerate(G.nodes)}
    H = nx.Graph()
    for label, data in G.nodes(data=True):
        attrs = dict(data)
        attrs["label"] = label
        H.add_node(index[label], **attrs)
    edges = []
    for u, v, data in G.edges(data=True):
        a, b = sorted((index[u], index[v]))
        attrs = {k: val for k, val in data.items() if k != weight}
        attrs["weight"] = float(data.get(weight, 1.0))
        edges.append((a, b, attrs))
    edges.sort(key=lambda e: (e[0], e[1]))
    H.add_edges_from(edges)
    return H


# --------------------------------------------------------------------------- arrays


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class EdgeArrays:
    """Flat numpy view of a country network over its 2M *directed* edges.

    Undirected edges are sorted lexicographically as ``(u, v)`` with ``u < v``; undirected
    edge ``k`` (``0 <= k < M``) yields directed edge ``k = u -> v`` and ``k + M = v -> u``,
    hence ``rev[e] == (e + M) % (2M)``.  All arrays are read-only.

    Attributes:
        n_nodes: number of nodes N.
        n_edges: number of *undirected* edges M (the directed arrays have length 2M).
        src, dst: int64 arrays (2M,), endpoints of each directed edge.
        rev: int64 array (2M,), index of the reverse directed edge.
        weight: float64 array (2M,), edge weight (identical for ``e`` and ``rev[e]``).
        degree: float64 array (N,), weighted degree = sum of incident edge weights.
        indptr: int64 array (N+1,), CSR row pointers by source node.
        indices: int64 array (2M,), neighbour node ids; the neighbours of node ``i`` are
            ``indices[indptr[i]:indptr[i+1]]``, in increasing directed-edge order.
        csr_edge: int64 array (2M,), the directed edge id of each CSR entry, so
            ``src[csr_edge[j]] == i`` and ``dst[csr_edge[j]] == indices[j]``.
    """

    n_nodes: int
    n_edges: int
    src: np.ndarray
    dst: np.ndarray
    rev: np.ndarray
    weight: np.ndarray
    degree: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    csr_edge: np.ndarray

    @property
    def n_directed(self) -> int:
        """Number of directed edges, 2M."""
        return 2 * self.n_edges

    @property
    def neighbors_csr(self) -> tuple[np.ndarray, np.ndarray]:
        """``(indptr, indices)``: neighbour lists in CSR form (see the class docstring)."""
        return self.indptr, self.indices

    @property
    def n_neighbors(self) -> np.ndarray:
        """Unweighted degree (number of neighbours) per node, int64 (N,)."""
        return np.diff(self.indptr)


def edge_arrays(G: nx.Graph) -> EdgeArrays:
    """Build the :class:`EdgeArrays` of a country network ``G`` (nodes exactly 0..N-1).

    ``G`` is checked with :func:`validate_graph` (connectivity not required); self-loops
    are rejected because the engine does not support them.  Missing weights count as 1.0.
    """
    validate_graph(G, require_connected=False, allow_self_loops=False)
    n = G.number_of_nodes()
    if set(G.nodes) != set(range(n)):
        raise ValueError(
            "G's nodes must be exactly the integers 0..N-1; convert the graph with "
            "from_graph(G) first"
        )
    m = G.number_of_edges()
    und = np.empty((m, 2), dtype=np.int64)
    w_und = np.empty(m, dtype=np.float64)
    for k, (u, v, data) in enumerate(G.edges(data=True)):
        und[k, 0] = min(u, v)
        und[k, 1] = max(u, v)
        w_und[k] = float(data.get("weight", 1.0))
    order = np.lexsort((und[:, 1], und[:, 0]))
    und = und[order]
    w_und = w_und[order]
    src = np.concatenate([und[:, 0], und[:, 1]])
    dst = np.concatenate([und[:, 1], und[:, 0]])
    weight = np.concatenate([w_und, w_und])
    e = np.arange(2 * m, dtype=np.int64)
    rev = (e + m) % (2 * m) if m > 0 else e
    degree = np.bincount(src, weights=weight, minlength=n).astype(np.float64)
    csr_edge = np.argsort(src, kind="stable").astype(np.int64)
    indices = dst[csr_edge]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return EdgeArrays(
        n_nodes=n,
        n_edges=m,
        src=_readonly(src),
        dst=_readonly(dst),
        rev=_readonly(rev),
        weight=_readonly(weight),
        degree=_readonly(degree),
        indptr=_readonly(indptr),
        indices=_readonly(indices),
        csr_edge=_readonly(csr_edge),
    )
