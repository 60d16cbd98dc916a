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

# Fewer than 3 x values: error bars and markers only, no line (a line between two sizes decades
# apart draws a trend that was not measured). `@count_rows` counts the rows of block blk (-1: the
# whole file) into nrows; then @xy_pick (or @lp_pick, without error bars) sets the data style and
# the plot leaves out "with". Commands, not style names, so that they work inside a do-for loop,
# whose macros are expanded once before the loop runs. The count is a side effect of an
# expression, so a log axis or a block of NaN cannot make stats drop rows or raise an error.
# A block whose rows share one x value gets an x range around it (gnuplot would widen the empty
# range itself, with a warning per panel); the next block with a spread goes back to autoscale.
blk = -1
nrows = 0
row_lo = 0
row_hi = 0
x_padded = 0
row_seen(x) = (nrows = nrows + 1, row_lo = (nrows == 1 || x < row_lo) ? x : row_lo, row_hi = (nrows == 1 || x > row_hi) ? x : row_hi, 1)
count_rows = 'nrows = 0; if (blk < 0) { stats [*:*][*:*] datafile using (row_seen($1)) nooutput } else { stats [*:*][*:*] datafile index blk using (row_seen($1)) nooutput }; if (nrows > 0 && row_lo == row_hi) { if (row_lo > 0) { set xrange [row_lo * 0.5 : row_hi * 1.5] } else { set xrange [row_lo - 1 : row_hi + 1] }; x_padded = 1 } else { if (x_padded) { set autoscale x; x_padded = 0 } }'
xy_pick = 'if (nrows < 3) { set style data yerrorbars } else { set style data yerrorlines }'
lp_pick = 'if (nrows < 3) { set style data points } else { set style data linespoints }'

# Byte counts as tick labels in binary units: 64 B, 4 KiB, 1 MiB (the axis is log 2).
bytes_label(b) = b >= 1073741824 ? sprintf('%g GiB', b / 1073741824.) : \
                 b >= 1048576 ? sprintf('%g MiB', b / 1048576.) : \
                 b >= 1024 ? sprintf('%g KiB', b / 1024.) : sprintf('%g B', b)

# One y range over every panel a reader compares: yr_reset, then for each column c of the data
# `stats datafile using (yr_add(column(c))) nooutput` (NaN cells are skipped; a column without a
# number raises no warning), then yr_log or yr_lin before the first panel.
yr_reset = 'yr_min = 1e300; yr_max = -1e300'
yr_add(v) = (v == v) ? (yr_min = (v < yr_min ? v : yr_min), yr_max = (v > yr_max ? v : yr_max), 1) : 1
yr_log = 'if (yr_max >= yr_min) { set yrange [yr_min / 1.6 : yr_max * 1.6] }'
yr_lin = 'if (yr_max >= yr_min) { set yrange [(yr_min < 0 ? yr_min * 1.1 : 0) : yr_max * 1.1] }'

# Tick labels from the data's x values: blk as for @count_rows, then @tics_from_x. It replaces a
# series `using 1:(NaN):xtic(...)`, which gnuplot reports as "no valid points". tic_label(x) names
# a tic (a script may redefine it); tic_every = 2 names every other one, for a narrow panel.
tic_every = 1
tic_label(x) = bytes_label(x)
tic_add(x) = (tic_n = tic_n + 1, tics = tics . sprintf('%s"%s" %.17g', tic_n > 1 ? ', ' : '', \
              (tic_n - 1) % tic_every ? '' : tic_label(x), x), 1)
tics_from_x = 'tics = ""; tic_n = 0; if (blk < 0) { stats [*:*][*:*] datafile using (tic_add($1)) nooutput } else { stats [*:*][*:*] datafile index blk using (tic_add($1)) nooutput }; eval "set xtics (" . tics . ")"'

# Whether column cc of block blk (-1: the whole file) has a number: `@col_count` sets col_n, so a
# panel plots (and lists in its key) only the series it has.
col_seen(v) = (col_n = col_n + (v == v ? 1 : 0), 1)
col_count = 'col_n = 0; if (blk < 0) { stats [*:*][*:*] datafile using (col_seen(column(cc))) nooutput } else { stats [*:*][*:*] datafile index blk using (col_seen(column(cc))) nooutput }'
# The j-th number of such a list: plot `for [j = 1:words(list)]` with kth(list, j). gnuplot reads
# a clause once even when its range is empty (not drawing it), so past the list's end kth is 1:
# the x column, which has numbers and so raises no "no valid points" warning. (`for [s in list]`
# fails outright on an empty list.)
kth(list, j) = j <= words(list) ? word(list, j) + 0 : 1
