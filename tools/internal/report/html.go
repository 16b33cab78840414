package report

import (
	"fmt"
	"html/template"
	"strings"
	"time"
)

// The HTML report is one self-contained file (inline CSS and script, nothing
// fetched): the versions and totals on top, counts per level and per area
// and level, then every scenario, failures first, each with its steps (the
// failing one marked, with its message), its example values and its rerun
// command. Filters by status, level, area (and verdict, with expectations)
// and a text search hide scenarios; their state is kept in the URL fragment,
// e.g. report.html#status=failed&level=must, so that a link opens the page
// filtered.

var funcs = template.FuncMap{
	"untag": untag,
	"ms": func(d time.Duration) string {
		if d < time.Second {
			return fmt.Sprintf("%d ms", d.Milliseconds())
		}
		return d.Round(10 * time.Millisecond).String()
	},
	"cell": func(t Totals) string {
		switch {
		case t.Total() == 0:
			return "none"
		case t.Failed > t.Deviations:
			return "failed"
		case t.Failed > 0:
			return "deviation"
		case t.Skipped > 0:
			return "skipped"
		}
		return "passed"
	},
	"verdict": func(kind string) string { return strings.ReplaceAll(kind, " ", "-") },
	"engine":  orUnknown,
	"list":    func(v ...string) []string { return v },
	"upper":   strings.ToUpper,
}

