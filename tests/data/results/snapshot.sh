#!/bin/bash
# SPDX-License-Identifier: MIT
# Every output of `exitlab plot` and `exitlab report` on the results here, to
# diff two builds (behaviour unchanged by a restructuring):
#   tests/data/results/snapshot.sh BIN OUTDIR [fake|real]
#   diff -r OUTDIR-of-one OUTDIR-of-other
# fake (default): a stand-in gnuplot logs each run (arguments and data file)
# to OUTDIR/gp.log and writes that log entry as the "chart", so the HTML and
# Markdown embed every gnuplot input; real: gnuplot itself (its PNGs are
# byte-for-byte repeatable).  The report's temporary directory
# (/tmp/exitlab-report-XXXXXX) is written <TMP> in logs and charts.
set -u
BIN=$(realpath "$1") OUT=$2 MODE=${3:-fake}
TREE=$(cd "$(dirname "$0")/../../.." && pwd)
rm -rf "$OUT"; mkdir -p "$OUT"; cp -a "$TREE/tests/data/results/files" "$TREE/tests/data/results/store" "$OUT/"
OUT=$(realpath "$OUT"); cd "$OUT"
export EXITLAB_SCRIPTS=$TREE/scripts FAKE_GP_LOG=$OUT/gp.log TZ=UTC LC_ALL=C
if [ "$MODE" = fake ]; then
	mkdir -p "$OUT/.bin"
	cat > "$OUT/.bin/gnuplot" <<'GP'
#!/bin/bash
norm() { sed -E 's#/tmp/exitlab-report-[A-Za-z0-9]{6}#<TMP>#g'; }
out=; dat=
for a in "$@"; do
	case $a in outfile=*) out=${a#outfile=?}; out=${out%?} ;; datafile=*) dat=${a#datafile=?}; dat=${dat%?} ;; esac
done
t=$(mktemp)
{ echo "=== gnuplot"; for a in "$@"; do printf '  %s\n' "$a"; done | norm
  [ -n "$dat" ] && [ -f "$dat" ] && { echo "--- $dat" | norm; cat "$dat"; }; } > "$t"
cat "$t" >> "$FAKE_GP_LOG"; [ -n "$out" ] && cp "$t" "$out"; rm -f "$t"
GP
	chmod +x "$OUT/.bin/gnuplot"
	export PATH=$OUT/.bin:$PATH
fi
R1=store/lab/20261201T100000Z-labhost
run() { # NAME ARGS...: stdout, stderr and exit code in log/NAME.*
	local n=$1; shift
	echo "### $n: exitlab $*" >> gp.log
	"$BIN" "$@" > "log/$n.out" 2> "log/$n.err"; echo $? > "log/$n.rc"
	sed -i -E 's#/tmp/exitlab-report-[A-Za-z0-9]{6}#<TMP>#g' "log/$n.out" "log/$n.err"
}
mkdir -p log rep
run plot-help plot --help
run report-help report --help
for f in files/*.json; do run "plot-$(basename "$f" .json)" plot "$f"; done
run plot-net-both plot files/net-e1000.json files/net-virtio.json -o files/net-both.png
run plot-blk-both plot files/blk-qd1.json files/blk-qd8.json -o files/blk-both.png
run plot-mixed plot files/net-e1000.json files/blk-qd1.json
run plot-two-tlb plot files/tlb.json files/tlb-norefill.json
run plot-net-mixed-frames plot files/net-e1000.json files/net-noframes.json -o files/nm.png
run plot-cdf plot files/exit-costs-raw.json --cdf
run plot-ccdf plot files/exit-costs-raw.json --ccdf
run plot-cdf-none plot files/exit-costs.json --cdf
run plot-cdf-two plot files/exit-costs-raw.json files/exit-costs-raw.json --cdf
run plot-svg plot --format svg files/tlb.json -o files/tlb-svg.svg
run plot-overwrite plot files/exit-costs.json -o files/exit-costs.json
run plot-rundir plot $R1
run plot-rundir-svg plot $R1 --format svg -o rundir-svg
run plot-rundir-scale plot $R1 --scale absolute
run plot-dir-cdf plot store --cdf
run plot-dir-two plot store store
run plot-store plot store
run plot-store-abs plot store --scale absolute -o tl-abs
run plot-lab plot store/lab -o tl-lab
run plot-scale-file plot files/exit-costs.json --scale absolute
run plot-none plot
run plot-badfmt plot files/exit-costs.json --format gif
run report-store report store -o rep/store.html --markdown rep/store.md
run report-run report $R1 -o rep/run1.html --markdown rep/run1.md
run report-files report files -o rep/files.html --markdown rep/files.md
for f in files/tlb.json files/mem-walk.json files/exit-costs-raw.json files/net-e1000.json files/hostile.json; do
	b=$(basename "$f" .json); run "report-$b" report "$f" -o "rep/$b.html" --markdown "rep/$b.md"
done
run report-default report files/blk-qd1.json
run report-overwrite report files/tlb.json -o files/tlb.json
