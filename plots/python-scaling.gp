# Speed-up of a CPU-bound job against workers: C's free threads, threads under the emulated GIL
# and processes (solid) next to Python's threads, Pool processes and, when the machine has one,
# a free-threaded build's threads (dashed).
# Data: charts/python-scaling.dat ("# series: ..."; workers, then median/low/high speed-up per
# series; only series with figures are written).
set title 'Speed-up over one worker: C and Python (ratio, 95% CI)'
set xlabel 'workers'
set xtics 1
set ylabel 'speed-up (x)'
set key top left noenhanced
set offsets graph 0.05, graph 0.05, graph 0.05, 0
set yrange [0:*]
series = system(sprintf("sed -n 's/^# series: //p' '%s'", datafile))
ns = words(series)
nc = int(system(sprintf("sed -n 's/^# c_series: //p' '%s'", datafile)))
# C series solid, then Python dashed.
# One or two worker counts (a quick run on 2 PUs): markers only.
@count_rows
@xy_pick
# Markers only: the series side by side at each worker count, not on top of one another.
off(k) = nrows < 3 ? (k - (ns + 1) / 2.0) * 0.04 : 0
plot for [k = 1:nc] datafile using ($1 + off(k)):(column(3*k-1)):(column(3*k)):(column(3*k+1)) \
     lt k title word(series, k), \
     for [k = nc+1:ns] datafile using ($1 + off(k)):(column(3*k-1)):(column(3*k)):(column(3*k+1)) \
     lt k dt 2 title word(series, k)
