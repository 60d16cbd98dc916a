# Start-to-joined cost against the parent's resident memory: fork grows, a thread does not.
# Data: charts/spawn-rss.dat (rss_mib, then median/low/high for pthread_create, fork, posix_spawn
# in microseconds, then page-faults per start for each).
set title "Start + join/reap against the parent's touched memory (median, 95% CI)"
set xlabel 'parent resident memory (MiB)'
set ylabel 'microseconds (log scale)'
set logscale y
set offsets graph 0.04, graph 0.04, 0, 0
set key top left
plot datafile using 1:2:3:4 with yerrorlines title 'pthread\_create + join', \
     '' using 1:5:6:7 with yerrorlines title 'fork + waitpid', \
     '' using 1:8:9:10 with yerrorlines title 'posix\_spawn + waitpid'
