#!/usr/bin/env bash
# Draws build/appicon.png (1024x1024), the source of every icon the build makes: a permit
# sheet on the red of the national flag, a dashed route across it ending in a pin with the
# yellow star. Run by hand after changing the design (needs ImageMagick); the PNG is committed.
set -euo pipefail
out=${1:-"$(dirname "$0")/../build/appicon.png"}
red='#DA251D'; yellow='#FFCD00'; paper='#FFFDF6'; fold='#E9E1CF'; ink='#B9B2A4'
# Five-pointed star centred at (cx, cy) with outer radius R.
star() {
  python3 - "$@" <<'PY'
import math, sys
cx, cy, R = map(float, sys.argv[1:4]); r = R * 0.382
pts = []
for i in range(10):
    a = -math.pi / 2 + i * math.pi / 5
    rad = R if i % 2 == 0 else r
    pts.append(f"{cx + rad * math.cos(a):.1f},{cy + rad * math.sin(a):.1f}")
print(" ".join(pts))
PY
}
convert -size 1024x1024 xc:none -draw "
  fill '$red' roundrectangle 32,32 991,991 190,190
  fill '$paper' polygon 232,150 652,150 792,290 792,874 232,874
  fill '$fold' polygon 652,150 652,290 792,290
  fill none stroke '$ink' stroke-width 30 stroke-linecap round
  line 300,250 560,250  line 300,330 500,330
  stroke '$red' stroke-width 44 stroke-dasharray 64 50
  path 'M 320,790 C 560,800 320,560 500,540 S 650,500 640,470'
  stroke none stroke-dasharray none fill '$red' circle 320,790 320,828
  path 'M 640,580 C 590,515 535,460 535,395 A 105,105 0 1 1 745,395 C 745,460 690,515 640,580 Z'
  fill '$yellow' polygon $(star 640 392 70)
" -strip "$out"
echo "wrote $out"
