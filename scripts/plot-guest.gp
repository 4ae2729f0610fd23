# exitlab: a Linux guest's workloads (exitlab-guest) from one or several runs, side by side: per
# test of each file, KVM exits per operation and exits to the VMM per operation as a pair of bars
# (log y: a 0 is drawn at the floor 0.01 and labelled). Counts only.
#
# `exitlab plot a.json [b.json ...]` (runs of `exitlab run linux`, under exitlab or --vmm qemu) runs this with -e setting:
#   datafile   one row per test: "entry test (vmm)"  kvm_exits_per_op  exits_to_vmm_per_op (NaN: not counted)
#   outfile    the chart to write
#   term       (optional) the gnuplot terminal: pngcairo (default), or svg
#   plottitle  what, host and kernel, CPU, KVM backend
#   nrows      rows in datafile
# By hand: gnuplot -e "datafile='g.dat'; outfile='g.png'; nrows=12" scripts/plot-guest.gp

if (!exists("datafile")) datafile = "guest.dat"
if (!exists("outfile")) outfile = "guest.png"
if (!exists("plottitle")) plottitle = "exitlab: Linux guest workloads, exits per operation"
if (!exists("nrows")) nrows = 10

if (!exists("term")) term = "pngcairo"
width = 200 + 70 * nrows
set terminal @term size (width < 1100 ? 1100 : width),720 noenhanced font "sans,10"
set output outfile
set title plottitle font "sans,11"

floor = 0.01
lift(v) = (v != v) ? NaN : (v < floor ? floor : v)
set logscale y
set yrange [floor * 0.8:*]
set ylabel "per operation (log; 0 drawn at 0.01)"
set grid ytics mytics lc rgb "#dddddd"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -35 left nomirror
set ytics nomirror
set bmargin 14
set rmargin 16
set key top left box opaque

plot datafile using (lift($2)):xtic(1) title "KVM exits / op" lc rgb "#7570b3", \
     '' using (lift($3)) title "exits to the VMM / op" lc rgb "#d95f02"
