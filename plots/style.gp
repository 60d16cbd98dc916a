# Shared style for every tvpbench chart. Called as
#   gnuplot -e "datafile='...'; outfile='...'; termtype='png|svg'" plots/style.gp plots/NAME.gp
if (termtype eq 'svg') {
    set terminal svg size 1000,600 dynamic enhanced font 'sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1000,600 enhanced font 'sans,11' background rgb 'white'
}
set output outfile
set datafile missing 'NaN'
set border 3 lw 1 lc rgb '#444444'
set tics nomirror
set grid ytics lc rgb '#dddddd' lw 1 dt 1
set key top left reverse Left opaque box lc rgb "#cccccc"
# One colour per series, in the same order on every chart.
set linetype 1 lc rgb '#1f77b4' lw 2 pt 7 ps 1
set linetype 2 lc rgb '#d62728' lw 2 pt 5 ps 1
set linetype 3 lc rgb '#2ca02c' lw 2 pt 9 ps 1
set linetype 4 lc rgb '#ff7f0e' lw 2 pt 11 ps 1
set linetype 5 lc rgb '#9467bd' lw 2 pt 13 ps 1
