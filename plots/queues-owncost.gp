# A queue's own cost: ns per put+get pair when one task fills the queue to a depth and drains it
# (no other task, so no sleep and no wake-up), one line per queue, against the depth. FIFO, LIFO
# and the rings stay flat; the priority queue's binary heap climbs with log(depth).
# Data: charts/queues-owncost.dat (first line "# variants: ..."; then depth and median/low/high
# ns per variant).
vars = system(sprintf("sed -n 's/^# variants: //p' '%s'", datafile))
nv = words(vars)
set title "Queue own cost: one task fills to a depth, then drains (median, 95% CI)"
set xlabel 'items in the queue (depth, log)'
set ylabel 'CPU ns per put+get pair (log)'
set logscale x 2
set logscale y
set offsets graph 0.05, graph 0.05, 0, 0
set key outside right font ',9' noenhanced
plot for [k = 1:nv] datafile using 1:(column(3*k-1)):(column(3*k)):(column(3*k+1)) \
     with yerrorlines lt k title word(vars, k)
