# exitlab tlb: TLB refill after one exit, by N (pages touched per pass).
#
# Top: one cluster per N, one bar per exit kind (none, pio, cpuid): the median
# cycles per access of the pass timed right after that exit, whisker p1..p99.
# Bottom: what one exit cost that pass, (exit median - none median) x N cycles.
#
# `exitlab plot` runs this with -e setting:
#   datafile   one row per refill test, '-' for a missing value, columns:
#                1 n                 pages touched per pass (4 KiB guest pages, one line each)
#                2 exit              none, pio or cpuid
#                3 kind              0 none, 1 pio, 2 cpuid (the colour)
#                4 cluster           index of n among the n present (the x position)
#                5 slot              index of the kind among the kinds present (place in the cluster)
#                6 median  7 p1  8 p99   cycles per access, loop overhead subtracted
#                9 exits_per_pass    host-counted exits per timed pass
#               10 refill_per_access median minus the exit=none median at the same n
#               11 refill_per_exit   the same times n: cycles one exit added to the pass
#   outfile    the PNG to write
#   term       (optional) the gnuplot terminal: pngcairo (default), or svg for --format svg
#   plottitle  CPU, KVM backend, TLB tagging (VPID/ASID) and paging, date
#   nlist      the n present, ascending, space-separated (the cluster labels)
#   nslots     number of exit kinds present (bars per cluster)
#   key_none, key_pio, key_cpuid   legend text of each kind ("" if absent)
#   logy, logy_refill   1 for a log y axis on the top, on the bottom panel
#   n_refill   rows with a refill cost (0: no bottom panel)
# By hand: gnuplot -e "datafile='tlb.dat'; outfile='tlb.png'; nlist='8 64 512 4096'" scripts/plot-tlb.gp

if (!exists("datafile")) datafile = "tlb.dat"
if (!exists("outfile")) outfile = "tlb.png"
if (!exists("plottitle")) plottitle = "exitlab tlb: TLB refill after one exit"
if (!exists("nlist")) nlist = "8 64 512 4096"
if (!exists("nslots")) nslots = 3
if (!exists("key_none")) key_none = "none"
if (!exists("key_pio")) key_pio = "pio"
if (!exists("key_cpuid")) key_cpuid = "cpuid"
if (!exists("logy")) logy = 0
if (!exists("logy_refill")) logy_refill = 0
if (!exists("n_refill")) n_refill = 1

if (!exists("term")) term = "pngcairo"
set terminal @term size 1200,(n_refill > 0 ? 950 : 620) noenhanced font "sans,10"
set output outfile
set datafile missing "-"

# Colours by kind: none, pio, cpuid.
colours = "#7f7f7f #d95f02 #7570b3"
colour(k) = word(colours, int(k) + 1)
rgb(k) = k == 0 ? 0x7f7f7f : (k == 1 ? 0xd95f02 : 0x7570b3)

nn = words(nlist)
bw = 0.8 / nslots
xpos(cluster, slot) = cluster + (slot - (nslots - 1) / 2.0) * bw
pos(v) = v > 0.01 ? v : 0.01

set xrange [-0.5:nn - 0.5]
set xtics () nomirror scale 0
do for [i=1:nn] { set xtics add (word(nlist, i) i - 1) }
set ytics nomirror
set grid ytics mytics lc rgb "#dddddd"
set style fill solid 0.85 border rgb "#333333"
set boxwidth bw * 0.9 absolute
set pointintervalbox 0.01
set key top left Left reverse samplen 2 box opaque

set multiplot title plottitle font "sans,12"

# --- top: cycles per access of the pass after the exit ---
if (n_refill > 0) {
	set origin 0, 0.40
	set size 1, 0.56
} else {
	set origin 0, 0
	set size 1, 0.94
}
set lmargin 12
set rmargin 3
# Headroom above the tallest whisker for the legend and the numbers.
if (logy) {
	set logscale y
	set format y "%g"
	do for [d=-2:6] {
		set ytics add (sprintf("%g", 2 * 10.0**d) 2 * 10.0**d, sprintf("%g", 5 * 10.0**d) 5 * 10.0**d)
	}
	set autoscale yfixmax
	set offsets 0, 0, graph 0.25, 0
	set ylabel "cycles per access (median; log scale)"
} else {
	set yrange [0:*]
	set offsets 0, 0, graph 0.25, 0
	set ylabel "cycles per access (median)"
}
set xlabel "N: pages touched per pass (4 KiB guest pages, one cache line each)"
set title "The pass timed right after one exit (loop overhead subtracted); whisker: p1 .. p99" font "sans,10"
plot datafile using (xpos($4, $5)):(logy ? pos($6) : $6):(rgb($3)) with boxes lc rgb variable notitle, \
     '' using (xpos($4, $5)):(logy ? pos($6) : $6):(logy ? pos($7) : $7):(logy ? pos($8) : $8) \
	with yerrorbars lc rgb "black" pt 7 ps 0.4 lw 1 notitle, \
     '' using (xpos($4, $5)):(logy ? pos($8) * 1.15 : $8):(sprintf("%.3g", $6)) \
	with labels offset 0, 0.6 font "sans,8" notitle, \
     keyentry with boxes lc rgb colour(0) title key_none, \
     keyentry with boxes lc rgb colour(1) title key_pio, \
     keyentry with boxes lc rgb colour(2) title key_cpuid

# --- bottom: the refill one exit caused ---
if (n_refill > 0) {
	set origin 0, 0
	set size 1, 0.40
	unset logscale y
	set autoscale y
	set ytics autofreq
	if (logy_refill) {
		set logscale y
		set format y "%g"
	} else {
		set format y "%g"
		set xzeroaxis lt 1 lc rgb "#333333"
	}
	set ylabel "cycles added per exit\n(median - none median) x N"
	set title "TLB refill cost of one exit: the pass after it minus the pass with no exit, " \
		."at the same N (colours as above)" font "sans,10"
	unset key
	set offsets 0, 0, graph 0.15, graph 0.05
	plot datafile using (xpos($4, $5)):11:(rgb($3)) with boxes lc rgb variable notitle, \
	     '' using (xpos($4, $5)):11:(sprintf("%.0f", $11)) with labels \
		offset 0, 0.7 font "sans,8" notitle
}
unset multiplot
