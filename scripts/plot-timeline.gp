# exitlab regression timeline: one panel per test, x = campaign runs in time
# order, y = the test's median (cycles or ns per operation), whiskers p25..p75.
#
# `exitlab plot DIR` (DIR holding several campaign runs) runs this with -e setting:
#   datafile   one block per panel (blocks separated by two blank lines), rows:
#                x  median  p25  p75  repetitions  started_at
#              median: of the repetitions' medians in that run; p25, p75: of those medians
#   outfile    the chart to write
#   term       (optional) the gnuplot terminal: pngcairo (default), or svg for --format svg
#   plottitle  campaign, payload, number of runs, KVM backend
#   xticsdef   the x labels as gnuplot tic pairs: "12-01 22:31:05" 0, "12-01 22:40:12" 1, ...
#   n_panels, cols, nrows, n_runs
#   title_0 .. title_<n_panels-1>   each panel's title: test [unit]
#   yfix_<i>   (optional) panel i's single value when all its numbers are equal
# By hand: gnuplot -e "datafile='t.dat'; outfile='t.png'; n_panels=1; cols=1; nrows=1; n_runs=3; \
#          xticsdef='\"a\" 0, \"b\" 1, \"c\" 2'; title_0='cpuid/cpl3 [cycles]'" scripts/plot-timeline.gp

if (!exists("datafile")) datafile = "timeline.dat"
if (!exists("outfile")) outfile = "timeline.png"
if (!exists("plottitle")) plottitle = "exitlab timeline"
if (!exists("n_panels")) n_panels = 1
if (!exists("cols")) cols = 1
if (!exists("nrows")) nrows = 1
if (!exists("n_runs")) n_runs = 1
if (!exists("xticsdef")) xticsdef = ""

if (!exists("term")) term = "pngcairo"
w = cols == 1 ? 900 : 1500
h = 230 + 310 * nrows
set terminal @term size w,h noenhanced font "sans,9"
set output outfile

legend = "x: campaign runs in time order (UTC start);  point: median of the run's repetitions' medians;" . \
         "  whisker: p25..p75 of those medians (none with one repetition)"
set multiplot layout nrows,cols title plottitle . "\n" . legend font "sans,11" \
    margins (cols == 1 ? 0.12 : 0.09), 0.98, (110.0 / h), (1.0 - 125.0 / h) spacing 0.06, (125.0 / h)

set xrange [-0.5:n_runs - 0.5]
if (strlen(xticsdef) > 0) {
	eval "set xtics (" . xticsdef . ") rotate by 30 right nomirror font 'sans,8'"
} else {
	set xtics 1 nomirror
}
set ytics nomirror font "sans,8"
set format y "%.6g"
set grid xtics ytics lc rgb "#dddddd"
set offsets 0, 0, graph 0.12, graph 0.12
set pointintervalbox 0.01
set key off

do for [i = 0:n_panels - 1] {
	set title value(sprintf("title_%d", i)) font "sans,9"
	# a test that did not move at all (yfix_<i> set): a +-1% band around it (gnuplot would warn)
	v = sprintf("yfix_%d", i)
	if (exists(v)) {
		c = value(v)
		d = (c == 0 ? 1 : abs(c) * 0.01)
		set yrange [c - d:c + d]
	} else {
		set yrange [*:*]
	}
	plot datafile index i using 1:2:3:4 with yerrorlines lc rgb "#1b6e9e" lw 1.5 pt 7 ps 0.7 notitle
}
unset multiplot
