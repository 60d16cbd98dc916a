# Messages per second against producers x consumers, one line per queue, one panel per model
# (threads, processes) and message size; the dashed line is one cache-line round trip per message
# between the two cores of the 1x1 case, measured in the same run.
# Data: charts/queues-throughput.dat (first lines "# titles: ..." and "# variants: ..."; one block
# per panel: index, shape, then median/low/high messages/s per variant, then the floor).
stats datafile nooutput
titles = system(sprintf("sed -n 's/^# titles: //p' '%s'", datafile))
vars = system(sprintf("sed -n 's/^# variants: //p' '%s'", datafile))
nv = words(vars)
fcol = 3 + 3 * nv
cols = (STATS_blocks > 2) ? 2 : STATS_blocks
rows = (STATS_blocks + cols - 1) / cols
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
do for [i = 0:STATS_blocks - 1] {
    set title system(sprintf("echo '%s' | tr _ ' '", word(titles, i + 1))) noenhanced
    plot for [k = 1:nv] datafile index i using 1:(column(3*k)):(column(3*k+1)):(column(3*k+2)):xtic(2) \
         with yerrorlines lt k title word(vars, k), \
         datafile index i using 1:(column(fcol)) with lines dt 2 lc rgb '#444444' lw 1.5 \
         title '1 cache-line round trip / msg'
}
unset multiplot
