# Messages per second against producers x consumers, one line per queue, one panel per model
# (threads, processes) and message size; the dashed line is one cache-line round trip per message
# between the two cores of the 1x1 case, measured in the same run.
# Data: charts/queues-throughput.dat (first lines "# titles: ..." and "# variants: ..."; one block
# per panel: index, shape, then median/low/high messages/s per variant, then the floor).
stats datafile nooutput
nb = STATS_blocks
titles = system(sprintf("sed -n 's/^# titles: //p' '%s'", datafile))
vars = system(sprintf("sed -n 's/^# variants: //p' '%s'", datafile))
nv = words(vars)
fcol = 3 + 3 * nv
cols = (nb > 2) ? 2 : nb
rows = (nb + cols - 1) / cols
set terminal pngcairo size 1400, 520 * rows enhanced font 'sans,10' background rgb 'white'
if (termtype eq 'svg') { set terminal svg size 1400, 520 * rows dynamic enhanced font 'sans,11' background rgb 'white' }
set output outfile
set multiplot layout rows, cols title 'Queue throughput against producers x consumers (median, 95% CI; 1x1 cross-core, others spread)'
set logscale y
set xlabel 'producers x consumers'
set ylabel 'messages per second (log)'
set linetype 6 lc rgb '#8c564b' lw 2 pt 4 ps 1
set linetype 7 lc rgb '#e377c2' lw 2 pt 6 ps 1
set offsets graph 0.05, graph 0.05, 0, 0
set key outside right font ',8' noenhanced
# Every panel on one y range (threads against processes, 8 against 64 bytes), floor included.
@yr_reset
do for [c = 3:fcol] { stats datafile using (yr_add(column(c))) nooutput }
@yr_log
do for [i = 0:nb - 1] {
    set title system(sprintf("echo '%s' | tr _ ' '", word(titles, i + 1))) noenhanced
    # A panel with one or two shapes (64-byte messages in a quick run: 1x1 only): markers only,
    # and the floor drawn across the panel as the constant it is.
    blk = i
    @count_rows
    @xy_pick
    fl = NaN
    stats [*:*][*:*] datafile index i using (fl = column(fcol), 1) nooutput
    plot for [k = 1:nv] datafile index i using 1:(column(3*k)):(column(3*k+1)):(column(3*k+2)):xtic(2) \
         lt k title word(vars, k), \
         fl with lines dt 2 lc rgb '#444444' lw 1.5 title '1 cache-line round trip / msg'
}
unset multiplot
