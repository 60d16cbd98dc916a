# Cost of one hand-off between two tasks (a wake-up and a switch on one PU), futex and pipe,
# threads and processes, same PU and cross-core; the third bar is the wake-up mechanism alone in
# one task (no switch), so the switch's own share shows. Bars with 95% CI error bars.
# Data: charts/sched-switch.dat (label, then median/low/high microseconds for three series).
set title "Context switch: cost per hand-off (median, 95% CI), nothing touched between"
set ylabel 'microseconds (log scale)'
set logscale y
set style data histograms
set style histogram errorbars gap 1.5 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics noenhanced
set key top left
plot datafile using 2:3:4:xtic(1) title 'same PU' lt 1, \
     '' using 5:6:7 title 'cross-core' lt 2, \
     '' using 8:9:10 title 'the mechanism alone (one task)' lt 3
