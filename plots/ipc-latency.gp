# Round trip against message size, log-log, one line per transport; left threads, right
# processes (nearest cross-core pair); the dashed line is one cache-line round trip between the
# same two cores, measured in the same run: no hand-off can beat it.
# Data: charts/ipc-latency.dat ("# variants: ..."; block 0 threads, block 1 processes: bytes,
# then median/low/high microseconds per variant, then the floor).
vars = system(sprintf("sed -n 's/^# variants: //p' '%s'", datafile))
nv = words(vars)
fcol = 2 + 3 * nv
set terminal pngcairo size 1600, 650 enhanced font 'sans,10' background rgb 'white'
if (termtype eq 'svg') { set terminal svg size 1600, 650 dynamic enhanced font 'sans,11' background rgb 'white' }
set output outfile
set multiplot layout 1, 2 title 'Round trip (p50, median of batches, 95% CI) against message size, cross-core'
set logscale x 2
set logscale y
set xlabel 'message size (log 2)'
# Both panels on one y range: threads and processes are read against each other.
@yr_reset
do for [c = 2:fcol] { stats datafile using (yr_add(column(c))) nooutput }
@yr_log
set offsets graph 0.05, graph 0.05, 0, 0
set ylabel 'microseconds (log)'
set linetype 6 lc rgb '#8c564b' lw 2 pt 4 ps 1
set linetype 7 lc rgb '#e377c2' lw 2 pt 6 ps 1
set linetype 8 lc rgb '#7f7f7f' lw 2 pt 8 ps 1
set linetype 9 lc rgb '#bcbd22' lw 2 pt 10 ps 1
set linetype 10 lc rgb '#17becf' lw 2 pt 12 ps 1
set linetype 11 lc rgb '#000000' lw 2 pt 2 ps 1
set linetype 12 lc rgb '#aec7e8' lw 2 pt 3 ps 1
set linetype 13 lc rgb '#ff9896' lw 2 pt 1 ps 1
set key outside right font ',8' noenhanced
do for [i = 0:1] {
    set title (i == 0 ? 'threads' : 'processes')
    blk = i
    @count_rows
    @xy_pick
    @tics_from_x
    # Only the transports this panel has: an empty series would widen the key for nothing.
    ks = ''
    do for [k = 1:nv] { cc = 3*k - 1; @col_count; if (col_n > 0) { ks = ks . sprintf(' %d', k) } }
    plot for [j = 1:words(ks)] datafile index i using 1:(column(3*kth(ks, j)-1)):(column(3*kth(ks, j))):(column(3*kth(ks, j)+1)) \
         lt kth(ks, j) title word(vars, kth(ks, j)), \
         datafile index i using 1:(column(fcol)) with lines dt 2 lc rgb '#444444' lw 1.5 \
         title 'cache-line round trip'
}
unset multiplot
