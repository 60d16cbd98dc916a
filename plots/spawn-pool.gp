# Tasks per second against the number of workers: thread pool, process pool, and one thread or
# one process started per task, one panel per task size.
# Data: charts/spawn-pool.dat (one block per task size: workers, then median/low/high tasks/s
# for thread-pool, process-pool, thread-per-task, process-per-task).
stats datafile nooutput
nb = STATS_blocks
# The data's first line names the blocks in order ("# titles: empty 10us 1ms").
titles = system(sprintf("sed -n 's/^# titles: //p' '%s'", datafile))
set multiplot layout 1, nb title 'Tasks per second through pools and per-task starts (median, 95% CI)'
set logscale y
set xlabel 'workers'
set logscale x 2
set offsets graph 0.05, graph 0.05, 0, 0
set ylabel 'tasks per second (log scale)'
set key below horizontal font ',9'
set bmargin 7
# Both panels on one y range: an empty task against a 10 us one is read across them.
@yr_reset
do for [c = 2:13] { stats datafile using (yr_add(column(c))) nooutput }
@yr_log
do for [i = 0:nb - 1] {
    blk = i
    @count_rows
    @xy_pick
    set title sprintf('task: %s', word(titles, i + 1))
    plot datafile index i using 1:2:3:4 title 'thread pool', \
         '' index i using 1:5:6:7 title 'process pool', \
         '' index i using 1:8:9:10 title 'thread per task', \
         '' index i using 1:11:12:13 title 'process per task'
}
unset multiplot
