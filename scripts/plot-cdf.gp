# exitlab CDF: the distribution of the kept raw samples (exitlab run --raw) of
# every test, one step line per test.
#
# `exitlab plot RESULTS.json --cdf` runs this with -e setting:
#   datafile   blocks separated by two blank lines, one per test, each starting
#              with the test's label in double quotes, then rows:
#                cycles_per_op  fraction_of_samples_at_or_below (0..1]
#   outfile    the chart to write
#   term       (optional) the gnuplot terminal: pngcairo (default), or svg for --format svg
#   plottitle  payload, CPU, KVM backend, date
#   n_tests    number of blocks
#   logx       1: log x axis (every sample positive), 0: linear
# By hand: gnuplot -e "datafile='r-cdf.dat'; outfile='r-cdf.png'; n_tests=3" scripts/plot-cdf.gp

if (!exists("datafile")) datafile = "cdf.dat"
if (!exists("outfile")) outfile = "cdf.png"
if (!exists("plottitle")) plottitle = "exitlab: CDF of samples"
if (!exists("n_tests")) n_tests = 1
if (!exists("logx")) logx = 1

if (!exists("term")) term = "pngcairo"
set terminal @term size 1200,700 noenhanced font "sans,10"
set output outfile
set title plottitle font "sans,11"
if (logx) set logscale x 10
set xlabel "cycles per operation (raw sample, loop overhead subtracted)"
set ylabel "fraction of samples <= x"
set yrange [0:1.02]
set ytics 0.1
set grid xtics ytics mxtics lc rgb "#dddddd"
set key outside right top box

colours = "#1b9e77 #d95f02 #7570b3 #e7298a #66a61e #e6ab02 #a6761d #666666 " . \
          "#1f78b4 #b2df8a #fb9a99 #fdbf6f #cab2d6 #6a3d9a #b15928 #000000"
colour(i) = word(colours, (i % 16) + 1)

plot for [i=0:n_tests-1] datafile index i using 1:2 with steps lw 2 lc rgb colour(i) \
         title columnheader(1)
