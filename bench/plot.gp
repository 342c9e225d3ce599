# SPDX-License-Identifier: GPL-2.0
# Charts of the relpoline benchmark: gnuplot -e "res='bench/results'" bench/plot.gp
# Reads native.dat, coverage.dat and scaling.dat (bench/report.py) and
# writes bench.png (all three panels) next to them.
if (!exists("res")) res = "bench/results"
set terminal pngcairo size 1500,1300 font "sans,10" noenhanced
set output res."/bench.png"
set multiplot

# --- native cycles per call ---------------------------------------------
set origin 0,0.5
set size 1,0.5
set title "Native: core cycles per call (loop included; median; real encoder stubs)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -35 nomirror font ",9"
set ylabel "core cycles per call"
set grid ytics
set key top left
set yrange [0:*]
plot res."/native.dat" using 2:xtic(1) title "monomorphic", \
     "" using 3 title "2 targets 50/50", \
     "" using 4 title "2 targets 90/10", \
     "" using 5 title "16 targets (megamorphic)"

# --- coverage -------------------------------------------------------------
set origin 0,0
set size 0.5,0.5
set title "Guest: coverage hits/(hits+misses), relpoline's own sites excluded"
unset xtics
set xtics nomirror rotate by 0 font ",10"
set ylabel "coverage %"
set yrange [50:105]
set key top center horizontal font ",9"
plot res."/coverage.dat" using 2:xtic(1) title "max_targets 1", \
     "" using 3 title "max_targets 2", \
     "" using 4 title "max_targets 4", \
     95 with lines lw 2 dt 2 lc rgb "red" title "target 95%"

# --- scaling --------------------------------------------------------------
set origin 0.5,0
set size 0.5,0.5
set title "Guest (TCG): enable/disable time vs number of module sites"
set style data linespoints
unset style histogram
set logscale xy
set xlabel "N synthetic sites"
set ylabel "seconds (guest clock)"
set xrange [500:50000]
set yrange [*:*]
set xtics auto rotate by 0
set key top left
f(x) = x
plot res."/scaling.dat" index 0 using 1:2 title "enable, filter :mod:" lw 2 pt 7, \
     "" index 0 using 1:3 title "disable, filter :mod:" lw 2 pt 5, \
     "" index 1 using 1:2 title "enable, no filter (+vmlinux)" lw 2 pt 6, \
     "" index 1 using 1:3 title "disable, no filter (+vmlinux)" lw 2 pt 4, \
     [500:50000] (x / 1000.0) with lines dt 3 lc rgb "gray" title "linear (1 s per 1000 sites)"
unset multiplot
