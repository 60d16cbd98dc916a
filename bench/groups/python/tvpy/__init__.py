"""tvpbench's Python group: the claims measured in CPython itself.

The C harness plans every case (benchmark, variant, placement, PUs) and starts one worker
process per case (tvp_worker.py); the worker runs batches on request and returns totals. The
statistics, the CSV/JSON and the charts are the C harness's, so Python rows read like C rows.
Standard library only."""