var page = template.Must(template.New("report").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wsconform report: {{engine .Engine}}</title>
<style>
:root{--pass:#1b7f3b;--fail:#c62828;--skip:#a07000;--flaky:#c25e00;--dev:#5f6b7a;--bg:#f7f8fa;--line:#dde1e6}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1f2328;background:#fff;line-height:1.4}
header{background:#24292f;color:#fff;padding:1em 2em}
header h1{margin:0 0 .4em;font-size:1.4em}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;margin:0}
dl.meta dt{opacity:.7}dl.meta dd{margin:0;font-family:ui-monospace,monospace}
main{padding:1em 2em;max-width:90em}
.totals{font-size:1.3em;margin:.6em 0}
.totals span{margin-right:1em;font-weight:600}
.passed{color:var(--pass)}.failed,.unexpected{color:var(--fail)}.skipped{color:var(--skip)}.flaky{color:var(--flaky)}.deviation{color:var(--dev)}
.banner{border:2px solid var(--fail);border-radius:6px;padding:.4em 1em;margin:.6em 0}.banner.flaky{border-color:var(--flaky)}
table{border-collapse:collapse;margin:.6em 0}
td,th{border:1px solid var(--line);padding:.25em .7em;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
table.matrix td.cell{text-align:center;font-variant-numeric:tabular-nums}
td.cell.passed{background:#e6f4ea}td.cell.failed{background:#fde7e9}td.cell.skipped{background:#fff4d6}td.cell.deviation{background:#eceff3}td.cell.none{color:#999}
td.cell a,td a{color:inherit;text-decoration:none}
.filters{position:sticky;top:0;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.5em 1em;margin:1em 0;z-index:1}
.filters fieldset{display:inline-block;border:0;margin:0 1.5em 0 0;padding:0}
.filters legend{font-weight:600;float:left;margin-right:.5em}
.filters label{margin-right:.6em;white-space:nowrap}
.filters .n{color:#57606a}.filters .n::before{content:"("}.filters .n::after{content:")"}
#shown{font-weight:600;margin-left:1em}
details.scenario{border:1px solid var(--line);border-left:6px solid var(--pass);border-radius:4px;margin:.3em 0;background:#fff}
details.scenario[data-status=failed]{border-left-color:var(--fail)}
details.scenario[data-status=skipped]{border-left-color:var(--skip)}
details.scenario[data-verdict=known-deviation]{border-left-color:var(--dev)}
details.scenario[data-verdict=flaky]{border-left-color:var(--flaky)}
details.scenario>summary{cursor:pointer;padding:.35em .7em;list-style-position:inside}
.badge{display:inline-block;min-width:5.5em;font-size:.8em;font-weight:700;text-transform:uppercase}
.id{font-family:ui-monospace,monospace;font-size:.9em;color:#57606a}
.tag{font-size:.8em;color:#57606a;margin-left:.4em}
.dur{float:right;color:#57606a;font-size:.85em}
.body{padding:.2em 1em 1em 2em;border-top:1px solid var(--line)}
ol.steps{padding-left:1.5em;margin:.4em 0}
ol.steps li{margin:.15em 0;font-family:ui-monospace,monospace;font-size:.9em}
li.step.passed::marker{color:var(--pass)}
li.step.failed,li.step.undefined,li.step.pending,li.step.ambiguous{color:var(--fail);font-weight:700}
li.step.skipped{color:#8c959f}
.line{color:#8c959f;font-weight:400}
pre{background:var(--bg);border:1px solid var(--line);padding:.5em;white-space:pre-wrap;word-break:break-word;font-size:.85em;margin:.3em 0}
pre.error{border-color:var(--fail);color:#1f2328;font-weight:400}
code{font-family:ui-monospace,monospace;background:var(--bg);padding:0 .2em}
header code{background:rgba(255,255,255,.15);color:#fff}
button.copy{font-size:.8em;margin-left:.5em}
</style></head><body>
<header>
<h1>wsconform conformance report</h1>
<dl class="meta">
<dt>Suite</dt><dd id="suite">wsconform {{.SuiteVersion}}</dd>
<dt>Target</dt><dd id="target">{{.Target}}</dd>
<dt>Engine</dt><dd id="engine">{{engine .Engine}}</dd>
<dt>Started</dt><dd>{{.Started}}</dd>
<dt>Wall time</dt><dd>{{.Duration}}</dd>
{{if .Tags}}<dt>Tags</dt><dd><code>{{.Tags}}</code></dd>{{end}}
{{if .IDs}}<dt>Scenario ids</dt><dd>{{range .IDs}}<code>{{.}}</code> {{end}}</dd>{{end}}
{{with .Expectations}}<dt>Expectations</dt><dd><code>{{.File}}</code> (engine: {{.Engine}})</dd>{{end}}
</dl>
</header>
<main>
<p class="totals" id="totals"><span class="passed">{{.Passed}} passed</span><span class="failed">{{.Failed}} failed</span><span class="skipped">{{.Skipped}} skipped</span></p>
{{with .Expectations}}<p><strong>Expectations: {{.AsExpected}} as expected ({{.Deviations}} known deviations), {{.Unexpected}} unexpected, {{.Flaky}} flaky</strong></p>
{{if .UnexpectedList}}<div class="banner"><p>Unexpected outcomes (they fail the run):</p><ul>{{range .UnexpectedList}}<li class="unexpected"><strong>{{.Kind}}</strong> {{.Summary}}</li>{{end}}</ul></div>
{{end}}{{if .FlakyList}}<div class="banner flaky"><p>Flaky scenarios (not as expected, then as expected when run again alone):</p><ul>{{range .FlakyList}}<li class="flaky"><strong>FLAKY</strong> {{.Summary}}</li>{{end}}</ul></div>
{{end}}{{end}}
<h2>Levels</h2>
<table class="levels" id="levels"><tr><th>level</th><th>meaning</th><th>passed</th><th>failed</th><th>skipped</th>{{if .Expectations}}<th>known deviations</th>{{end}}</tr>
{{$judged := .Expectations}}{{range $i, $t := .Levels}}<tr data-level="{{untag $t.Tag}}"><td><a href="#level={{untag $t.Tag}}"><code>{{$t.Tag}}</code></a></td><td>{{(index $.Legend $i).Meaning}}</td><td class="n passed">{{$t.Passed}}</td><td class="n failed">{{$t.Failed}}</td><td class="n skipped">{{$t.Skipped}}</td>{{if $judged}}<td class="n deviation">{{$t.Deviations}}</td>{{end}}</tr>
{{end}}</table>
<h2>Areas</h2>
<table class="matrix" id="areas"><tr><th>area</th>{{range .Levels}}<th><code>{{.Tag}}</code><br><small>passed / failed / skipped</small></th>{{end}}<th>all</th></tr>
{{range .Areas}}{{$a := untag .Tag}}<tr data-area="{{$a}}"><td><a href="#area={{$a}}">{{.Tag}}</a></td>{{range .Totals}}<td class="cell {{cell .}}">{{if .Total}}<a href="#area={{$a}}&amp;level={{untag .Tag}}">{{.Passed}} / {{.Failed}} / {{.Skipped}}</a>{{else}}-{{end}}</td>{{end}}<td class="n">{{.Passed}} / {{.Failed}} / {{.Skipped}}</td></tr>
{{end}}</table>
<h2>Scenarios</h2>
<form class="filters" id="filters" onsubmit="return false">
<fieldset><legend>Status</legend>{{range $v := (list "failed" "skipped" "passed")}}<label class="{{$v}}"><input type="checkbox" name="status" value="{{$v}}" checked> {{$v}} <span class="n"></span></label>{{end}}</fieldset>
{{if .Expectations}}<fieldset><legend>Verdict</legend>{{range $v := (list "unexpected-failure" "unexpected-pass" "unexpected-skip" "flaky" "known-deviation" "as-expected")}}<label><input type="checkbox" name="verdict" value="{{$v}}" checked> {{$v}} <span class="n"></span></label>{{end}}</fieldset>{{end}}
<fieldset><legend>Level</legend>{{range .Levels}}<label><input type="checkbox" name="level" value="{{untag .Tag}}" checked> {{untag .Tag}} <span class="n"></span></label>{{end}}</fieldset>
<fieldset><legend>Area</legend>{{range .Areas}}<label><input type="checkbox" name="area" value="{{untag .Tag}}" checked> {{untag .Tag}} <span class="n"></span></label>{{end}}</fieldset>
<fieldset><legend>Find</legend><input type="search" id="q" placeholder="id or name"></fieldset>
<span id="shown"></span>
</form>
<div id="scenarios">
{{range .Scenarios}}<details class="scenario" id="s-{{.ID}}" data-id="{{.ID}}" data-name="{{.Name}}" data-status="{{.Status}}" data-level="{{untag .Level}}" data-area="{{untag .Area}}"{{if $judged}} data-verdict="{{verdict .Kind}}"{{end}}{{if eq .Status "failed"}}{{if ne .Kind "known deviation"}} open{{end}}{{end}}>
<summary><span class="badge {{.Status}}">{{.Status}}</span> {{if .ID}}<span class="id">{{.ID}}</span> {{end}}{{.Name}}<span class="tag">{{.Area}}</span><span class="tag">{{.Level}}</span>{{if and $judged (ne .Kind "as expected")}} <strong class="{{if eq .Kind "known deviation"}}deviation{{else if eq .Kind "flaky"}}flaky{{else}}unexpected{{end}}">{{upper .Kind}}</strong>{{end}}<span class="dur">{{ms .Duration}}</span></summary>
<div class="body">
<p><code>{{.Location}}</code> · {{.Feature}} · {{range .Tags}}<span class="tag">{{.}}</span>{{end}}</p>
{{if .Example}}<table class="example"><tr>{{range .Example}}<th>{{.Column}}</th>{{end}}</tr><tr>{{range .Example}}<td><code>{{.Value}}</code></td>{{end}}</tr></table>{{end}}
{{if .Reason}}<p class="skipped">Skipped: {{.Reason}}</p>{{end}}
{{if and $judged .Kind}}<p class="judgement">Expected {{.Expected}}{{if .ExpectReason}}: {{.ExpectReason}}{{else}} (not listed){{end}}{{if .Rerun}}; run again alone: {{.Rerun}}{{end}}</p>{{end}}
<ol class="steps">{{range .Steps}}<li class="step {{.Status}}" data-step-status="{{.Status}}">{{.Text}} <span class="line">line {{.Line}}{{if and .Status (ne .Status "passed")}} · {{.Status}}{{end}}</span>{{if .Argument}}<pre class="arg">{{.Argument}}</pre>{{end}}{{if .Error}}<pre class="error">{{.Error}}</pre>{{end}}</li>{{end}}</ol>
{{if and (not .Steps) .Error}}<pre class="error">{{.Error}}</pre>{{end}}
{{if .RerunCommand}}<p class="rerun">Rerun: <code>{{.RerunCommand}}</code><button type="button" class="copy" data-copy="{{.RerunCommand}}">copy</button></p>{{end}}
</div></details>
{{end}}</div>
</main>
<script>
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("details.scenario"));
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#filters input[type=checkbox]"));
  var q = document.getElementById("q");
  function readHash() {
    var h = location.hash.replace(/^#/, "");
    var groups = {};
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) groups[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1));
    });
    boxes.forEach(function (b) {
      b.checked = !(b.name in groups) || groups[b.name].split(",").indexOf(b.value) >= 0;
    });
    q.value = groups.q || "";
  }
  function writeHash() {
    var on = {}, all = {}, parts = [];
    boxes.forEach(function (b) {
      on[b.name] = on[b.name] || [];
      all[b.name] = (all[b.name] || 0) + 1;
      if (b.checked) on[b.name].push(b.value);
    });
    Object.keys(on).forEach(function (k) { if (on[k].length !== all[k]) parts.push(k + "=" + on[k].join(",")); });
    if (q.value) parts.push("q=" + encodeURIComponent(q.value));
    history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search);
  }
  function apply() {
    var on = {}, known = {}, text = q.value.toLowerCase(), shown = 0;
    boxes.forEach(function (b) {
      on[b.name] = on[b.name] || {};
      known[b.name] = known[b.name] || {};
      known[b.name][b.value] = true;
      if (b.checked) on[b.name][b.value] = true;
    });
    rows.forEach(function (r) {
      // A value no filter offers (a scenario without a level) never hides.
      var ok = Object.keys(on).every(function (k) {
        var v = r.getAttribute("data-" + k);
        return v === null || known[k][v] !== true || on[k][v] === true;
      });
      if (ok && text) ok = (r.getAttribute("data-id") + " " + r.getAttribute("data-name")).toLowerCase().indexOf(text) >= 0;
      r.hidden = !ok;
      if (ok) shown++;
    });
    document.getElementById("shown").textContent = shown + " of " + rows.length + " scenarios shown";
  }
  boxes.forEach(function (b) {
    var n = rows.filter(function (r) { return r.getAttribute("data-" + b.name) === b.value; }).length;
    var c = b.parentNode.querySelector(".n");
    if (c) c.textContent = String(n);
    b.addEventListener("change", function () { apply(); writeHash(); });
  });
  q.addEventListener("input", function () { apply(); writeHash(); });
  window.addEventListener("hashchange", function () { readHash(); apply(); });
  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (b) {
    b.addEventListener("click", function () {
      if (navigator.clipboard) navigator.clipboard.writeText(b.getAttribute("data-copy"));
    });
  });
  readHash();
  apply();
  document.body.setAttribute("data-ready", "true");
})();
</script>
</body></html>
`))
