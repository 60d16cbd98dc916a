# Bounded semaphore: the cap is the point. Top row: the most simultaneous holders any batch saw
# against the number of workers, with the cap (the permit count) drawn as a line and the same
# load with no semaphore beside it (5 permits), so a count held at the line is the semaphore's
# doing. Bottom row: operations (acquire, ~1 us hold, release) per second, threads and processes,
# on one y range for every panel. One column per permit count.
# Data: charts/locks-semaphore.dat (one block per permit count: workers, then median/low/high
# operations per second for threads and for processes, then the most holders seen: threads,
# processes, no-semaphore threads, no-semaphore processes).
# One column: with two, stats also fits a line and warns when a block has two points.
stats datafile using 1 nooutput
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
# Headroom above the highest count for the key: at 5 permits the no-semaphore line climbs to the
# top right, and an opaque key at its height would hide it.
holders_hi = ceil(yr_max * 1.5) + 1
set multiplot layout 2, nb title 'Bounded semaphore: holders at once, and operations per second (median, 95% CI), against workers'
set xlabel 'workers'
# Workers are whole: a tic at each count measured, none between.
tic_label(x) = sprintf('%d', x)
permits(n) = n == 1 ? '1 permit' : sprintf('%d permits', n)
set offsets graph 0.08, graph 0.08, 0, 0
do for [i = 0:nb - 1] {
    cap = word(titles, i + 1) + 0
    blk = i
    @count_rows
    @lp_pick
    @tics_from_x
    # Titles short enough for a third of the width: longer ones ran into each other.
    set title sprintf('%s: most holders in a batch', permits(cap)) font ',10'
    set ylabel 'tasks holding a permit at once'
    set yrange [0:holders_hi]
    set key top left font ',9'
    # The no-semaphore control only where it was run (5 permits): no empty series elsewhere.
    ctl = ''
    do for [c = 10:11] { cc = c; @col_count; if (col_n > 0) { ctl = ctl . sprintf(' %d', c) } }
    plot datafile index i using 1:8 lt 1 title 'threads', \
         '' index i using 1:9 lt 2 title 'processes', \
         for [j = 1:words(ctl)] '' index i using 1:(column(kth(ctl, j))) lt (kth(ctl, j) - 9) dt 3 \
         pt (kth(ctl, j) == 10 ? 6 : 4) title (kth(ctl, j) == 10 ? 'no semaphore, threads' : 'no semaphore, processes'), \
         cap with lines dt 2 lw 2 lc rgb '#444444' title sprintf('cap: %s', permits(cap))
}
do for [i = 0:nb - 1] {
    blk = i
    @count_rows
    @xy_pick
    @tics_from_x
    set title sprintf('%s: operations per second', permits(word(titles, i + 1) + 0)) font ',10'
    set ylabel 'operations per second'
    set yrange [rate_lo:rate_hi]
    set key bottom right font ',9'
    plot datafile index i using 1:2:3:4 lt 1 title 'threads', \
         '' index i using 1:5:6:7 lt 2 title 'processes'
}
unset multiplot
