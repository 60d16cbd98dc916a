# Cost per nesting level of a recursive mutex taken depth times then released depth times,
# against a plain mutex taken once (the flat reference lines), one task on one PU, with an idle
# second thread alive; the dotted pair is the same with the process single-threaded (glibc's
# fast path for the plain mutex).
# Data: charts/locks-recursion.dat (depth, then median/low/high ns for recursive private,
# recursive process-shared, plain private, plain process-shared, recursive private and plain
# private with the process single-threaded).
set title 'Recursive mutex: ns per nesting level vs a plain mutex taken once (median, 95% CI)'
set xlabel 'nesting depth'
set ylabel 'ns per acquire+release pair'
set logscale x 2
set offsets graph 0.05, graph 0.05, 0, 0
set yrange [0:*]
set key top right opaque
plot datafile using 1:2:3:4 with yerrorlines lt 1 title 'recursive, private', \
     '' using 1:5:6:7 with yerrorlines lt 2 title 'recursive, process-shared', \
     '' using 1:8 with lines lt 1 dt 2 title 'plain mutex once, private', \
     '' using 1:11 with lines lt 2 dt 2 title 'plain mutex once, process-shared', \
     '' using 1:14:15:16 with yerrorlines lt 3 dt 3 title 'recursive, private, single-threaded', \
     '' using 1:17 with lines lt 3 dt 3 title 'plain mutex once, private, single-threaded'
