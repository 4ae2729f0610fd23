# exitlab regression timeline: one panel per test, x = campaign runs in time
# order, y = the test's median as % change from the panel's first run on one
# scale shared by every panel (relative=1), or in cycles or ns per operation on
# an axis from zero (relative=0); whiskers p25..p75.
#
# `exitlab plot DIR` (DIR holding several campaign runs) runs this with -e setting:
#   datafile   one block per panel (blocks separated by two blank lines), rows:
#                x  median  p25  p75  repetitions  started_at  pct  pct_p25  pct_p75  kernel  revision
#              median: of the repetitions' medians in that run; p25, p75: of those medians;
#              pct*: the same as % change from the block's first median (NaN: none)
#   outfile    the chart to write
#   term       (optional) the gnuplot terminal: pngcairo (default), or svg for --format svg
#   plottitle  campaign, payload, number of runs
#   subtitle   the runs' hosts and kernels and KVM backend
#   xticsdef   the x labels as gnuplot tic pairs, time, kernel and revision on three lines:
#              "12-01 22:31:05\n6.18.44\nrev 4b0981133949" 0, ...
#   n_panels, cols, nrows, n_runs
#   relative   1 (default): columns pct*, every panel on [ylo:yhi]; 0: columns 2-4 from 0
#   ylo, yhi   the shared relative range (% change)
#   title_0 .. title_<n_panels-1>   each panel's title: test [unit]
#   yfix_<i>   (optional, absolute) panel i's single value when all its numbers are 0
# By hand: gnuplot -e "datafile='t.dat'; outfile='t.png'; n_panels=1; cols=1; nrows=1; n_runs=3; \
#          xticsdef='\"a\" 0, \"b\" 1, \"c\" 2'; title_0='cpuid/cpl3 [cycles]'" scripts/plot-timeline.gp

if (!exists("datafile")) datafile = "timeline.dat"
if (!exists("outfile")) outfile = "timeline.png"
if (!exists("plottitle")) plottitle = "exitlab timeline"
if (!exists("subtitle")) subtitle = ""
if (!exists("n_panels")) n_panels = 1
if (!exists("cols")) cols = 1
if (!exists("nrows")) nrows = 1
if (!exists("n_runs")) n_runs = 1
if (!exists("xticsdef")) xticsdef = ""
if (!exists("relative")) relative = 1
if (!exists("ylo")) ylo = -10
if (!exists("yhi")) yhi = 10

if (!exists("term")) term = "pngcairo"
w = cols == 1 ? 900 : 1500
h = 250 + 340 * nrows
set terminal @term size w,h noenhanced font "sans,9"
set output outfile

legend = "x: campaign runs in time order (UTC start, kernel, exitlab revision);  point: median of the run's" . \
         " repetitions' medians;  whisker: p25..p75 of those medians (none with one repetition)" . \
         (relative ? "\ny: % change from the panel's first run, the same scale in every panel" : \
                     "\ny: per operation, in the unit each panel names, from 0")
set multiplot layout nrows,cols title plottitle . "\n" . subtitle . "\n" . legend font "sans,11" \
    margins (cols == 1 ? 0.12 : 0.09), 0.98, (150.0 / h), (1.0 - 155.0 / h) spacing 0.06, (165.0 / h)

set xrange [-0.5:n_runs - 0.5]
if (strlen(xticsdef) > 0) {
	eval "set xtics (" . xticsdef . ") rotate by 90 right nomirror font 'sans,8'"
} else {
	set xtics 1 nomirror
}
set ytics nomirror font "sans,8"
set grid xtics ytics lc rgb "#dddddd"
if (relative) {
	set format y "%+.3g%%"
	set offsets 0, 0, 0, 0
	# the first run's level
	set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lc rgb "#888888" dt 2
} else {
	set format y "%.6g"
	set offsets 0, 0, graph 0.12, 0
}
set pointintervalbox 0.01
set key off

do for [i = 0:n_panels - 1] {
	set title value(sprintf("title_%d", i)) font "sans,9"
	# a test that did not move at all (yfix_<i> set): a +-1% band around it (gnuplot would warn)
	v = sprintf("yfix_%d", i)
	if (relative) {
		set yrange [ylo:yhi]
	} else {
		if (exists(v)) {
			c = value(v)
			d = (c == 0 ? 1 : abs(c) * 0.01)
			set yrange [c - d:c + d]
		} else {
			# zero-based: the axis reaches 0 whichever side of it the numbers are
			set yrange [*<0:0<*]
		}
	}
	if (relative) {
		plot datafile index i using 1:7:8:9 with yerrorlines lc rgb "#1b6e9e" lw 1.5 pt 7 ps 0.7 notitle
	} else {
		plot datafile index i using 1:2:3:4 with yerrorlines lc rgb "#1b6e9e" lw 1.5 pt 7 ps 0.7 notitle
	}
}
unset multiplot
