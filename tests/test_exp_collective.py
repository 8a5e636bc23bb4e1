"""The collective catalogue experiments (institutions, hegemon, flexibility) on reduced designs
through the real sweep runner: points run, analyses write figures and summaries, and the
direction the paper argues where it is robust."""

import pandas as pd
import pytest

from experiments import sweep as sw
from experiments.catalogue.flexibility import EXPERIMENT as FLEXIBILITY
from experiments.catalogue.flexibility import paired_differences
from experiments.catalogue.hegemon import EXPERIMENT as HEGEMON
from experiments.catalogue.hegemon import resized_countries
from experiments.catalogue.institutions import EXPERIMENT as INSTITUTIONS

ISSUE_10 = pytest.mark.xfail(
    reason="issue 10: with individually rational councils (P_i = the status quo) this built-in "
    "claim no longer holds; the broker, institutions and flexibility are rebuilt to earn it",
    strict=True,
)


def _run(exp, points, replicates, tmp_path):
    folder = tmp_path / exp.name
    sw.Sweep(exp.name, points, replicates=replicates, run=exp.run).run(
        folder, engine="serial", progress=False
    )
    df = sw.load_results(folder).assign(part="reduced")
    assert df["error"].isna().all(), df["error"].dropna().tolist()
    return df, exp.analyze(df, folder), folder


@pytest.mark.parametrize("exp", [INSTITUTIONS, HEGEMON, FLEXIBILITY], ids=lambda e: e.name)
def test_default_designs_are_modest_and_scale_grows_them(exp):
    for part in exp.parts.values():
        assert 0 < len(part.points(1.0)) * part.replicates <= 300
        assert len(part.points(3.0)) > len(part.points(1.0))


@ISSUE_10
def test_institutions_table_and_figure(tmp_path):
    points = INSTITUTIONS.parts["institutions"].points(1.0)
    df, summary, folder = _run(INSTITUTIONS, points, 2, tmp_path)
    assert summary.startswith("# Institutions")
    for name in ("none", "plurilateral", "supranational", "minilateral", "hegemon-led"):
        assert f"| {name} |" in summary
    assert (folder / "institutions.png").read_bytes()[:4] == b"\x89PNG"
    m = df.groupby("institution")[["coordination_costs", "sovereignty_costs"]].mean()
    assert m.loc["none"].sum() == 0.0  # no coordinator, nothing to pay
    assert m.loc["supranational", "sovereignty_costs"] > 0.0  # only a binding plan costs it
    assert m.drop("supranational")["sovereignty_costs"].eq(0.0).all()
    w = df.groupby("institution")["welfare"].mean()
    assert w["plurilateral"] > w["none"]  # coordination beats going alone in the classroom


@ISSUE_10
def test_hegemon_lines_and_summary(tmp_path):
    points = [p for p in HEGEMON.parts["sizes"].points(1.0) if p["size_share"] in (0.3, 0.8)]
    df, summary, folder = _run(HEGEMON, points, 1, tmp_path)
    assert summary.startswith("# Hegemon") and "| coercive | 0.8 |" in summary
    assert (folder / "hegemon.png").read_bytes()[:4] == b"\x89PNG"
    countries = resized_countries(0.65)
    gdp = [c["gdp"] for c in countries]
    assert max(gdp) / sum(gdp) == pytest.approx(0.65)
    with pytest.raises(ValueError, match="largest"):
        resized_countries(0.2)
    # a coercive hegemon's punishments are burnt: welfare no higher than without a hegemon
    w = df.groupby(["hegemon", "size_share"])["welfare"].mean().unstack(0)
    assert (w["coercive"] <= w["none"] + 1e-9).all()


@ISSUE_10
def test_flexibility_pairs_share_shocks_and_compositional_keeps_members(tmp_path):
    points = FLEXIBILITY.parts["switches"].points(1.0)
    df, summary, folder = _run(FLEXIBILITY, points, 4, tmp_path)
    assert summary.startswith("# Flexibility")
    assert (folder / "flexibility.png").read_bytes()[:4] == b"\x89PNG"
    keys = ["flexibility", "replicate"]
    shocks = df.pivot_table(
        index=keys, columns="flexible", values=["elections", "technology_shocks"]
    )
    for name in ("elections", "technology_shocks"):  # common random numbers: the same shocks
        pd.testing.assert_series_equal(
            shocks[(name, False)], shocks[(name, True)], check_names=False
        )
    diff = paired_differences(df).set_index("flexibility")
    assert (diff.loc["compositional", "participation"] >= -1e-12).all()  # every replicate
    assert diff.loc["longitudinal", "participation"].mean() > 0
    assert diff.loc["longitudinal", "survival_rounds"].mean() > 0
