# exitlab: exit-costs at several vCPU counts.  Top: cycles per operation of
# the SMP tests against N (median, whisker p1..p99, log y); bottom: KVM exits
# per operation summed over every vCPU against N (the counts stay meaningful
# where the timings do not).  One line per test; files at the same N are
# points of their own.
#
# `exitlab plot a.json b.json ...` (exit-costs files at different --vcpus) runs this with -e setting:
#   datafile   blocks separated by two blank lines, one per test, each starting
#              with its name in double quotes, then rows sorted by N:
#                vcpus  median  p1  p99  kvm_exits_per_op_all_vcpus (NaN: none)  file
#   outfile    the chart to write
#   term       (optional) the gnuplot terminal: pngcairo (default), or svg
#   plottitle  what, host and kernel, CPU, KVM backend
#   vcpulist   the distinct N, space-separated: the x tics
#   nseries    blocks; key_0 .. key_<nseries-1> their names ("block I" when not given)
#   nexits     rows with an exit count (0: no bottom panel)
#   note       (optional) the PVM caveat under the chart
# By hand: gnuplot -e "datafile='v.dat'; outfile='v.png'; nseries=3; vcpulist='2 3 4'" scripts/plot-vcpus.gp

if (!exists("datafile")) datafile = "vcpus.dat"
if (!exists("outfile")) outfile = "vcpus.png"
if (!exists("plottitle")) plottitle = "exitlab: cost against the number of vCPUs"
if (!exists("vcpulist")) vcpulist = "1 2 3 4"
if (!exists("nseries")) nseries = 1
if (!exists("nexits")) nexits = 1
if (!exists("note")) note = ""

if (!exists("term")) term = "pngcairo"
set terminal @term size 1100,(nexits > 0 ? 950 : 600) noenhanced font "sans,10"
set output outfile

colours = "#1b9e77 #d95f02 #7570b3 #e7298a #66a61e #e6ab02 #a6761d #666666"
colour(i) = word(colours, (int(i) % 8) + 1)
points = "7 5 9 13 11"
ptype(i) = int(word(points, (int(i) % 5) + 1))
keyname(i) = exists(sprintf("key_%d", i)) ? value(sprintf("key_%d", i)) : sprintf("block %d", i)

nmin = real(word(vcpulist, 1))
nmax = real(word(vcpulist, words(vcpulist)))
set xrange [nmin - 0.5:nmax + 0.5]
set xtics () nomirror
do for [k=1:words(vcpulist)] { set xtics add (word(vcpulist, k) int(word(vcpulist, k))) }
set ytics nomirror
set grid xtics ytics mytics lc rgb "#dddddd"
set lmargin 12
set rmargin 30
set key outside right top Left reverse samplen 3 box opaque
set xlabel "vCPUs (exitlab run --vcpus N)"

set multiplot title plottitle font "sans,11"
if (strlen(note) > 0) {
	set label 99 note at screen 0.5, screen 0.012 center font "sans,9" tc rgb "#8b0000"
}

# --- top: cycles per operation ---
if (nexits > 0) {
	set origin 0, 0.45
	set size 1, 0.50
} else {
	set origin 0, 0.03
	set size 1, 0.90
}
set logscale y 10
set ylabel "cycles per operation (median, p1..p99)"
pos(v) = v > 1 ? v : 1
plot for [i=0:nseries-1] datafile index i using 1:(pos($2)):(pos($3)):(pos($4)) with yerrorbars \
         lc rgb colour(i) pt ptype(i) ps 1.1 notitle, \
     for [i=0:nseries-1] datafile index i using 1:(pos($2)) with lines lw 1.6 lc rgb colour(i) notitle, \
     for [i=0:nseries-1] keyentry with linespoints lw 1.6 lc rgb colour(i) pt ptype(i) title keyname(i)

# --- bottom: KVM exits per operation, all vCPUs ---
if (nexits > 0) {
	set origin 0, 0.03
	set size 1, 0.40
	unset logscale y
	set yrange [0:*]
	set ylabel "KVM exits per operation, summed over the vCPUs"
	unset key
	plot for [i=0:nseries-1] datafile index i using 1:5 with linespoints lw 1.6 lc rgb colour(i) \
	         pt ptype(i) ps 1.1 notitle
}
unset multiplot
