#!/usr/bin/env bash
# report.html as a reader's browser shows it: headless Chromium renders it in a 1400×900 frame and
# a probe page reads the rendered document — the verdict table is the first table, the warnings
# end inside the first screen, every chart drawn is inlined (SVG, or a PNG as a data: URI), and
# nothing was loaded from anywhere (no resource fetched, no src/href/url() outside the page). A
# copy with one planted external image must be caught, so the check is shown able to fail. A
# screenshot of the first screen is taken too.
#
#   report_html.sh ROOT TVPBENCH [RESULTS_DIR]
# Without RESULTS_DIR it makes a small run of its own (two spawn cases, their chart, the report).
# Exit 77 (skipped) when Chromium is not installed or cannot run headless here.
set -u
root=$1 tvpbench=$2 dir=${3:-}
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $browser ]]; then
  echo "skipped: chromium is not installed (Debian package chromium)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# No sandbox: the tests run as root in CI, where Chromium's sandbox refuses to start.
chrome() {
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --no-first-run --user-data-dir="$tmp/profile" "$@" 2>>"$tmp/chromium.log"
}
if ! chrome --dump-dom about:blank | grep -q '<body'; then
  echo "skipped: chromium cannot run headless here:"
  tail -n 5 "$tmp/chromium.log"
  exit 77
fi

if [[ -z $dir ]]; then
  dir="$tmp/run"
  "$tvpbench" run --quick --out "$dir" --only spawn/start/pthread_create spawn >"$tmp/run.log" 2>&1 ||
    { cat "$tmp/run.log"; bad "the small run failed"; check_done; exit; }
  # run.sh's own chart drawing, with this build's binary.
  (source "$root/run.sh" && BUILD=$(dirname "$tvpbench") && draw_charts "$dir") >"$tmp/draw.log" 2>&1 ||
    { cat "$tmp/draw.log"; bad "drawing the charts and the report failed"; check_done; exit; }
fi
check "report.html exists" test -s "$dir/report.html"

# The probe reads the report inside a same-size frame; --allow-file-access-from-files lets a
# file: page read another file: page's document.
probe() { # probe REPORT_FILE -> lines key=value
  cat >"$tmp/probe.html" <<EOF
<!DOCTYPE html><html><body style="margin:0">
<iframe id="r" src="file://$1" style="width:1400px;height:900px;border:0"></iframe>
<pre id="out">pending</pre>
<script>
document.getElementById('r').addEventListener('load', function () {
  var out = [], d = this.contentDocument, w = this.contentWindow;
  try {
    var t = d.querySelector('table');
    out.push('first_table=' + (t ? t.id : 'none'));
    var wb = d.getElementById('warnings');
    out.push('warnings_bottom=' + (wb ? Math.ceil(wb.getBoundingClientRect().bottom) : 9999));
    out.push('page_width=' + d.documentElement.scrollWidth);
    d.querySelectorAll('figure[data-chart]').forEach(function (f) {
      var img = f.querySelector('img');
      if (f.querySelector('svg') || (img && img.getAttribute('src').indexOf('data:image/') === 0))
        out.push('inlined=' + f.getAttribute('data-chart'));
    });
    w.performance.getEntriesByType('resource').forEach(function (e) {
      out.push('external=loaded ' + e.name);
    });
    d.querySelectorAll('*').forEach(function (el) {
      ['src', 'href', 'xlink:href', 'srcset', 'poster', 'data', 'action'].forEach(function (a) {
        var v = el.getAttribute(a);
        if (v !== null && v.charAt(0) !== '#' && v.indexOf('data:') !== 0)
          out.push('external=' + a + ' ' + v);
      });
    });
    var css = Array.prototype.map.call(d.querySelectorAll('style'), function (s) {
      return s.textContent; }).join('');
    (css.match(/url\([^#)][^)]*\)|@import/g) || []).forEach(function (u) {
      out.push('external=css ' + u); });
    out.push('done=1');
  } catch (e) { out.push('error=' + e); }
  document.getElementById('out').textContent = out.join('\n');
});
</script></body></html>
EOF
  chrome --allow-file-access-from-files --virtual-time-budget=10000 --window-size=1400,1000 \
    --dump-dom "file://$tmp/probe.html" |
    sed -n '/<pre id="out">/,/<\/pre>/p' | sed 's/<[^>]*>//g'
}

report=$(cd "$dir" && pwd)/report.html
probe "$report" >"$tmp/probe.out"
check "the probe read the rendered report: $(grep -m1 error= "$tmp/probe.out")" grep -qx 'done=1' "$tmp/probe.out"
check "the verdict table is the first table" grep -qx 'first_table=verdicts' "$tmp/probe.out"
bottom=$(sed -n 's/^warnings_bottom=//p' "$tmp/probe.out")
check "the warnings end within the first 900 px (at ${bottom:-?})" test "${bottom:-9999}" -le 900
width=$(sed -n 's/^page_width=//p' "$tmp/probe.out")
check "the page fits 1400 px wide (${width:-?})" test "${width:-9999}" -le 1400
n=0
for png in "$dir"/charts/*.png; do
  [[ -e $png ]] || continue
  name=$(basename "$png" .png)
  n=$((n + 1))
  check "chart $name is inlined" grep -qx "inlined=$name" "$tmp/probe.out"
done
check "the run drew at least one chart" test "$n" -gt 0
if grep -q '^external=' "$tmp/probe.out"; then
  bad "report.html refers to or loaded something outside itself:"
  grep '^external=' "$tmp/probe.out" | head -n 5 >&2
else ok; fi

# The negative control: one planted external image must be seen.
sed 's#<body>#<body><img src="http://127.0.0.1:9/planted.png" alt="">#' "$report" >"$tmp/planted.html"
probe "$tmp/planted.html" >"$tmp/planted.out"
check "a planted external image is caught" grep -q '^external=.*planted.png' "$tmp/planted.out"

chrome --window-size=1400,900 --screenshot="$tmp/first-screen.png" "file://$report" >/dev/null
check "a screenshot of the first screen was taken" \
  bash -c "head -c 8 '$tmp/first-screen.png' | od -An -tx1 | grep -q '89 50 4e 47'"
[[ -n ${TVP_REPORT_SHOT:-} ]] && cp "$tmp/first-screen.png" "$TVP_REPORT_SHOT"

check_done
