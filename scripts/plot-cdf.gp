# exitlab CDF: the distribution of the kept raw samples (exitlab run --raw) of
# every test, one step line per test.  Each line has its own colour, dash type
# and point symbol (cycles of 8, 5 and 7: no two of the first 280 lines look
# alike), so the chart reads in black and white too.
#
# `exitlab plot RESULTS.json --cdf` (or --ccdf) runs this with -e setting:
#   datafile   blocks separated by two blank lines, one per test, each starting
#              with the test's label in double quotes, then rows:
#                cycles_per_op  fraction_at_or_below (0..1]  fraction_at_or_above [1/n..1]  mark
#              mark: 1 on the ~10 rows per line that get its point symbol
#   outfile    the chart to write
#   term       (optional) the gnuplot terminal: pngcairo (default), or svg for --format svg
#   plottitle  payload, host and kernel, CPU, KVM backend, date
#   xtitle     the x axis label: cycles per operation, or for latency tests (exit-costs'
#              irq_device, irq_device_halt: host eventfd write to guest handler) their latency
#   n_tests    number of blocks
#   n_keys     legend names given (key_0 .. key_<n_keys-1>, in block order)
#   logx       1: log x axis (some sample positive), 0: linear
#   xfloor     where the log axis draws a sample <= 0 (a decade below the smallest positive one)
#   n_nonpositive  how many samples are <= 0 (the x label says where they are drawn)
#   ccdf       1: the complementary CDF (column 3) on a log y axis, 0: the CDF (column 2)
#   max_samples  the largest sample count of a test (the CCDF's floor is 1/max_samples)
# By hand: gnuplot -e "datafile='r-cdf.dat'; outfile='r-cdf.png'; n_tests=3" scripts/plot-cdf.gp

if (!exists("datafile")) datafile = "cdf.dat"
if (!exists("outfile")) outfile = "cdf.png"
if (!exists("plottitle")) plottitle = "exitlab: CDF of samples"
if (!exists("n_tests")) n_tests = 1
if (!exists("n_keys")) n_keys = 0
if (!exists("logx")) logx = 1
if (!exists("ccdf")) ccdf = 0
if (!exists("max_samples")) max_samples = 1000
if (!exists("xfloor")) xfloor = 1
if (!exists("n_nonpositive")) n_nonpositive = 0

if (!exists("term")) term = "pngcairo"
set terminal @term size 1300,750 noenhanced font "sans,10"
set output outfile
set title plottitle font "sans,11"
if (logx) set logscale x 10
if (!exists("xtitle")) xtitle = "cycles per operation (raw sample, loop overhead subtracted)"
set xlabel xtitle . \
    (logx && n_nonpositive > 0 ? sprintf("; %d samples <= 0 drawn at %g", n_nonpositive, xfloor) : "")
# x as drawn: on the log axis a sample <= 0 sits at the floor
xv(x) = logx && x <= 0 ? xfloor : x
if (ccdf) {
	set logscale y 10
	set ylabel "fraction of samples >= x (log scale: the tail)"
	set yrange [0.5 / max_samples:1.5]
	set format y "%g"
	set grid xtics ytics mxtics mytics lc rgb "#dddddd"
	col = 3
	style = "fsteps"
} else {
	set ylabel "fraction of samples <= x"
	set yrange [0:1.02]
	set ytics 0.1
	set grid xtics ytics mxtics lc rgb "#dddddd"
	col = 2
	style = "steps"
}
set key outside right top box spacing 1.1 samplen 4 font "sans,9"

colours = "#1b9e77 #d95f02 #7570b3 #e7298a #66a61e #a6761d #1f78b4 #000000"
colour(i) = word(colours, (i % 8) + 1)
dash(i) = (i % 5) + 1
points = "7 5 9 13 1 2 3"
ptype(i) = int(word(points, (i % 7) + 1))
keyname(i) = i < n_keys ? value(sprintf("key_%d", i)) : ""
plot for [i=0:n_tests-1] datafile index i using (xv($1)):col with @style lw 1.6 lc rgb colour(i) dt dash(i) notitle, \
     for [i=0:n_tests-1] datafile index i using (xv($1)):($4 > 0 ? column(col) : 1/0) with points \
         pt ptype(i) ps 0.9 lc rgb colour(i) notitle, \
     for [i=0:n_tests-1] keyentry with linespoints lw 1.6 lc rgb colour(i) dt dash(i) pt ptype(i) ps 0.9 \
         title keyname(i)
