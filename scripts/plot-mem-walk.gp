# exitlab mem-walk: time per access vs working set, one line per configuration.
#
# `exitlab plot` runs this with -e setting:
#   datafile   blocks separated by two blank lines, each starting with a quoted
#              title line, then rows: working_set_bytes value
#              (guest configurations first, then the native twins)
#   outfile    the PNG to write
#   term       (optional) the gnuplot terminal: pngcairo (default), or svg for --format svg
#   plottitle  CPU, KVM backend, paging mode, date
#   n_guest, n_native   number of blocks of each kind
#   unit       "ns" or "cycles"
# By hand: gnuplot -e "datafile='r.dat'; outfile='r.png'; n_guest=2; n_native=2" scripts/plot-mem-walk.gp

if (!exists("datafile")) datafile = "mem-walk.dat"
if (!exists("outfile")) outfile = "mem-walk.png"
if (!exists("plottitle")) plottitle = "exitlab mem-walk"
if (!exists("n_guest")) n_guest = 1
if (!exists("n_native")) n_native = 0
if (!exists("unit")) unit = "ns"

if (!exists("term")) term = "pngcairo"
set terminal @term size 1200,700 noenhanced font "sans,10"
set output outfile
set title plottitle font "sans,11"
set logscale x 2
set logscale y 10
set format x "%.0b%B"
set xlabel "working set (bytes, one 4 KiB page per access)"
set ylabel unit." per access (median; fence overhead subtracted)"
set grid xtics ytics mytics lc rgb "#dddddd"
set key top left box opaque
set mxtics 1

# Guest lines solid, native twins dashed, each configuration its own colour.
colours = "#1b9e77 #d95f02 #7570b3 #e7298a #66a61e #e6ab02"
colour(i) = word(colours, (i % 6) + 1)

plot for [i=0:n_guest-1] datafile index i using 1:2 with linespoints lw 2 pt 7 ps 0.8 \
         lc rgb colour(i) dt 1 title columnheader(1), \
     for [j=0:n_native-1] datafile index (n_guest+j) using 1:2 with linespoints lw 2 pt 6 ps 0.8 \
         lc rgb colour(n_guest + j) dt 2 title columnheader(1)
