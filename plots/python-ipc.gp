# Round trip against message size, log-log, cross-core: C's pipe, multiprocessing-style queue,
# manager dictionary, futex shared-memory ring and a pointer hand-off between threads (solid),
# next to Python's Pipe, Queue, Manager().dict(), SharedMemory and queue.SimpleQueue between
# threads (dashed, same colour as their C counterpart). Sizes on a log 2 axis in binary units;
# with fewer than 3 sizes (a quick run) markers only.
# Data: charts/python-ipc.dat (bytes, then median/low/high microseconds for the ten series).
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
names = 'C:pipe C:mp-queue C:manager-dict C:shm-ring-futex C:pointer(threads) Python:Pipe Python:Queue Python:Manager-dict Python:SharedMemory Python:SimpleQueue(threads)'
plot datafile using 1:(NaN):xtic(bytes_label($1)) with points notitle, \
     for [k = 1:5] datafile using 1:(column(3*k-1)):(column(3*k)):(column(3*k+1)) \
     lt k title word(names, k), \
     for [k = 6:10] datafile using ($1 * px):(column(3*k-1)):(column(3*k)):(column(3*k+1)) \
     lt (k - 5) dt 2 pt 4 title word(names, k)
