# Uncontended lock+unlock cost per lock kind, one task on one PU: a private lock (thread) and
# the same kind initialised process-shared in MAP_SHARED memory (process), both with an idle
# second thread alive as in any threaded program; and the private lock while the process has one
# thread, where glibc skips a mutex's locked instruction. Log scale.
# Data: charts/locks-uncontended.dat (kind, then median/low/high ns for thread, process and
# thread with the process single-threaded).
set title 'Uncontended lock+unlock, one task (median, 95% CI)'
set ylabel 'ns per lock+unlock (log scale)'
set logscale y
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -25 noenhanced
set bmargin 6
set key top left
plot datafile using 2:3:4:xtic(1) title 'private lock (thread)' lt 1, \
     '' using 5:6:7 title 'process-shared lock (process)' lt 2, \
     '' using 8:9:10 title 'private lock, process single-threaded' lt 3
