# Round trip against message size, log-log, cross-core: C's pipe, multiprocessing-style queue,
# manager dictionary, futex shared-memory ring, a pointer hand-off between threads and an offset
# into a shared arena between processes (solid), next to Python's Pipe, Queue, Manager().dict(),
# SharedMemory, queue.SimpleQueue between threads and a SharedMemory offset (dashed, same colour
# as their C counterpart); the dotted line is Python's offset hand-off between threads. Sizes on
# a log 2 axis in binary units; with fewer than 3 sizes (a quick run) markers only.
# Data: charts/python-ipc.dat (bytes, then median/low/high microseconds for 6 C series, then
# the 6 Python ones in the same order, then Python's offset between threads).
@count_rows
@xy_pick
# Markers only: each Python marker a little right of its C counterpart, not on top of it.
px = nrows < 3 ? 1.15 : 1
set title 'Round trip (p50) by message size, cross-core: C and Python (median, 95% CI)'
set logscale x 2
set logscale y
set xlabel 'message size (log 2)'
set ylabel 'microseconds (log)'
set offsets graph 0.08, graph 0.08, 0, 0
set key outside right font ',9' noenhanced
set linetype 6 lc rgb '#8c564b' lw 2 pt 15 ps 1
names = 'C:pipe C:mp-queue C:manager-dict C:shm-ring-futex C:pointer(threads) C:shm-arena Python:Pipe Python:Queue Python:Manager-dict Python:SharedMemory Python:SimpleQueue(threads) Python:SharedMemory-offset Python:SharedMemory-offset(threads)'
@tics_from_x
plot for [k = 1:6] datafile using 1:(column(3*k-1)):(column(3*k)):(column(3*k+1)) \
     lt k title word(names, k), \
     for [k = 7:12] datafile using ($1 * px):(column(3*k-1)):(column(3*k)):(column(3*k+1)) \
     lt (k - 6) dt 2 pt 4 title word(names, k), \
     datafile using ($1 * px):(column(38)):(column(39)):(column(40)) \
     lt 6 dt 3 pt 6 title word(names, 13)
