# One group's counters per operation, one bar per kind it compares (drawn once per group as
# charts/counters-<group>.png/.svg; run.sh gives every counters-* data file this script). Top:
# the kernel's software counters (context switches, CPU migrations, page faults); below: the
# CPU's hardware counters (cycles, instructions, IPC, cache misses) where the PMU allows, else
# one line saying they are not available on this machine and why (meta.json's reason). A counter
# refused alone says so in place of its panel.
# Data: charts/counters-<group>.dat ("# group:", "# rows:", "# note N:" per refused counter N
# (1-3 software, 4 cycles, 5 instructions, 6 cache misses), "# not measured:" when the group has
# no counted figure; rows: kind, then the seven values per operation, NaN where not counted).
meta(key) = system(sprintf("sed -n 's/^# %s: //p' '%s' | head -n 1", key, datafile))
group = meta('group')
rows = int(meta('rows'))
absent = meta('not measured')
note(k) = meta(sprintf('note %d', k))
hw_off = strlen(note(4)) > 0 && strlen(note(5)) > 0 && strlen(note(6)) > 0

row_h = 16
sw_h = rows > 0 ? 90 + row_h * rows : 0
hw_h = rows == 0 ? 0 : (hw_off ? 70 : 90 + row_h * rows)
H = 70 + sw_h + hw_h + (rows == 0 ? 60 : 0)
if (termtype eq 'svg') {
    set terminal svg size 1000, H dynamic enhanced font 'sans,12' background rgb 'white'
} else {
    set terminal pngcairo size 1000, H enhanced font 'sans,11' background rgb 'white'
}
set output outfile

# Screen fractions of the layout, top down.
top_y(px) = 1 - px / (H + 0.0)
label_w = 0.38
panel_x0(k, n) = label_w + (k - 1) * (0.98 - label_w) / n
panel_x1(k, n) = label_w + k * (0.98 - label_w) / n - 0.03

set multiplot title sprintf('%s group: counters per operation (each kind at its first counted figure: smallest size, same PU first)', group) noenhanced
unset key
set grid xtics lc rgb '#dddddd'
unset grid
set grid xtics
set style fill solid 0.8 border -1
set xtics nomirror font ',9'
set format x '%g'
set yrange [rows - 0.5 : -0.5]
set ytics scale 0 font ',9' noenhanced

# A panel: bars of column c in the kind rows, the value printed at each bar's end, or the reason
# the counter is missing in its place.
do for [p = 0:(rows > 0 ? 6 : -1)] {
    hw = p >= 3
    if (!(hw && hw_off)) {
        n = hw ? 4 : 3
        k = hw ? p - 2 : p + 1
        c = p + 2
        y0 = hw ? top_y(50 + sw_h + hw_h - 30) : top_y(50 + sw_h - 30)
        y1 = hw ? top_y(50 + sw_h + 40) : top_y(50 + 40)
        set lmargin at screen panel_x0(k, n)
        set rmargin at screen panel_x1(k, n)
        set tmargin at screen y1
        set bmargin at screen y0
        set title word('context-switches cpu-migrations page-faults cycles instructions IPC cache-misses', p + 1) noenhanced
        why = p == 5 ? (strlen(note(4)) ? note(4) : note(5)) : (p == 6 ? note(6) : note(p + 1))
        unset label 1
        if (strlen(why) > 0) {
            set label 1 why at graph 0.5, graph 0.5 center font ',9' noenhanced
        }
        set xrange [0:*]
        # A few round tics whatever the scale (0.004 or 137): crowded labels overlap.
        @yr_reset
        stats [*:*][*:*] datafile using (yr_add(column(c))) nooutput
        step = yr_max > 0 ? 10 ** floor(log10(yr_max)) : 1
        step = yr_max / step < 1.5 ? step / 2 : (yr_max / step > 3 ? step * 2 : step)
        if (!(step > 0)) { step = 1 }
        # All zero (no migrations anywhere): autoscale would give [0:0], which gnuplot widens
        # itself with a warning on every run.
        if (!(yr_max > 0)) { set xrange [0:1] }
        set xtics 0, step
        set offsets 0, graph 0.25, 0, 0
        bar_colour = hw ? '#ff7f0e' : '#1f77b4'
        if (k == 1) {
            plot datafile using (0):0:(0):(column(c)):($0 - 0.35):($0 + 0.35):ytic(1) \
                     with boxxyerror lc rgb bar_colour notitle, \
                 '' using (column(c)):0:(sprintf(' %.3g', column(c))) with labels left font ',8' notitle
        } else {
            unset ytics
            plot datafile using (0):0:(0):(column(c)):($0 - 0.35):($0 + 0.35) \
                     with boxxyerror lc rgb bar_colour notitle, \
                 '' using (column(c)):0:(sprintf(' %.3g', column(c))) with labels left font ',8' notitle
            set ytics scale 0 font ',9' noenhanced
        }
        unset label 1
    }
}
# No hardware counter: one line in place of the four panels.
if (rows > 0 && hw_off) {
    set origin 0, 0
    set size 1, 70.0 / H
    unset title
    set lmargin 0
    set rmargin 0
    set tmargin 0
    set bmargin 0
    unset border
    unset tics
    unset grid
    set xrange [0:1]
    set yrange [0:1]
    set label 2 sprintf("cycles, instructions, IPC and cache misses per operation:\n%s", note(4)) at 0.02, 0.5 left font ',11' noenhanced
    plot 2 notitle
    unset label 2
}
if (rows == 0) {
    set origin 0, 0
    set size 1, 1
    unset border
    unset tics
    set xrange [0:1]
    set yrange [0:1]
    set label 3 sprintf('not measured: %s', absent) at 0.02, 0.5 left font ',11' noenhanced
    plot 2 notitle
}
unset multiplot
