# Bounded semaphore: the cap is the point. Top row: the most simultaneous holders any batch saw
# against the number of workers, with the cap (the permit count) drawn as a line and the same
# load with no semaphore beside it (5 permits), so a count held at the line is the semaphore's
# doing. Bottom row: operations (acquire, ~1 us hold, release) per second, threads and processes,
# on one y range for every panel. One column per permit count.
# Data: charts/locks-semaphore.dat (one block per permit count: workers, then median/low/high
# operations per second for threads and for processes, then the most holders seen: threads,
# processes, no-semaphore threads, no-semaphore processes).
stats datafile nooutput
nb = STATS_blocks
# The data's first line names the blocks in order ("# titles: 1 2 5").
titles = system(sprintf("sed -n 's/^# titles: //p' '%s'", datafile))
if (termtype eq 'svg') {
    set terminal svg size 1000, 760 dynamic enhanced font 'sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1000, 760 enhanced font 'sans,11' background rgb 'white'
}
set output outfile
@yr_reset
do for [c = 2:7] { stats datafile using (yr_add(column(c))) nooutput }
rate_lo = 0
rate_hi = yr_max * 1.1
@yr_reset
do for [c = 8:11] { stats datafile using (yr_add(column(c))) nooutput }
holders_hi = yr_max + 2
set multiplot layout 2, nb title 'Bounded semaphore: holders at once and operations per second against workers'
set xlabel 'workers'
set offsets graph 0.08, graph 0.08, 0, 0
do for [i = 0:nb - 1] {
    cap = word(titles, i + 1) + 0
    blk = i
    @count_rows
    @lp_pick
    set title sprintf('%d permit(s): most holders seen in a batch', cap)
    set ylabel 'tasks holding a permit at once'
    set yrange [0:holders_hi]
    set key top left font ',9'
    plot datafile index i using 1:8 lt 1 title 'threads', \
         '' index i using 1:9 lt 2 title 'processes', \
         '' index i using 1:10 lt 1 dt 3 pt 6 title 'no semaphore, threads', \
         '' index i using 1:11 lt 2 dt 3 pt 4 title 'no semaphore, processes', \
         cap with lines dt 2 lw 2 lc rgb '#444444' title sprintf('cap: %d permits', cap)
}
do for [i = 0:nb - 1] {
    blk = i
    @count_rows
    @xy_pick
    set title sprintf('%s permit(s): operations per second (median, 95%% CI)', word(titles, i + 1))
    set ylabel 'operations per second'
    set yrange [rate_lo:rate_hi]
    set key bottom right font ',9'
    plot datafile index i using 1:2:3:4 lt 1 title 'threads', \
         '' index i using 1:5:6:7 lt 2 title 'processes'
}
unset multiplot
