# Memory held by N idle threads vs N idle processes (claim C1).
# Data: charts/memory-footprint.dat
#   index 0: N, then median/low/high in KiB of anonymous PSS added (the memory actually added,
#            what C1 is judged on) by threads, by processes, RSS added by threads, and the
#            processes' rss-sum (each child's whole RSS summed: shared pages counted per process);
#   index 1: label, KiB per extra thread, KiB per extra process (slope between the smallest and
#            the largest N) for anonymous PSS, PSS, RSS (process: summed), page tables, kernel
#            stack;
#   index 2: "fds", descriptors per extra thread, per extra process.
stats datafile index 2 using 2 nooutput
fds_thread = STATS_max
stats datafile index 2 using 3 nooutput
fds_process = STATS_max
set multiplot layout 1,2 title "Idle tasks: memory they add (median, 95% CI), and what one more costs"

set title 'Memory added by N idle tasks'
set xlabel 'N idle tasks (log scale)'
set ylabel 'KiB (log scale)'
set logscale xy
set offsets graph 0.05, graph 0.05, graph 0.3, 0
set format y '%g'
set key top left
plot datafile index 0 using 1:11:12:13 with yerrorlines lt 2 dt 2 title 'processes: RSS sum (shared counted per process)', \
     '' index 0 using 1:5:6:7 with yerrorlines lt 2 title 'processes: anonymous PSS', \
     '' index 0 using 1:8:9:10 with yerrorlines lt 1 dt 2 ps 1.6 title 'threads: RSS', \
     '' index 0 using 1:2:3:4 with yerrorlines lt 1 title 'threads: anonymous PSS'

unset logscale x
unset offsets
set title 'One more task (slope from the smallest to the largest N)'
set xlabel sprintf("descriptors per extra task: thread %g, process %g", fds_thread, fds_process)
set ylabel 'KiB per extra task (log scale)'
set logscale y
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
# Steeper than -15: at -15 "RSS (process: summed)" ran into "page tables".
set xtics noenhanced rotate by -30
set key top right
plot datafile index 1 using 2:xtic(1) lt 1 title 'thread', \
     '' index 1 using 3 lt 2 title 'process'
unset multiplot
