"""The stylesheet and script inlined into ``--format html`` (kept apart from the
renderer so each stays readable). The script only ever writes report text with
``textContent`` (image content is hostile: a file name must never become markup) and
only links ``http(s)`` references."""

STYLE = """
:root { --crit:#7b1fa2; --high:#d32f2f; --med:#f57c00; --low:#1976d2; --info:#757575;
  --unknown:#5d4037; --bg:#f6f7f9; --fg:#1d2330; --line:#dde1e7; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  background:var(--bg); color:var(--fg); }
header { background:#13233a; color:#fff; padding:16px 24px; }
header h1 { margin:0 0 4px; font-size:20px; }
header .meta { opacity:.8; font-size:13px; }
main { padding:16px 24px; max-width:1400px; margin:auto; }
.cards { display:flex; gap:12px; flex-wrap:wrap; margin-bottom:16px; }
.card { background:#fff; border:1px solid var(--line); border-radius:6px; padding:10px 16px;
  min-width:110px; }
.card .n { font-size:24px; font-weight:600; }
.charts { display:grid; grid-template-columns:repeat(auto-fit,minmax(340px,1fr)); gap:16px;
  margin-bottom:16px; }
.chart { background:#fff; border:1px solid var(--line); border-radius:6px; padding:12px; }
.chart h2 { font-size:15px; margin:0 0 8px; }
.chart svg text { font-size:12px; fill:var(--fg); }
.filters { display:flex; gap:8px; flex-wrap:wrap; align-items:center; margin:8px 0; }
.filters input, .filters select { padding:6px 8px; border:1px solid var(--line);
  border-radius:4px; font:inherit; }
.filters input { flex:1; min-width:220px; }
table { width:100%; border-collapse:collapse; background:#fff; border:1px solid var(--line); }
th, td { text-align:left; padding:6px 8px; border-bottom:1px solid var(--line);
  vertical-align:top; }
th { background:#eef1f5; position:sticky; top:0; }
td.rule { white-space:nowrap; }
td.loc, td.pkg { font-family:ui-monospace,Menlo,Consolas,monospace; font-size:12px;
  word-break:break-all; }
tr.finding { cursor:pointer; }
tr.finding:hover { background:#f0f4ff; }
tr.details td { background:#fafbfc; white-space:pre-wrap; }
.sev { display:inline-block; min-width:64px; text-align:center; color:#fff; border-radius:3px;
  padding:1px 6px; font-size:12px; font-weight:600; text-transform:uppercase; }
.sev-critical { background:var(--crit); } .sev-high { background:var(--high); }
.sev-medium { background:var(--med); } .sev-low { background:var(--low); }
.sev-unknown { background:var(--unknown); } .sev-info { background:var(--info); }
.errors { background:#fff8e1; border:1px solid #ffe08a; padding:8px 12px; border-radius:6px;
  margin-bottom:16px; }
.muted { color:#667; }
"""

SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("seawall-data").textContent);
  var SEVS = ["critical", "high", "medium", "low", "unknown", "info"];
  var COLORS = {critical: "#7b1fa2", high: "#d32f2f", medium: "#f57c00", low: "#1976d2",
                unknown: "#5d4037", info: "#757575"};
  var rank = {critical: 5, high: 4, medium: 3, low: 2, unknown: 1, info: 0};

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) { for (var k in attrs) { node.setAttribute(k, attrs[k]); } }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (var k in attrs) { node.setAttribute(k, attrs[k]); }
    if (text !== undefined) { node.textContent = String(text); }
    return node;
  }
  function where(f) {
    var loc = f.location || {};
    var s = loc.path || loc.resource || "";
    if (loc.line) { s += ":" + loc.line; }
    if (loc.container) { s += " [" + loc.container + "]"; }
    return s;
  }
  function pkgText(f) {
    if (!f.package) { return ""; }
    var s = f.package.name + " " + f.package.version;
    if (f.package.fixed_version) { s += " \u2192 " + f.package.fixed_version; }
    return s;
  }

  var findings = [];
  var suppressed = [];
  data.reports.forEach(function (r) {
    (r.findings || []).forEach(function (f) { findings.push({f: f, target: r.target.ref}); });
    (r.suppressed || []).forEach(function (f) { suppressed.push({f: f, target: r.target.ref}); });
  });
  findings.sort(function (a, b) { return rank[b.f.severity] - rank[a.f.severity]; });

  // summary cards
  var counts = {}; SEVS.forEach(function (s) { counts[s] = 0; });
  var cats = {};
  findings.forEach(function (x) {
    counts[x.f.severity] += 1; cats[x.f.category] = (cats[x.f.category] || 0) + 1;
  });
  var cards = document.getElementById("cards");
  function card(label, n, color) {
    var c = el("div", {"class": "card"});
    var num = el("div", {"class": "n"}, n);
    if (color) { num.style.color = color; }
    c.appendChild(num); c.appendChild(el("div", {"class": "muted"}, label));
    cards.appendChild(c);
  }
  card("findings", findings.length);
  SEVS.forEach(function (s) { card(s, counts[s], COLORS[s]); });
  card("suppressed", data.suppressed_total);
  card("packages", data.package_total);

  // charts: horizontal bars drawn as inline SVG
  function barChart(id, rows) {
    var box = document.getElementById(id);
    var max = 1; rows.forEach(function (r) { if (r[1] > max) { max = r[1]; } });
    var h = 26 * rows.length + 8, w = 420, left = 110;
    var s = svg("svg", {viewBox: "0 0 " + w + " " + Math.max(h, 34), width: "100%",
                        role: "img"});
    if (!rows.length) {
      s.appendChild(svg("text", {x: 8, y: 20}, "no findings"));
    }
    rows.forEach(function (r, i) {
      var y = 6 + i * 26, bw = Math.max(2, (w - left - 50) * r[1] / max);
      s.appendChild(svg("text", {x: left - 8, y: y + 15, "text-anchor": "end"}, r[0]));
      var bar = svg("rect", {x: left, y: y, width: bw, height: 20, rx: 3, fill: r[2],
                             "class": "bar", "data-label": r[0]});
      s.appendChild(bar);
      s.appendChild(svg("text", {x: left + bw + 6, y: y + 15}, r[1]));
    });
    box.appendChild(s);
  }
  barChart("chart-severity", SEVS.map(function (s) { return [s, counts[s], COLORS[s]]; }));
  barChart("chart-category", Object.keys(cats).sort().map(function (c) {
    return [c, cats[c], "#37627f"];
  }));

  // filters
  var fSev = document.getElementById("filter-severity");
  var fCat = document.getElementById("filter-category");
  var fTarget = document.getElementById("filter-target");
  var fText = document.getElementById("filter-text");
  SEVS.forEach(function (s) { fSev.appendChild(el("option", {value: s}, s)); });
  Object.keys(cats).sort().forEach(function (c) { fCat.appendChild(el("option", {value: c}, c)); });
  data.reports.forEach(function (r) {
    fTarget.appendChild(el("option", {value: r.target.ref}, r.target.ref));
  });

  var body = document.getElementById("findings-body");
  function detailsText(f) {
    var lines = [];
    if (f.description) { lines.push(f.description); }
    if (f.remediation) { lines.push("Remediation: " + f.remediation); }
    if (f.evidence) { lines.push("Evidence: " + f.evidence); }
    if ((f.location || {}).layer) { lines.push("Layer: " + f.location.layer); }
    lines.push("Finding id: " + f.id);
    return lines.join("\n");
  }
  function addRow(x) {
    var f = x.f;
    var tr = el("tr", {"class": "finding", "data-severity": f.severity,
                       "data-category": f.category, "data-target": x.target});
    var sevCell = el("td"); sevCell.appendChild(el("span", {"class": "sev sev-" + f.severity},
                                                    f.severity));
    tr.appendChild(sevCell);
    tr.appendChild(el("td", null, f.category));
    tr.appendChild(el("td", {"class": "rule"}, f.rule_id));
    tr.appendChild(el("td", null, f.title));
    tr.appendChild(el("td", {"class": "loc"}, where(f)));
    tr.appendChild(el("td", {"class": "pkg"}, pkgText(f)));
    tr.appendChild(el("td", null, x.target));
    tr._search = [f.rule_id, f.title, where(f), pkgText(f), f.category, x.target]
      .join(" ").toLowerCase();
    var det = el("tr", {"class": "details", hidden: "hidden"});
    var td = el("td", {colspan: "7"}, detailsText(f));
    (f.references || []).slice(0, 10).forEach(function (ref) {
      td.appendChild(document.createTextNode("\n"));
      if (/^https?:\/\//.test(ref)) {
        td.appendChild(el("a", {href: ref, rel: "noopener noreferrer"}, ref));
      } else { td.appendChild(document.createTextNode(ref)); }
    });
    det.appendChild(td);
    tr.addEventListener("click", function () { det.hidden = !det.hidden; });
    body.appendChild(tr); body.appendChild(det);
    return tr;
  }
  var rows = findings.map(addRow);
  var shown = document.getElementById("shown-count");
  function apply() {
    var q = fText.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (tr) {
      var ok = (!fSev.value || tr.getAttribute("data-severity") === fSev.value) &&
               (!fCat.value || tr.getAttribute("data-category") === fCat.value) &&
               (!fTarget.value || tr.getAttribute("data-target") === fTarget.value) &&
               (!q || tr._search.indexOf(q) >= 0);
      tr.hidden = !ok;
      if (!ok) { tr.nextSibling.hidden = true; }
      if (ok) { n += 1; }
    });
    shown.textContent = n + " of " + rows.length + " findings shown";
  }
  [fSev, fCat, fTarget].forEach(function (s) { s.addEventListener("change", apply); });
  fText.addEventListener("input", apply);
  apply();

  var sup = document.getElementById("suppressed-body");
  if (sup) {
    suppressed.forEach(function (x) {
      var tr = el("tr", {"class": "suppressed"});
      var why = (x.f.extra || {}).suppressed_by || (x.f.extra || {}).exception || {};
      tr.appendChild(el("td", null, x.f.severity));
      tr.appendChild(el("td", null, x.f.rule_id));
      tr.appendChild(el("td", null, x.f.title));
      tr.appendChild(el("td", null, [why.kind, why.statement || why.reason || why.origin]
        .filter(Boolean).join(": ")));
      sup.appendChild(tr);
    });
  }
  document.body.setAttribute("data-rendered", "true");
})();
"""
