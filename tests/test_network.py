"""Tests for model/network.py: topologies, determinism, validation and edge arrays.

Expected values come from hand counting or from the construction of each model
(Watts & Strogatz 1998, Barabási & Albert 1999, Erdős & Rényi 1959, Nowak & May 1992).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model import network as net


def edge_set(G: nx.Graph) -> set[tuple[int, int]]:
    return {(min(u, v), max(u, v)) for u, v in G.edges()}


def check_canonical(G: nx.Graph) -> None:
    """Nodes exactly 0..N-1 in order, every edge has a float weight."""
    assert list(G.nodes) == list(range(G.number_of_nodes()))
    assert all(isinstance(w, float) for _, _, w in G.edges(data="weight"))


# --------------------------------------------------------------------------- topologies


def test_network_kinds_constant():
    assert net.NETWORK_KINDS == (
        "complete",
        "ring",
        "lattice",
        "watts_strogatz",
        "barabasi_albert",
        "erdos_renyi",
    )


@pytest.mark.parametrize("n", [2, 3, 7, 20])
def test_complete_edge_count(n):
    G = net.build_network("complete", n)
    check_canonical(G)
    assert G.number_of_edges() == n * (n - 1) // 2
    assert all(d == n - 1 for _, d in G.degree())


@pytest.mark.parametrize(("n", "degree"), [(3, 2), (10, 2), (10, 4), (11, 6), (30, 8)])
def test_ring_edge_count_and_regular(n, degree):
    G = net.build_network("ring", n, degree=degree)
    check_canonical(G)
    assert G.number_of_edges() == n * degree // 2
    assert all(d == degree for _, d in G.degree())
    assert nx.is_connected(G)


def test_ring_neighbours_by_hand():
    G = net.ring(8, 4)
    assert set(G[0]) == {1, 2, 6, 7}
    assert set(G[5]) == {3, 4, 6, 7}


@pytest.mark.parametrize(("rows", "cols"), [(3, 3), (4, 4), (3, 5), (6, 4), (50, 50)])
def test_lattice_edge_count_and_moore_degree(rows, cols):
    G = net.lattice(rows, cols)
    check_canonical(G)
    assert G.number_of_nodes() == rows * cols
    assert G.number_of_edges() == 4 * rows * cols
    assert all(d == 8 for _, d in G.degree())


def test_lattice_4x4_node0_neighbours_by_hand():
    # Node 0 = (r0, c0); torus rows {3, 0, 1} x cols {3, 0, 1} minus itself:
    # (0,1)=1 (0,3)=3 (1,0)=4 (3,0)=12 (1,1)=5 (1,3)=7 (3,1)=13 (3,3)=15.
    G = net.build_network("lattice", 16)
    assert set(G[0]) == {1, 3, 4, 12, 5, 7, 13, 15}
    # Interior node 5 = (1,1): rows {0,1,2} x cols {0,1,2} minus itself.
    assert set(G[5]) == {0, 1, 2, 4, 6, 8, 9, 10}


def test_lattice_non_square_uses_r_times_cols_plus_c():
    # 3 rows x 5 cols: node 0's neighbours are rows {2,0,1} x cols {4,0,1} minus itself.
    G = net.build_network("lattice", 15, shape=(3, 5))
    assert set(G[0]) == {1, 4, 5, 6, 9, 10, 11, 14}
    # node 7 = (1, 2): rows {0,1,2} x cols {1,2,3}
    assert set(G[7]) == {1, 2, 3, 6, 8, 11, 12, 13}


@pytest.mark.parametrize(("n", "degree", "rewiring"), [(20, 4, 0.1), (100, 6, 0.5), (50, 2, 0.0)])
def test_watts_strogatz_keeps_edges_and_connected(n, degree, rewiring):
    G = net.build_network("watts_strogatz", n, degree=degree, rewiring=rewiring, seed=3)
    check_canonical(G)
    assert G.number_of_edges() == n * degree // 2
    assert nx.is_connected(G)


def test_watts_strogatz_zero_rewiring_is_ring():
    assert edge_set(net.watts_strogatz(20, 4, 0.0, seed=1)) == edge_set(net.ring(20, 4))


def test_watts_strogatz_full_rewiring_differs_from_ring():
    G = net.watts_strogatz(60, 4, 1.0, seed=1)
    assert G.number_of_edges() == 120
    assert edge_set(G) != edge_set(net.ring(60, 4))


@pytest.mark.parametrize(("n", "degree"), [(3, 2), (10, 2), (50, 6), (200, 4)])
def test_barabasi_albert_edge_count(n, degree):
    # networkx: star on m+1 nodes (m edges) then n-m-1 nodes with m edges each:
    # m + m(n-m-1) = m(n-m).  E.g. n=50, m=3: 3 + 46*3 = 141 = 3*47.
    m = degree // 2
    G = net.build_network("barabasi_albert", n, degree=degree, seed=7)
    check_canonical(G)
    assert G.number_of_edges() == m * (n - m)
    assert nx.is_connected(G)
    assert min(d for _, d in G.degree()) >= m


def test_barabasi_albert_hand_count():
    assert net.barabasi_albert(50, 6, seed=0).number_of_edges() == 141


def test_erdos_renyi_100_6_has_300_edges_and_connected():
    G = net.build_network("erdos_renyi", 100, degree=6, seed=11)
    check_canonical(G)
    assert G.number_of_edges() == 300
    assert nx.is_connected(G)


def test_erdos_renyi_fractional_mean_degree():
    G = net.erdos_renyi(40, 5.5, seed=2)  # round(40 * 5.5 / 2) = 110
    assert G.number_of_edges() == 110
    assert nx.is_connected(G)


def test_erdos_renyi_resamples_until_connected(monkeypatch):
    # n=30, degree=3 -> M=45 edges: a single G(n, M) draw is connected only ~25% of the
    # time (a tree needs 29 edges), so resampling must kick in for some seeds.
    calls = []
    original = nx.gnm_random_graph

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(net.nx, "gnm_random_graph", counting)
    draws = []
    for seed in range(10):
        calls.clear()
        G = net.erdos_renyi(30, 3, seed=seed)
        draws.append(len(calls))
        assert G.number_of_edges() == 45
        assert nx.is_connected(G)
    assert max(draws) > 1


def test_erdos_renyi_gives_up_and_asks_for_higher_degree():
    # n=500, degree=2 -> M=500: connected only with negligible probability.
    with pytest.raises(ValueError, match="degree") as info:
        net.erdos_renyi(500, 2, seed=0)
    assert "ln(n)" in str(info.value)


def test_erdos_renyi_too_few_edges_for_connectivity():
    with pytest.raises(ValueError, match="degree"):
        net.erdos_renyi(100, 1.5, seed=0)  # 75 edges < 99


def test_lattice_50x50_is_fast():
    import time

    t0 = time.perf_counter()
    G = net.build_network("lattice", 2500)
    assert time.perf_counter() - t0 < 2.0
    assert G.number_of_edges() == 10000


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("kind", ["watts_strogatz", "barabasi_albert", "erdos_renyi"])
def test_same_int_seed_same_edge_list(kind):
    a = net.build_network(kind, 60, degree=6, rewiring=0.3, seed=123)
    b = net.build_network(kind, 60, degree=6, rewiring=0.3, seed=123)
    assert list(a.edges(data=True)) == list(b.edges(data=True))


@pytest.mark.parametrize("kind", ["watts_strogatz", "barabasi_albert", "erdos_renyi"])
def test_same_generator_state_same_edge_list(kind):
    a = net.build_network(kind, 60, degree=6, rewiring=0.3, seed=np.random.default_rng(5))
    b = net.build_network(kind, 60, degree=6, rewiring=0.3, seed=np.random.default_rng(5))
    assert list(a.edges()) == list(b.edges())


def test_generator_is_advanced_between_calls():
    rng = np.random.default_rng(5)
    a = net.erdos_renyi(60, 6, seed=rng)
    b = net.erdos_renyi(60, 6, seed=rng)
    assert edge_set(a) != edge_set(b)


def test_different_seeds_give_different_er_graphs():
    graphs = [edge_set(net.erdos_renyi(60, 6, seed=s)) for s in range(5)]
    assert len({frozenset(g) for g in graphs}) == 5


@pytest.mark.parametrize("kind", ["complete", "ring", "lattice"])
def test_deterministic_kinds_ignore_seed(kind):
    a = net.build_network(kind, 16, seed=1)
    b = net.build_network(kind, 16, seed=2)
    assert list(a.edges()) == list(b.edges())


def test_edges_are_in_sorted_order():
    G = net.build_network("barabasi_albert", 40, degree=4, seed=9)
    edges = list(G.edges())
    assert all(u < v for u, v in edges)
    assert edges == sorted(edges)


# --------------------------------------------------------------------------- edge_arrays


def _check_edge_arrays(G: nx.Graph) -> None:
    ea = net.edge_arrays(G)
    M = G.number_of_edges()
    N = G.number_of_nodes()
    assert ea.n_nodes == N and ea.n_edges == M
    for arr in (ea.src, ea.dst, ea.rev, ea.weight):
        assert arr.shape == (2 * M,)
    assert ea.src.dtype == np.int64 and ea.dst.dtype == np.int64 and ea.rev.dtype == np.int64
    assert ea.weight.dtype == np.float64 and ea.degree.dtype == np.float64
    e = np.arange(2 * M)
    np.testing.assert_array_equal(ea.rev[ea.rev], e)
    np.testing.assert_array_equal(ea.src[ea.rev], ea.dst)
    np.testing.assert_array_equal(ea.dst[ea.rev], ea.src)
    np.testing.assert_array_equal(ea.weight[ea.rev], ea.weight)
    assert not np.any(ea.rev == e)  # no edge is its own reverse
    # first half: (u < v) sorted lexicographically; each undirected edge exactly once
    assert np.all(ea.src[:M] < ea.dst[:M])
    pairs = list(zip(ea.src[:M].tolist(), ea.dst[:M].tolist(), strict=True))
    assert pairs == sorted(edge_set(G))
    for k, (u, v) in enumerate(pairs):
        assert ea.weight[k] == G.edges[u, v].get("weight", 1.0)
    # weighted degree equals networkx's
    expected = np.array([G.degree(i, weight="weight") for i in range(N)], dtype=float)
    np.testing.assert_allclose(ea.degree, expected)
    # CSR neighbour lists
    indptr, indices = ea.neighbors_csr
    assert indptr.shape == (N + 1,) and indptr[0] == 0 and indptr[-1] == 2 * M
    for i in range(N):
        row = indices[indptr[i] : indptr[i + 1]]
        assert sorted(row.tolist()) == sorted(G[i])
        edges_i = ea.csr_edge[indptr[i] : indptr[i + 1]]
        assert np.all(np.diff(edges_i) > 0)  # directed-edge order
        np.testing.assert_array_equal(ea.src[edges_i], i)
        np.testing.assert_array_equal(ea.dst[edges_i], row)
    np.testing.assert_array_equal(ea.n_neighbors, [G.degree(i) for i in range(N)])


@pytest.mark.parametrize(
    "G",
    [
        net.complete(5),
        net.ring(12, 4),
        net.lattice(4, 5),
        net.watts_strogatz(30, 4, 0.2, seed=1),
        net.barabasi_albert(30, 4, seed=1),
        net.erdos_renyi(30, 5, seed=1),
    ],
    ids=list(net.NETWORK_KINDS),
)
def test_edge_arrays_invariants_builders(G):
    _check_edge_arrays(G)


def test_edge_arrays_small_example_by_hand():
    G = nx.Graph()
    G.add_nodes_from(range(3))
    G.add_edge(2, 0, weight=3.0)
    G.add_edge(1, 0, weight=0.5)
    ea = net.edge_arrays(G)
    # sorted undirected edges: (0,1) w .5, (0,2) w 3
    np.testing.assert_array_equal(ea.src, [0, 0, 1, 2])
    np.testing.assert_array_equal(ea.dst, [1, 2, 0, 0])
    np.testing.assert_array_equal(ea.rev, [2, 3, 0, 1])
    np.testing.assert_array_equal(ea.weight, [0.5, 3.0, 0.5, 3.0])
    np.testing.assert_array_equal(ea.degree, [3.5, 0.5, 3.0])
    np.testing.assert_array_equal(ea.indptr, [0, 2, 3, 4])
    np.testing.assert_array_equal(ea.indices, [1, 2, 0, 0])
    np.testing.assert_array_equal(ea.csr_edge, [0, 1, 2, 3])


def test_edge_arrays_are_read_only():
    ea = net.edge_arrays(net.ring(6, 2))
    with pytest.raises(ValueError):
        ea.src[0] = 5


def test_edge_arrays_rejects_self_loops_and_bad_labels():
    G = net.ring(6, 2)
    G.add_edge(3, 3, weight=1.0)
    with pytest.raises(ValueError, match="self-loop"):
        net.edge_arrays(G)
    H = nx.relabel_nodes(net.ring(6, 2), {0: 10})
    with pytest.raises(ValueError, match=r"0\.\.N-1"):
        net.edge_arrays(H)


def test_edge_arrays_allows_disconnected_and_no_edges():
    G = nx.Graph()
    G.add_nodes_from(range(4))
    G.add_edge(0, 1)
    _check_edge_arrays(G)
    E = nx.empty_graph(3)
    ea = net.edge_arrays(E)
    assert ea.n_edges == 0 and ea.src.shape == (0,)
    np.testing.assert_array_equal(ea.indptr, [0, 0, 0, 0])


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 25),
    p=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
    weighted=st.booleans(),
)
def test_edge_arrays_invariants_random_graphs(n, p, seed, weighted):
    G = nx.gnp_random_graph(n, p, seed=seed)
    if weighted:
        rng = np.random.default_rng(seed)
        for u, v in G.edges():
            G.edges[u, v]["weight"] = float(rng.uniform(0.1, 5.0))
    _check_edge_arrays(G)


# --------------------------------------------------------------------------- from_graph


def test_from_graph_relabels_strings_and_keeps_labels():
    G = nx.Graph()
    G.add_nodes_from(["FR", "DE", "IT"])
    G.nodes["DE"]["gdp"] = 4.0
    G.add_edge("FR", "DE", weight=2)
    G.add_edge("IT", "FR")
    H = net.from_graph(G)
    check_canonical(H)
    assert [H.nodes[i]["label"] for i in range(3)] == ["FR", "DE", "IT"]
    assert H.nodes[1]["gdp"] == 4.0
    assert edge_set(H) == {(0, 1), (0, 2)}
    assert H.edges[0, 1]["weight"] == 2.0 and isinstance(H.edges[0, 1]["weight"], float)
    assert H.edges[0, 2]["weight"] == 1.0  # missing -> 1.0
    assert "label" not in G.nodes["FR"]  # input untouched


def test_from_graph_custom_weight_attribute():
    G = nx.Graph()
    G.add_edge("a", "b", trade=3.5)
    G.add_edge("b", "c", trade=0.25)
    H = net.from_graph(G, weight="trade")
    assert H.edges[0, 1]["weight"] == 3.5
    assert H.edges[1, 2]["weight"] == 0.25
    np.testing.assert_allclose(net.edge_arrays(H).degree, [3.5, 3.75, 0.25])


def test_from_graph_tuple_labels_roundtrip():
    G = nx.grid_2d_graph(3, 3)
    H = net.from_graph(G)
    labels = [H.nodes[i]["label"] for i in range(9)]
    assert labels == list(G.nodes)
    back = nx.relabel_nodes(H, {i: labels[i] for i in range(9)})
    assert edge_set(H) == edge_set(net.from_graph(back))
    assert {frozenset(e) for e in back.edges()} == {frozenset(e) for e in G.edges()}


def test_from_graph_self_loop():
    G = nx.path_graph(["a", "b", "c"])
    G.add_edge("b", "b")
    with pytest.raises(ValueError, match="self-loop"):
        net.from_graph(G)
    H = net.from_graph(G, allow_self_loops=True)
    assert H.has_edge(1, 1)


def test_from_graph_disconnected():
    G = nx.Graph([("a", "b"), ("c", "d")])
    with pytest.raises(ValueError, match="not connected"):
        net.from_graph(G)
    H = net.from_graph(G, require_connected=False)
    assert H.number_of_nodes() == 4


def test_from_graph_directed_and_multigraph():
    with pytest.raises(ValueError, match="undirected"):
        net.from_graph(nx.DiGraph([(0, 1), (1, 0)]))
    with pytest.raises(ValueError, match="multigraph"):
        net.from_graph(nx.MultiGraph([(0, 1), (0, 1)]))


def test_from_graph_too_small_and_not_a_graph():
    G = nx.Graph()
    G.add_node("solo")
    with pytest.raises(ValueError, match="at least 2 nodes"):
        net.from_graph(G)
    with pytest.raises(ValueError, match=r"networkx\.Graph"):
        net.from_graph([(0, 1)])  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf, "heavy", True])
def test_from_graph_bad_weights(bad):
    G = nx.Graph()
    G.add_edge("x", "y", weight=1.0)
    G.add_edge("y", "z", weight=bad)
    with pytest.raises(ValueError, match="weight") as info:
        net.from_graph(G)
    msg = str(info.value)
    assert "'y'" in msg and "'z'" in msg and repr(bad) in msg


def test_validate_graph_accepts_numpy_weights():
    G = nx.Graph()
    G.add_edge(0, 1, weight=np.float32(2.0))
    G.add_edge(1, 2, weight=np.int64(3))
    net.validate_graph(G)
    np.testing.assert_allclose(net.edge_arrays(G).degree, [2.0, 5.0, 3.0])


# --------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: net.build_network("grid", 10), "kind"),
        (lambda: net.build_network("complete", 1), "n"),
        (lambda: net.build_network("complete", 5.0), "n"),
        (lambda: net.build_network("ring", 2, degree=2), "n"),
        (lambda: net.build_network("ring", 10, degree=3), "degree"),
        (lambda: net.build_network("ring", 10, degree=10), "degree"),
        (lambda: net.build_network("ring", 10, degree=0), "degree"),
        (lambda: net.build_network("watts_strogatz", 10, degree=5), "degree"),
        (lambda: net.build_network("watts_strogatz", 10, rewiring=1.5), "rewiring"),
        (lambda: net.build_network("watts_strogatz", 10, rewiring=-0.1), "rewiring"),
        (lambda: net.build_network("barabasi_albert", 10, degree=1), "degree"),
        (lambda: net.build_network("barabasi_albert", 10, degree=12), "degree"),
        (lambda: net.build_network("erdos_renyi", 10, degree=0), "degree"),
        (lambda: net.build_network("erdos_renyi", 10, degree=10), "degree"),
        (lambda: net.build_network("erdos_renyi", 10, degree=math.nan), "degree"),
        (lambda: net.build_network("lattice", 10), "n"),
        (lambda: net.build_network("lattice", 4), "n"),
        (lambda: net.build_network("lattice", 12, shape=(3, 5)), "shape"),
        (lambda: net.build_network("lattice", 10, shape=(2, 5)), "shape"),
        (lambda: net.build_network("lattice", 9, shape=3), "shape"),
        (lambda: net.build_network("ring", 9, shape=(3, 3)), "shape"),
        (lambda: net.build_network("erdos_renyi", 10, seed="abc"), "seed"),
        (lambda: net.build_network("erdos_renyi", 10, seed=-1), "seed"),
        (lambda: net.lattice(2, 5), "rows"),
        (lambda: net.lattice(5, 2), "cols"),
    ],
)
def test_bad_arguments_raise_value_error_naming_argument(call, name):
    with pytest.raises(ValueError) as info:
        call()
    assert name in str(info.value)


def test_unknown_kind_lists_allowed_kinds():
    with pytest.raises(ValueError) as info:
        net.build_network("small_world", 10)
    for kind in net.NETWORK_KINDS:
        assert kind in str(info.value)


def test_degree_error_states_range():
    with pytest.raises(ValueError, match=r"even.*2 <= degree < n"):
        net.ring(10, 3)
