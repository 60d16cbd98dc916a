# Put-to-get latency per queue: with one message in flight (handoff p50; threads and processes,
# same PU and cross-core) and inside a 1:1 stream (p50, p99; threads, cross-core). Bars with 95% CI
# error bars, log scale; the dashed line is the cache-line round trip between the same two cores.
# Data: charts/queues-latency.dat (variant, then median/low/high microseconds for six series,
# then the round trip).
set title "Queue put-to-get latency (median, 95% CI)"
set ylabel 'microseconds (log scale)'
set logscale y
set style data histograms
set style histogram errorbars gap 1.5 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -25 noenhanced
set bmargin 7
set key outside right font ',9'
set linetype 6 lc rgb '#8c564b' lw 2 pt 4 ps 1
plot datafile using 2:3:4:xtic(1) title 'handoff p50, threads, same PU' lt 1, \
     '' using 5:6:7 title 'handoff p50, threads, cross-core' lt 2, \
     '' using 8:9:10 title 'handoff p50, processes, same PU' lt 3, \
     '' using 11:12:13 title 'handoff p50, processes, cross-core' lt 4, \
     '' using 14:15:16 title 'stream p50, threads, cross-core' lt 5, \
     '' using 17:18:19 title 'stream p99, threads, cross-core' lt 6, \
     '' using 0:20 with lines dt 2 lc rgb '#444444' lw 1.5 title '1 cache-line round trip'
