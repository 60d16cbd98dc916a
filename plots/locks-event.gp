# Event wake-up latency: set() in one task to the last waiter running again, per implementation
# (condvar, futex, eventfd), for threads and processes, same PU and the nearest cross-core pair,
# 1 and N waiters. Bars with 95% CI error bars, log scale.
# Data: charts/locks-event.dat (label, then median/low/high microseconds per implementation).
set title "Event wake-up: set() to the last waiter running (median, 95% CI)"
set ylabel 'microseconds (log scale)'
set logscale y
set style data histograms
set style histogram errorbars gap 1.5 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -25 noenhanced
set bmargin 7
set key top left
plot datafile using 2:3:4:xtic(1) title 'condvar' lt 1, \
     '' using 5:6:7 title 'futex' lt 2, \
     '' using 8:9:10 title 'eventfd' lt 3
