"""Running a batch: which files still need scoring, scoring them in local
worker processes or on a Dask cluster, recording each result as it arrives,
and writing the report."""
from __future__ import annotations

import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from remin.batch.files import expand_inputs, file_digests
from remin.batch.output import output_format, rows_frame, write_output
from remin.batch.score import FAILED, SCORED, BatchOptions, FileResult, ScoringContext, load_context, score_file
from remin.batch.state import BatchState, state_path_for
from remin.errors import ReminError


class BatchInterrupted(ReminError):
    """Scoring stopped before every file was done; what was done is kept for the next run."""


@dataclass
class BatchReport:
    """What ``run_batch`` did. ``frame``: the output rows (sorted by file, SKU)."""

    files: list[str]
    results: dict[str, FileResult]
    reused: int
    seconds: float
    frame: pd.DataFrame
    about: dict
    output: Path | None = None

    @property
    def scored(self) -> list[str]:
        return [f for f in self.files if self.results[f].status == SCORED]

    @property
    def failures(self) -> list[FileResult]:
        return [self.results[f] for f in self.files if self.results[f].status == FAILED]

    @property
    def files_per_second(self) -> float:
        """Files scored in this run (not reused) per second of wall time."""
        fresh = len(self.files) - self.reused
        return fresh / self.seconds if self.seconds > 0 and fresh else 0.0


def run_batch(inputs: Sequence[str], options: BatchOptions = BatchOptions(), *, output: str | Path | None = None,
              state: str | Path | None = None, force: bool = False, workers: int | None = None,
              scheduler=None, progress: bool = False) -> BatchReport:
    """Score every BOM file ``inputs`` name (files, folders, globs): one row per file and SKU.

    ``output``: .csv/.json/.xlsx report to write (optional). ``state``: the
    resume store (default: beside ``output``; none without an output). Files
    whose content was already scored with the same fingerprint (rules and date,
    shipped data, materials, mapping, library state, options) are taken from it
    unless ``force``. ``workers``: local processes (default: CPU count).
    ``scheduler``: a Dask scheduler address (or a ``distributed.Client``) to
    score on a cluster instead. ``progress``: show a progress bar on stderr.
    A file that cannot be scored is a failed row; the batch goes on.
    """
    if output is not None:
        output_format(output)  # a bad suffix is a usage error before any work
    started = time.perf_counter()
    ctx = load_context(options)
    state_path = Path(state) if state is not None else (state_path_for(output) if output is not None else None)
    files = expand_inputs(inputs, exclude=[p for p in (output, state_path) if p is not None])
    digests = file_digests(files)
    store = BatchState(state_path) if state_path is not None else None
    try:
        known = {} if force or store is None else store.known(digests.values(), ctx.fingerprint)
        results = {f: _relabel(known[digests[f]], f) for f in files if digests[f] in known}
        reused = len(results)
        todo = [(f, digests[f]) for f in files if f not in results]

        bar = _progress_bar(len(files), reused, progress)

        def record(result: FileResult) -> None:
            results[result.file] = result
            if store is not None:
                store.save(result, ctx.fingerprint)
            bar.update(1)

        try:
            if scheduler is not None:
                _score_on_dask(todo, ctx, scheduler, record)
            else:
                _score_locally(todo, ctx, workers or os.cpu_count() or 1, record)
        except (KeyboardInterrupt, BrokenProcessPool) as e:
            why = "interrupted" if isinstance(e, KeyboardInterrupt) else "a worker process died (out of memory?)"
            stopped = BatchInterrupted(f"{why}: {len(results)} of {len(files)} files done and kept"
                                       + (f" in {state_path}; run the same command again to resume" if store
                                          else ""))
            stopped.exit_code = 130 if isinstance(e, KeyboardInterrupt) else 3
            raise stopped from None
        finally:
            bar.close()
    finally:
        if store is not None:
            store.close()
    seconds = time.perf_counter() - started
    frame = rows_frame([row for f in files for row in results[f].to_rows()])
    about = _about(ctx, files, results, reused)
    report = BatchReport(files, results, reused, seconds, frame, about)
    if output is not None:
        report.output = write_output(output, frame, about)
    return report


