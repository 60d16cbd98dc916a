# Round trip against message size, log-log, cross-core: C's pipe, multiprocessing-style queue,
# manager dictionary, futex shared-memory ring and a pointer hand-off between threads (solid),
# next to Python's Pipe, Queue, Manager().dict(), SharedMemory and queue.SimpleQueue between
# threads (dashed, same colour as their C counterpart).
# Data: charts/python-ipc.dat (bytes, then median/low/high microseconds for the ten series).
set title 'Round trip (p50) by message size, cross-core: C and Python (median, 95% CI)'
set logscale xy
set format x '%.0s%cB'
set xlabel 'message size'
set ylabel 'microseconds (log)'
set key outside right font ',9' noenhanced
names = 'C:pipe C:mp-queue C:manager-dict C:shm-ring-futex C:pointer(threads) Python:Pipe Python:Queue Python:Manager-dict Python:SharedMemory Python:SimpleQueue(threads)'
plot for [k = 1:5] datafile using 1:(column(3*k-1)):(column(3*k)):(column(3*k+1)) \
     with yerrorlines lt k title word(names, k), \
     for [k = 6:10] datafile using 1:(column(3*k-1)):(column(3*k)):(column(3*k+1)) \
     with yerrorlines lt (k - 5) dt 2 title word(names, k)
