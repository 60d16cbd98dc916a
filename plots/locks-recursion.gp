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
# A series only where the run has it (a quick run may lack one): `for [j = 1:has[c]]` plots it
# once or not at all. gnuplot still reads a clause whose range is empty, so an absent one reads
# the x column (col() is 1), not an empty one it would warn of.
array has[17]
do for [c in '2 5 8 11 14 17'] { cc = c + 0; @col_count; has[cc] = col_n > 0 }
col(c, k) = has[c] ? c + k : 1
plot for [j = 1:has[2]] datafile using 1:(column(col(2, 0))):(column(col(2, 1))):(column(col(2, 2))) \
         with yerrorlines lt 1 title 'recursive, private', \
     for [j = 1:has[5]] datafile using 1:(column(col(5, 0))):(column(col(5, 1))):(column(col(5, 2))) \
         with yerrorlines lt 2 title 'recursive, process-shared', \
     for [j = 1:has[8]] datafile using 1:(column(col(8, 0))) with lines lt 1 dt 2 \
         title 'plain mutex once, private', \
     for [j = 1:has[11]] datafile using 1:(column(col(11, 0))) with lines lt 2 dt 2 \
         title 'plain mutex once, process-shared', \
     for [j = 1:has[14]] datafile using 1:(column(col(14, 0))):(column(col(14, 1))):(column(col(14, 2))) \
         with yerrorlines lt 3 dt 3 title 'recursive, private, single-threaded', \
     for [j = 1:has[17]] datafile using 1:(column(col(17, 0))) with lines lt 3 dt 3 \
         title 'plain mutex once, private, single-threaded'
