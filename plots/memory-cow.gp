# The first write to each page: a forked child's copy-on-write vs a thread writing the buffer it
# shares (claim C2). Data: charts/memory-cow.dat (buffer_kib, pages, then for fork THP off,
# thread THP off, fork THP on, thread THP on: ns per page median/low/high and page faults per
# page).
set multiplot layout 1,2 title "First write to every page of a buffer: forked child (copy-on-write) vs thread (shared)"

set title 'Time per page (median, 95% CI)'
set xlabel 'buffer (log 2)'
set ylabel 'ns per page (log scale)'
set logscale x 2
set logscale y
set offsets graph 0.05, graph 0.05, 0, 0
set key top left
set format y '%g'
# Nine sizes in half the width: every size named, the labels ran together; every other one is.
tic_label(kib) = bytes_label(kib * 1024)
tic_every = 2
@tics_from_x
set key center left
plot datafile using 1:3:4:5 with yerrorlines lt 2 title 'fork child, THP off', \
     '' using 1:7:8:9 with yerrorlines lt 1 title 'thread, THP off', \
     '' using 1:11:12:13 with yerrorlines lt 4 title 'fork child, THP on', \
     '' using 1:15:16:17 with yerrorlines lt 3 title 'thread, THP on'

set title "Page faults per page (fork's own faults included)"
set ylabel 'faults per page (log scale; 0 drawn at 0.001)'
set yrange [0.0005:*]
atfloor(v) = (v == v && v <= 0.001) ? 0.001 : v
set key center right
plot datafile using 1:(atfloor($6)) with linespoints lt 2 title 'fork child, THP off', \
     '' using 1:(atfloor($10)) with linespoints lt 1 title 'thread, THP off', \
     '' using 1:(atfloor($14)) with linespoints lt 4 title 'fork child, THP on', \
     '' using 1:(atfloor($18)) with linespoints lt 3 title 'thread, THP on'
unset multiplot
