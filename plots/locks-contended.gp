# Acquisitions per second against workers, one line per lock kind, one panel per model
# (threads, processes) and critical-section length; the work outside the lock is constant.
# Data: charts/locks-contended.dat (first lines "# titles: ..." and "# kinds: ..."; one block
# per panel: workers, then median/low/high acquisitions/s per kind).
stats datafile nooutput
nb = STATS_blocks
titles = system(sprintf("sed -n 's/^# titles: //p' '%s'", datafile))
kinds = system(sprintf("sed -n 's/^# kinds: //p' '%s'", datafile))
nk = words(kinds)
cols = (nb > 3) ? 3 : nb
rows = (nb + cols - 1) / cols
set terminal pngcairo size 1500, 500 * rows enhanced font 'sans,10' background rgb 'white'
if (termtype eq 'svg') { set terminal svg size 1500, 500 * rows dynamic enhanced font 'sans,11' background rgb 'white' }
set output outfile
set multiplot layout rows, cols title 'Lock acquisitions per second against workers (median, 95% CI)'
set logscale y
set logscale x 2
set xlabel 'workers'
set ylabel 'acquisitions per second (log)'
# Ten kinds: five more colours after style.gp's five.
set linetype 6 lc rgb '#8c564b' lw 2 pt 4 ps 1
set linetype 7 lc rgb '#e377c2' lw 2 pt 6 ps 1
set linetype 8 lc rgb '#7f7f7f' lw 2 pt 8 ps 1
set linetype 9 lc rgb '#bcbd22' lw 2 pt 10 ps 1
set linetype 10 lc rgb '#17becf' lw 2 pt 12 ps 1
set offsets graph 0.05, graph 0.05, 0, 0
set key outside right font ',8' noenhanced
# Every panel on one y range: threads and processes, short and long sections, are read
# against each other.
@yr_reset
do for [c = 2:1 + 3 * nk] { stats datafile using (yr_add(column(c))) nooutput }
@yr_log
do for [i = 0:nb - 1] {
    set title system(sprintf("echo '%s' | tr _ ' '", word(titles, i + 1))) noenhanced
    # A panel with one or two worker counts (processes in a quick run): markers only.
    blk = i
    @count_rows
    @xy_pick
    plot for [k = 1:nk] datafile index i using 1:(column(3*k-1)):(column(3*k)):(column(3*k+1)) \
         lt k title word(kinds, k)
}
unset multiplot
