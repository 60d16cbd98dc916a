# Start latency per method, the starts made by tvp-lean-starter (a libc-only program): bars with
# 95% CI error bars, log scale. Data: charts/spawn-start-lean.dat (method, then median/low/high for
# same-pu running, same-pu joined, cross-core running, cross-core joined, same-pu joined as the
# median of single starts, in microseconds).
set title 'Starting a task from a lean (libc-only) parent: until it runs, until joined (median, 95% CI)'
set ylabel 'microseconds (log scale)'
set logscale y
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -20 noenhanced
set key top left
plot datafile using 2:3:4:xtic(1) title 'same PU: start → running', \
     '' using 5:6:7 title 'same PU: start → joined/reaped (batch mean)', \
     '' using 14:15:16 title 'same PU: start → joined/reaped (median of single starts)', \
     '' using 8:9:10 title 'cross-core: start → running', \
     '' using 11:12:13 title 'cross-core: start → joined/reaped'
