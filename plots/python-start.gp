# Start+join of a task, same PU: C's pthread_create, fork, posix_spawn and fork+exec next to
# Python's threading.Thread and multiprocessing.Process under each start method; log scale.
# Data: charts/python-start.dat (label, then C median/low/high and Python median/low/high in
# microseconds; the side a row does not belong to is NaN).
set title 'Start + join, same PU: C and Python (median, 95% CI)'
set ylabel 'microseconds (log scale)'
set logscale y
set style fill solid 0.8 border -1
set boxwidth 0.7
set xtics rotate by -25 noenhanced
set xrange [-0.6:*]
set key top left
plot datafile using 0:2:xtic(1) with boxes lt 1 title 'C', \
     '' using 0:5 with boxes lt 2 title 'Python', \
     '' using 0:2:3:4 with yerrorbars lc rgb '#222222' pt 0 notitle, \
     '' using 0:5:6:7 with yerrorbars lc rgb '#222222' pt 0 notitle
