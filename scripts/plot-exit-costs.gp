# exitlab: median cycles per operation, one bar per test, whisker p1..p99.
#
# `exitlab plot` runs this with -e setting:
#   datafile   whitespace-separated rows: label median p1 p99 category emulated invalid
#              (category: 1 guest CPL3, 2 guest CPL0, 3 host baseline; invalid 1: the
#              exit counts contradict the test, drawn grey)
#   outfile    the PNG to write
#   term       (optional) the gnuplot terminal: pngcairo (default), or svg for --format svg
#   plottitle  payload, host CPU, KVM backend, date
#   note       text under the chart (the PVM caveat), or ""
#   n_cpl3, n_cpl0, n_host, n_invalid   rows per category, and invalid rows (legend
#              entries only for those present)
# By hand: gnuplot -e "datafile='r.dat'; outfile='r.png'" scripts/plot-exit-costs.gp

if (!exists("datafile")) datafile = "results.dat"
if (!exists("outfile")) outfile = "results.png"
if (!exists("plottitle")) plottitle = "exitlab: cycles per operation"
if (!exists("note")) note = ""
if (!exists("n_cpl3")) n_cpl3 = 1
if (!exists("n_cpl0")) n_cpl0 = 1
if (!exists("n_host")) n_host = 1
if (!exists("n_invalid")) n_invalid = 0

if (!exists("term")) term = "pngcairo"
set terminal @term size 1400,700 noenhanced font "sans,10"
set output outfile
set title plottitle font "sans,12" offset 0, (strlen(note) > 0 ? 1.2 : 0)

# Colours: guest CPL3, guest CPL0 (emulated under PVM), host baseline.
c_cpl3 = 0x1b9e77
c_cpl0 = 0xd95f02
c_host = 0x7570b3
c_invalid = 0xbbbbbb
colour(cat, bad) = bad > 0 ? c_invalid : (cat == 3 ? c_host : (cat == 2 ? c_cpl0 : c_cpl3))

# Log scale spans 100-cycle system calls and 10^5-cycle emulated exits; a
# median at or below zero (overhead subtraction) is drawn at 1 cycle.
pos(v) = v > 1 ? v : 1
set logscale y
set format y "%.0f"
set ylabel "cycles per operation (median; loop overhead subtracted)"
set grid ytics mytics lc rgb "#dddddd"
set xtics rotate by 40 right nomirror
set ytics nomirror
set xrange [-0.6:*]
set offsets 0, 0.6, 0, 0
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.7
# Errorbars otherwise clear a white disc around their point.
set pointintervalbox 0.01
set key below horizontal Left reverse samplen 2 width 2
if (strlen(note) > 0) {
	set tmargin 4.5
	set label 1 note at graph 0.5, graph 1.03 center font "sans,10" tc rgb "#b00000"
}

plot datafile using 0:(pos($2)):(colour($5, $7)):xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:(pos($2)):(pos($3)):(pos($4)) with yerrorbars lc rgb "black" pt 7 ps 0.5 lw 1.2 notitle, \
     '' using 0:(pos($4) * 1.35):(sprintf("%.0f", $2)) with labels font "sans,8" notitle, \
     keyentry with boxes lc rgb c_cpl3 title (n_cpl3 > 0 ? "guest, CPL3" : ""), \
     keyentry with boxes lc rgb c_cpl0 \
	title (n_cpl0 > 0 ? (strlen(note) > 0 ? "guest, CPL0 (instruction-emulated)" : "guest, CPL0") : ""), \
     keyentry with boxes lc rgb c_host title (n_host > 0 ? "host baseline (native)" : ""), \
     keyentry with boxes lc rgb c_invalid \
	title (n_invalid > 0 ? "INVALID: exit counts contradict the test (not that cost)" : ""), \
     keyentry with yerrorbars lc rgb "black" pt 7 ps 0.5 title "whisker: p1 .. p99 (bar, dot and number: median)"
