# After the start: join wake-up latency (a task's last instruction to the joiner running) and
# the exit time of a program whose worker still has work (daemon vs joinable). Log scale.
# Data: charts/spawn-lifecycle.dat (label, median, CI low, CI high in microseconds).
set title "Join wake-up (task's last instruction to the joiner running) and program exit\nwith a worker that still has work left (median, 95% CI)"
set ylabel 'microseconds (log scale)'
set logscale y
set style fill solid 0.85 border -1
set boxwidth 0.6
set xtics rotate by -25 noenhanced
set bmargin 7
set key off
plot datafile using 0:2:xtic(1) with boxes lt 1, \
     '' using 0:2:3:4 with yerrorbars lt -1 pt -1