def _relabel(result: FileResult, path: str) -> FileResult:
    """A stored result for the same content at ``path`` (errors name ``path``)."""
    error = result.error.replace(result.file, path) if result.error and result.file else result.error
    return replace(result, file=path, error=error)


# ---------------------------------------------------------------- local processes

_WORKER_CONTEXT: ScoringContext | None = None


def _init_worker(ctx: ScoringContext) -> None:
    """Each worker receives the loaded context once; Ctrl-C is the parent's to handle."""
    global _WORKER_CONTEXT
    _WORKER_CONTEXT = ctx
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _score_in_worker(path: str, sha256: str | None) -> FileResult:
    return score_file(path, _WORKER_CONTEXT, sha256)


def _score_locally(todo, ctx: ScoringContext, workers: int, record: Callable[[FileResult], None]) -> None:
    workers = max(1, min(workers, len(todo)))
    if workers == 1:  # no pool to start for one file or one worker
        for path, sha in todo:
            record(score_file(path, ctx, sha))
        return
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(ctx,))
    try:
        futures = [pool.submit(_score_in_worker, path, sha) for path, sha in todo]
        for future in as_completed(futures):
            record(future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------- Dask

def _score_on_dask(todo, ctx: ScoringContext, scheduler, record: Callable[[FileResult], None]) -> None:
    """The same ``score_file`` on a Dask cluster. Workers need remin installed and
    the BOM files at the same paths (a shared file system); the context (rules,
    materials, mapping, library snapshot) is sent to them once."""
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError:
        raise ReminError("--scheduler needs Dask: pip install 'remin[dask]'") from None
    if not todo:
        return
    own_client = not isinstance(scheduler, Client)
    client = Client(scheduler, set_as_default=False) if own_client else scheduler
    try:
        shared = client.scatter(ctx, broadcast=True)
        futures = client.map(_score_on_worker, [p for p, _ in todo], [sha for _, sha in todo], context=shared,
                             pure=False)  # pure=False: fresh keys, never a stale result of another batch
        by_key = {f.key: item for f, item in zip(futures, todo)}
        for future in dask_completed(futures, loop=client.loop):
            if future.status == "finished":
                record(future.result())
            else:  # the task itself failed (e.g. its workers kept dying): that file's failure
                path, sha = by_key[future.key]
                record(FileResult(path, sha, FAILED, error=f"not scored on the cluster: {_task_error(future)}"))
            future.release()
    finally:
        if own_client:
            client.close()


def _score_on_worker(path: str, sha256: str | None, context: ScoringContext) -> FileResult:
    return score_file(path, context, sha256)


def _task_error(future) -> str:
    try:
        return repr(future.exception())
    except Exception as e:  # cancelled: there is no exception to fetch
        return f"{future.status} ({type(e).__name__})"


# ---------------------------------------------------------------- reporting

def _progress_bar(total: int, done: int, enabled: bool):
    from tqdm import tqdm
    return tqdm(total=total, initial=done, unit="file", file=sys.stderr, disable=not enabled,
                dynamic_ncols=True, desc="remin batch")


def _about(ctx: ScoringContext, files, results, reused) -> dict:
    on_date = ctx.rules.evaluate(ctx.as_of, as_written=ctx.options.as_written)
    statuses = pd.Series([results[f].status for f in files], dtype=object)
    return {
        "rules": {"id": on_date.rule_set, "as_of": on_date.as_of.isoformat(), "as_written": on_date.as_written,
                  "status": on_date.status, "fingerprint": ctx.rules_fingerprint},
        "library": None if ctx.library is None else {"path": ctx.library.path, "state": ctx.library.state},
        "fingerprint": ctx.fingerprint,
        "files": len(files), "scored": int((statuses == SCORED).sum()), "failed": int((statuses == FAILED).sum()),
        "reused": reused,
    }
