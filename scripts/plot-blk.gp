# exitlab blk: I/Os per second and exits per I/O, clustered by (block size,
# queue depth), one bar per (disk model, notify mode, read/write), from one or
# several results files.
#
# Top: I/Os per second (I/Os over the timed phase's wall time).  Bottom: exits per I/O (log
# y): bars = every exit (KVM's `exits` stat), points = the exits that reached
# userspace (the VMM).  A 0 cannot sit on a log axis: it is drawn at `floor`.
#
# `exitlab plot` runs this with -e setting:
#   datafile   blocks separated by two blank lines, one per series, each starting
#              with the series name in double quotes, then one row per (bs, qd)
#              ('-' for a missing value), columns:
#                1 cat            index of (bs, qd) among those present (the cluster)
#                2 bs  3 qd       block size in bytes, queue depth
#                4 iops           I/Os over the timed phase's host wall time
#                5 ns_median      1e9 / iops (ns per I/O by throughput)
#                6 exits  7 user_exits   per I/O over the timed phase
#                8 exits_drawn  9 user_drawn   the same, 0 replaced by `floor`
#               10 event_idx 11 irq   the test's parameters
#               12 ios            I/Os in the timed phase
#   outfile    the PNG to write
#   term       (optional) the gnuplot terminal: pngcairo (default), or svg for --format svg
#   plottitle  CPU and KVM backend
#   catlist    the cluster labels ("4KiB/qd=1 ..."), space-separated, in cat order
#   note       a line under the chart ("" for none): CPL0 instruction-emulated on PVM
#   floornote  "0 drawn at 1e-4 (log axis)" when a value was clamped, else ""
#   floor, nseries, ncats, nexits, ntimed, logy_iops, keychars   as in plot-net.gp
# By hand: gnuplot -e "datafile='blk.dat'; outfile='blk.png'; catlist='4KiB/qd=1'; nseries=2" scripts/plot-blk.gp

if (!exists("datafile")) datafile = "blk.dat"
if (!exists("outfile")) outfile = "blk.png"
if (!exists("plottitle")) plottitle = "exitlab blk: I/Os per second and exits per I/O"
if (!exists("catlist")) catlist = "4KiB/qd=1"
if (!exists("note")) note = ""
if (!exists("floornote")) floornote = ""
if (!exists("floor")) floor = 1e-4
if (!exists("nseries")) nseries = 1
if (!exists("ncats")) ncats = words(catlist)
if (!exists("nexits")) nexits = 1
if (!exists("ntimed")) ntimed = 1
if (!exists("logy_iops")) logy_iops = 0
if (!exists("keychars")) keychars = 24

if (!exists("term")) term = "pngcairo"
set terminal @term size 1200,900 noenhanced font "sans,10"
set output outfile
set datafile missing "-"

colours = "#1b9e77 #d95f02 #7570b3 #e7298a #66a61e #e6ab02 #a6761d #666666"
colour(i) = word(colours, (int(i) % 8) + 1)
bw = 0.8 / nseries
xpos(cat, slot) = cat + (slot - (nseries - 1) / 2.0) * bw

set xrange [-0.5:ncats - 0.5]
set xtics () nomirror scale 0
do for [i=1:ncats] { set xtics add (word(catlist, i) i - 1) }
set ytics nomirror
set grid ytics mytics lc rgb "#dddddd"
set style fill solid 0.85 border rgb "#333333"
set boxwidth bw * 0.9 absolute
set lmargin 12
set rmargin keychars + 10
set key outside right top Left reverse samplen 2 box opaque width 2
set xlabel "block size / queue depth"

set multiplot title plottitle font "sans,12"
if (strlen(note) > 0) {
	set label 99 note at screen 0.5, screen 0.012 center font "sans,9" tc rgb "#8b0000"
}

# --- top: I/Os per second ---
set origin 0, 0.50
set size 1, 0.45
if (ntimed > 0) {
	if (logy_iops) {
		set logscale y 10
		set ylabel "I/Os per second (log scale)"
	} else {
		set yrange [0:*]
		set ylabel "I/Os per second"
	}
	# decades as plain numbers on a log axis (100m would read as 100 million); 1.5k, 2.0M on a linear one
	if (logy_iops) { set format y "%g" } else { set format y "%.1s%c" }
	set offsets 0, 0, graph 0.1, 0
	set title "I/Os per second: I/Os over the timed phase's wall time" font "sans,10"
	plot for [i=0:nseries-1] datafile index i using (xpos($1, i)):4 with boxes lc rgb colour(i) \
		title columnheader(1)
} else {
	set yrange [0:1]
	set label 1 "no timed I/O tests in these results" at graph 0.5, graph 0.5 center
	plot 1/0 notitle
	unset label 1
}
unset label 99
unset logscale y
set autoscale y
set offsets 0, 0, 0, 0

# --- bottom: exits per I/O ---
set origin 0, 0.03
set size 1, 0.45
set logscale y 10
set format y "%g"
set ylabel "exits per I/O (log scale)"
set title "Exits per I/O over the timed phase: bars = all exits (KVM exits stat), points = userspace exits" \
	font "sans,10"
if (strlen(floornote) > 0) {
	set yrange [floor / 3.0:*]
	set arrow 1 from graph 0, first floor to graph 1, first floor nohead dt 3 lc rgb "#999999"
}
if (nexits > 0) {
	plot for [i=0:nseries-1] datafile index i using (xpos($1, i)):8 with boxes lc rgb colour(i) \
		title columnheader(1), \
	     for [i=0:nseries-1] datafile index i using (xpos($1, i)):9 with points pt 9 ps 1.4 \
		lc rgb "black" notitle, \
	     keyentry with points pt 9 ps 1.4 lc rgb "black" title "userspace exits (points)", \
	     keyentry with points pt 0 lc rgb "white" title floornote
} else {
	set yrange [floor:1]
	set label 1 "no exit counts in these results (KVM stats off?)" at graph 0.5, graph 0.5 center
	plot 1/0 notitle
}
unset multiplot
