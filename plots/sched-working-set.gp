# Cost per hand-off on one PU against the working set each task touches between switches (the
# touching itself taken out): threads share an address space, processes do not, so a TLB or
# cache effect of switching address spaces shows as a gap between the two.
# Data: charts/sched-working-set.dat (KiB, 0 drawn at 1; then median/low/high microseconds for
# futex threads, futex processes, pipe threads, pipe processes).
@count_rows
@xy_pick
set title 'Hand-off cost on one PU against the working set touched between switches'
set xlabel 'working set per task (log 2; 0 drawn at the left)'
set ylabel 'microseconds per hand-off (log)'
# Log: the hand-off alone is microseconds, with 16 MiB touched it is milliseconds.
set logscale y
# Markers only: the four series side by side at each size, not on top of one another.
sx(k) = nrows < 3 ? 1.3 ** (k - 2.5) : 1
set logscale x 2
set key top left
set offsets graph 0.05, graph 0.05, 0, 0
tic_label(kib) = kib <= 1 ? '0' : bytes_label(kib * 1024)
@tics_from_x
plot datafile using ($1 * sx(1)):2:3:4 lt 1 title 'futex, threads', \
     '' using ($1 * sx(2)):5:6:7 lt 2 title 'futex, processes', \
     '' using ($1 * sx(3)):8:9:10 lt 3 dt 2 title 'pipe, threads', \
     '' using ($1 * sx(4)):11:12:13 lt 4 dt 2 title 'pipe, processes'
