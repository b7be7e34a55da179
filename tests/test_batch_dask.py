"""remin batch --scheduler: the same work on a Dask cluster gives the same rows."""
from __future__ import annotations

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from remin.batch import BatchOptions, run_batch  # noqa: E402

from test_batch import AS_OF, EXPECTED, write_boms  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    # one in-process worker thread: fast to start, bounded, no extra processes
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as c:
        yield c


def test_dask_results_are_identical_to_local(tmp_path, cluster, cli):
    boms = write_boms(tmp_path / "boms", n=12, broken=7)
    options = BatchOptions(as_of=pd.Timestamp(AS_OF).date())
    local = run_batch([str(boms)], options, output=tmp_path / "local.csv", workers=2)
    on_dask = cli("batch", boms, "--scheduler", cluster.scheduler_address, "--as-of", AS_OF,
                  "--output", tmp_path / "dask.csv")
    assert on_dask.exit_code == 0, on_dask.output
    assert "12 files: 11 scored, 1 failed (0 from earlier runs)" in on_dask.stderr
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "dask.csv"), pd.read_csv(tmp_path / "local.csv"))
    assert len(local.failures) == 1 and local.failures[0].file.endswith("bom-007.csv")
    sku4 = local.frame.set_index("sku").loc["SKU-4"]
    assert (sku4["verdict"], sku4["cn_controlled_kg"]) == (EXPECTED[1][0], pytest.approx(EXPECTED[1][1]))


def test_dask_run_resumes_from_the_same_state(tmp_path, cluster):
    boms = write_boms(tmp_path / "boms", n=3, broken=None)
    options = BatchOptions(as_of=pd.Timestamp(AS_OF).date())
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        first = run_batch([str(boms)], options, output=tmp_path / "s.json", scheduler=client)
        again = run_batch([str(boms)], options, output=tmp_path / "s.json", scheduler=client)
    assert (first.reused, again.reused) == (0, 3)
    pd.testing.assert_frame_equal(first.frame, again.frame)
