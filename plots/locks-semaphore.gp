# Bounded semaphore throughput: operations (acquire, ~1 us hold, release) per second against the
# number of workers, threads and processes, one panel per permit count.
# Data: charts/locks-semaphore.dat (one block per permit count: workers, then median/low/high
# operations per second for threads and for processes).
stats datafile nooutput
# The data's first line names the blocks in order ("# titles: 1 2 5").
titles = system(sprintf("sed -n 's/^# titles: //p' '%s'", datafile))
set multiplot layout 1, STATS_blocks title 'Bounded semaphore: operations per second against workers (median, 95% CI)'
set xlabel 'workers'
set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
set ylabel 'operations per second'
set yrange [0:*]
set key bottom right font ',9'
do for [i = 0:STATS_blocks - 1] {
    set title sprintf('%s permit(s)', word(titles, i + 1))
    plot datafile index i using 1:2:3:4 with yerrorlines title 'threads', \
         '' index i using 1:5:6:7 with yerrorlines title 'processes'
}
unset multiplot
