# Locks and events, C next to Python: uncontended acquire+release (same PU) of C's mutex,
# recursive mutex and POSIX semaphore and of Python's Lock, RLock, Semaphore, BoundedSemaphore;
# then set() to the one waiter running (cross-core), threads and processes; log scale.
# Data: charts/python-locks.dat (label, C median/low/high, Python median/low/high, ns).
set title 'Locks and events: C and Python (median, 95% CI)'
set ylabel 'nanoseconds (log scale)'
set logscale y
set style fill solid 0.8 border -1
set boxwidth 0.7
set xtics rotate by -25 noenhanced font ',9'
set xrange [-0.6:*]
set key top left
plot datafile using 0:2:xtic(1) with boxes lt 1 title 'C', \
     '' using 0:5 with boxes lt 2 title 'Python', \
     '' using 0:2:3:4 with yerrorbars lc rgb '#222222' pt 0 notitle, \
     '' using 0:5:6:7 with yerrorbars lc rgb '#222222' pt 0 notitle
