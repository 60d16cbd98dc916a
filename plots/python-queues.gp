# One producer and one consumer on two cores: ns per message through C's blocking FIFO, LIFO and
# priority queues and its SPSC ring, next to Python's queue.Queue, LifoQueue, PriorityQueue and
# SimpleQueue; log scale.
# Data: charts/python-queues.dat (label, C median/low/high, Python median/low/high, ns).
set title 'Queues, 1 producer : 1 consumer, cross-core: C and Python (median, 95% CI)'
set ylabel 'nanoseconds per message (log scale)'
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
