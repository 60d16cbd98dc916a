# Speed-up of a fixed CPU-bound job against workers: free threads, processes, threads under an
# emulated GIL, and the same with an I/O mix (half the time asleep, the GIL released around it).
# The dashed line is the ideal: one worker per PU, nothing gained past the PU count.
# Data: charts/sched-scaling.dat ("# modes: ..."; workers, then median/low/high speed-up per
# mode, then the ideal).
modes = system(sprintf("sed -n 's/^# modes: //p' '%s'", datafile))
nm = words(modes)
set title 'Speed-up over one worker (median ratio, 95% CI)'
set xlabel 'workers'
set ylabel 'speed-up (x)'
set linetype 6 lc rgb '#8c564b' lw 2 pt 4 ps 1
set key top left noenhanced
set offsets graph 0.05, graph 0.05, graph 0.05, 0
set yrange [0:*]
# One or two worker counts (a quick run on 2 PUs): markers only.
@count_rows
@xy_pick
# Workers are whole: a tic at each count measured, none at 1.5.
tic_label(x) = sprintf('%d', x)
@tics_from_x
plot for [k = 1:3] datafile using 1:(column(3*k-1)):(column(3*k)):(column(3*k+1)) \
     lt k title word(modes, k), \
     for [k = 4:nm] datafile using 1:(column(3*k-1)):(column(3*k)):(column(3*k+1)) \
     lt k dt 2 title word(modes, k), \
     datafile using 1:(column(3*nm+2)) with lines dt 3 lc rgb '#444444' lw 1.5 title 'ideal'
