# Start-to-joined cost against the parent's resident memory: fork grows, a thread does not.
# Data: charts/spawn-rss.dat (rss_mib, then median/low/high for pthread_create, fork, posix_spawn
# in microseconds, then page-faults per start for each).
set title "Start + join/reap against the parent's touched memory (median, 95% CI)"
set xlabel "parent's touched memory (log 2; none drawn at the left)"
# The sweep grows by powers: a log axis, so the small sizes are not crowded into one corner.
set logscale x 2
rss_x(mib) = mib > 0 ? mib : 4
rss_label(mib) = mib > 0 ? bytes_label(mib * 1048576) : 'none'
@count_rows
@xy_pick
set ylabel 'microseconds (log scale)'
set logscale y
set offsets graph 0.04, graph 0.04, 0, 0
set key top left
plot datafile using (rss_x($1)):2:3:4:xtic(rss_label($1)) title 'pthread\_create + join', \
     '' using (rss_x($1)):5:6:7 title 'fork + waitpid', \
     '' using (rss_x($1)):8:9:10 title 'posix\_spawn + waitpid'
