# exitlab net: exits per frame and frames per second vs batch size, one series
# per (NIC model, notify mode, direction), from one or several results files.
#
# Top: exits per frame (log y), solid = every exit (KVM's `exits` stat), dashed =
# the exits that reached userspace (the VMM); one colour per series.  A value of
# 0 cannot sit on a log axis: it is drawn at `floor` and the key says so.
# Bottom: frames per second (frames over the timed phase's wall time), same colours.
#
# `exitlab plot` runs this with -e setting:
#   datafile   blocks separated by two blank lines, one per series, each starting
#              with the series name in double quotes, then one row per batch size
#              ('-' for a missing value), columns:
#                1 batch          frames per notification batch (1..256)
#                2 exits          exits per frame, KVM's `exits` stat over the timed phase
#                3 user_exits     exits per frame that reached userspace
#                4 exits_drawn  5 user_drawn   the same, 0 replaced by `floor`
#                6 frames_per_s   frames over the timed phase's host wall time
#                7 ns_median      1e9 / frames_per_s (ns per frame by throughput)
#                8 kicks  9 irqs  per frame, from the device's counters
#               10 size  11 event_idx  12 irq   the test's parameters
#               13 frames         frames in the timed phase
#   outfile    the PNG to write
#   term       (optional) the gnuplot terminal: pngcairo (default), or svg for --format svg
#   plottitle  CPU, KVM backend, net backend, frame size
#   note       a line under the chart ("" for none): CPL0 instruction-emulated on PVM
#   floornote  "0 drawn at 1e-4 (log axis)" when some value was clamped, else ""
#   floor      where 0 is drawn
#   nseries    number of blocks
#   nexits     rows with exit counts (0: the top panel says so)
#   ntimed     rows with frames per second (0: no bottom panel)
#   logy_rate  1 for a log y axis on the bottom panel
#   keychars   the longest key text in characters (room kept on the right for the key)
# By hand: gnuplot -e "datafile='net.dat'; outfile='net.png'; nseries=4" scripts/plot-net.gp

if (!exists("datafile")) datafile = "net.dat"
if (!exists("outfile")) outfile = "net.png"
if (!exists("plottitle")) plottitle = "exitlab net: exits per frame and frames per second vs batch size"
if (!exists("note")) note = ""
if (!exists("floornote")) floornote = ""
if (!exists("floor")) floor = 1e-4
if (!exists("nseries")) nseries = 1
if (!exists("nexits")) nexits = 1
if (!exists("ntimed")) ntimed = 1
if (!exists("logy_rate")) logy_rate = 0
if (!exists("keychars")) keychars = 24

if (!exists("term")) term = "pngcairo"
set terminal @term size 1200,(ntimed > 0 ? 1000 : 640) noenhanced font "sans,10"
set output outfile
set datafile missing "-"

colours = "#1b9e77 #d95f02 #7570b3 #e7298a #66a61e #e6ab02 #a6761d #666666"
colour(i) = word(colours, (int(i) % 8) + 1)
# Past eight series the colours repeat with another point shape.
shape(i) = 7 + 2 * (int(i) / 8)

set logscale x 2
set xrange [0.75:340]
set xtics (1, 2, 4, 8, 16, 32, 64, 128, 256) nomirror
set ytics nomirror
set grid xtics ytics mytics lc rgb "#dddddd"
set lmargin 12
# Room on the right for the key, the same in both panels so that their x axes line up.
set rmargin keychars + 10
set key outside right top Left reverse samplen 3 box opaque width 2

set multiplot title plottitle font "sans,12"
if (strlen(note) > 0) {
	set label 99 note at screen 0.5, screen 0.012 center font "sans,9" tc rgb "#8b0000"
}

# --- top: exits per frame ---
if (ntimed > 0) {
	set origin 0, 0.42
	set size 1, 0.53
} else {
	set origin 0, 0.03
	set size 1, 0.90
}
set logscale y 10
set format y "%g"
set ylabel "exits per frame (log scale)"
set xlabel "batch size: frames per notification (log2)"
set title "Exits per frame over the timed phase: solid = all exits (KVM exits stat), dashed = userspace exits" \
	font "sans,10"
if (strlen(floornote) > 0) {
	# room below the floor so that clamped points sit on a dotted line, not on the border
	set yrange [floor / 3.0:*]
	set arrow 1 from graph 0, first floor to graph 1, first floor nohead dt 3 lc rgb "#999999"
}
if (nexits > 0) {
	plot for [i=0:nseries-1] datafile index i using 1:4 with linespoints lw 2 pt shape(i) ps 0.9 \
		lc rgb colour(i) dt 1 title columnheader(1), \
	     for [i=0:nseries-1] datafile index i using 1:5 with linespoints lw 1.5 pt shape(i) - 1 ps 0.9 \
		lc rgb colour(i) dt 2 notitle, \
	     keyentry with lines lw 2 lc rgb "#333333" dt 1 title "all exits", \
	     keyentry with lines lw 1.5 lc rgb "#333333" dt 2 title "userspace exits", \
	     keyentry with points pt 0 lc rgb "white" title floornote
} else {
	set yrange [floor:1]
	set label 1 "no exit counts in these results (KVM stats off?)" at graph 0.5, graph 0.5 center
	plot 1/0 notitle
	unset label 1
}
unset label 99
unset arrow 1

# --- bottom: frames per second ---
if (ntimed > 0) {
	set origin 0, 0.03
	set size 1, 0.39
	unset logscale y
	set autoscale y
	if (logy_rate) {
		set logscale y 10
		set ylabel "frames per second (log scale)"
	} else {
		set yrange [0:*]
		set ylabel "frames per second"
	}
	# decades as plain numbers on a log axis (100m would read as 100 million); 1.5k, 2.0M on a linear one
	if (logy_rate) { set format y "%g" } else { set format y "%.1s%c" }
	set title "Frames per second: frames over the timed phase's wall time (colours as above)" font "sans,10"
	plot for [i=0:nseries-1] datafile index i using 1:6 with linespoints lw 2 pt shape(i) ps 0.9 \
		lc rgb colour(i) title columnheader(1)
}
unset multiplot
