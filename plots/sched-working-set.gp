# Cost per hand-off on one PU against the working set each task touches between switches (the
# touching itself taken out): threads share an address space, processes do not, so a TLB or
# cache effect of switching address spaces shows as a gap between the two.
# Data: charts/sched-working-set.dat (KiB, 0 drawn at 1; then median/low/high microseconds for
# futex threads, futex processes, pipe threads, pipe processes).
set title 'Hand-off cost on one PU against the working set touched between switches'
set xlabel 'working set per task (KiB, log; 0 drawn at 1)'
set ylabel 'microseconds per hand-off'
set logscale x 2
set key top left
set offsets graph 0.05, graph 0.05, 0, 0
plot datafile using 1:2:3:4 with yerrorlines lt 1 title 'futex, threads', \
     '' using 1:5:6:7 with yerrorlines lt 2 title 'futex, processes', \
     '' using 1:8:9:10 with yerrorlines lt 3 dt 2 title 'pipe, threads', \
     '' using 1:11:12:13 with yerrorlines lt 4 dt 2 title 'pipe, processes'
