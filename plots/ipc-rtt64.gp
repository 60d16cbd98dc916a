# 64-byte round trip per transport: threads and processes, same PU and cross-core. Bars with 95%
# CI error bars, log scale; the dashed line is the cache-line round trip between the two cores.
# Data: charts/ipc-rtt64.dat (variant, then median/low/high microseconds for four series, then
# the floor).
set title "64-byte round trip (p50, median of batches, 95% CI)"
set ylabel 'microseconds (log scale)'
set logscale y
set style data histograms
set style histogram errorbars gap 1.5 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -30 noenhanced
set bmargin 8
set key top left
plot datafile using 2:3:4:xtic(1) title 'threads, same PU' lt 1, \
     '' using 5:6:7 title 'threads, cross-core' lt 2, \
     '' using 8:9:10 title 'processes, same PU' lt 3, \
     '' using 11:12:13 title 'processes, cross-core' lt 4, \
     '' using 0:14 with lines dt 2 lc rgb '#444444' lw 1.5 title 'cache-line round trip'
