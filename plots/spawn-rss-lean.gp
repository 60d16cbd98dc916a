# Start-to-joined cost against the parent's resident memory, the parent being tvp-lean-starter
# (libc only) which touched the memory itself. Data: charts/spawn-rss-lean.dat (rss_mib, then
# median/low/high for pthread_create, fork, posix_spawn in microseconds; page-fault columns NaN:
# the starter runs outside the counters).
set title "Start + join/reap against a lean parent's touched memory (median, 95% CI)"
set xlabel 'parent resident memory (MiB)'
set ylabel 'microseconds (log scale)'
set logscale y
set offsets graph 0.04, graph 0.04, 0, 0
set key top left
plot datafile using 1:2:3:4 with yerrorlines title 'pthread\_create + join', \
     '' using 1:5:6:7 with yerrorlines title 'fork + waitpid', \
     '' using 1:8:9:10 with yerrorlines title 'posix\_spawn + waitpid'
