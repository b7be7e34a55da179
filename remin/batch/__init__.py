"""remin batch: score many BOM files, one row per file and SKU, in parallel
worker processes or on a Dask cluster, resuming where an earlier run stopped."""
from remin.batch.files import expand_inputs  # noqa: F401
from remin.batch.output import write_output  # noqa: F401
from remin.batch.run import BatchInterrupted, BatchReport, run_batch  # noqa: F401
from remin.batch.score import BatchOptions, FileResult, ScoringContext, load_context, score_file  # noqa: F401
