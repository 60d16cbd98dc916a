# One-way bandwidth against message size, one line per transport; left threads, right processes
# (nearest cross-core pair); the dashed line is memcpy by one task of the same size, which stays
# in cache (the in-cache ceiling), the dotted one a memcpy several times the last-level cache,
# which runs from memory (the machine's copy bandwidth from memory). Key titles short: the key
# sits beside each panel, and long ones squeezed the panels until their size labels ran together.
# Data: charts/ipc-bandwidth.dat ("# variants: ..."; block 0 threads, block 1 processes: bytes,
# then median/low/high MiB/s per variant, then memcpy MiB/s in cache, then from memory).
vars = system(sprintf("sed -n 's/^# variants: //p' '%s'", datafile))
nv = words(vars)
fcol = 2 + 3 * nv
set terminal pngcairo size 1600, 650 enhanced font 'sans,10' background rgb 'white'
if (termtype eq 'svg') { set terminal svg size 1600, 650 dynamic enhanced font 'sans,11' background rgb 'white' }
set output outfile
set multiplot layout 1, 2 title 'One-way bandwidth (median, 95% CI) against message size, cross-core'
set logscale x 2
set logscale y
set xlabel 'message size (log 2)'
# Both panels on one y range: threads and processes are read against each other.
@yr_reset
do for [c = 2:fcol + 1] { stats datafile using (yr_add(column(c))) nooutput }
@yr_log
set offsets graph 0.05, graph 0.05, 0, 0
set ylabel 'MiB/s (log)'
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
         title 'memcpy, in cache', \
         datafile index i using 1:(column(fcol + 1)) with lines dt 3 lc rgb '#444444' lw 1.5 \
         title 'memcpy, from memory'
}
unset multiplot
