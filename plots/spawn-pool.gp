# Tasks per second against the number of workers: thread pool, process pool, and one thread or
# one process started per task, one panel per task size.
# Data: charts/spawn-pool.dat (one block per task size: workers, then median/low/high tasks/s
# for thread-pool, process-pool, thread-per-task, process-per-task).
stats datafile nooutput
# The data's first line names the blocks in order ("# titles: empty 10us 1ms").
titles = system(sprintf("sed -n 's/^# titles: //p' '%s'", datafile))
set multiplot layout 1, STATS_blocks title 'Tasks per second through pools and per-task starts (median, 95% CI)'
set logscale y
set xlabel 'workers'
set logscale x 2
set offsets graph 0.05, graph 0.05, 0, 0
set ylabel 'tasks per second (log scale)'
set key bottom right font ',9'
do for [i = 0:STATS_blocks - 1] {
    set title sprintf('task: %s', word(titles, i + 1))
    plot datafile index i using 1:2:3:4 with yerrorlines title 'thread pool', \
         '' index i using 1:5:6:7 with yerrorlines title 'process pool', \
         '' index i using 1:8:9:10 with yerrorlines title 'thread per task', \
         '' index i using 1:11:12:13 with yerrorlines title 'process per task'
}
unset multiplot
