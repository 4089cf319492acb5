/* Claims table: filter and sort, no framework. The filter can be set from the address,
   report.html#filter=type=treatment&lang=zh&drug=ritux, so a filtered view can be shared or checked headless. */
(function () {
  "use strict";
  var FIELDS = ["type", "lang", "status", "drug", "population"];
  var table = document.getElementById("claims-table");
  var form = document.getElementById("claims-filter");
  var status = document.getElementById("table-status");
  if (!table || !form || !status) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);

  function norm(s) { return (s || "").toLowerCase().trim(); }

  function current() {
    var f = {};
    FIELDS.forEach(function (k) { var el = form.elements[k]; f[k] = el ? norm(el.value) : ""; });
    return f;
  }

  function apply() {
    var f = current(), shown = 0;
    rows.forEach(function (tr) {
      var d = tr.dataset;
      var ok = (!f.type || d.type === f.type) && (!f.lang || d.lang === f.lang) &&
        (!f.status || d.status === f.status) &&
        (!f.drug || norm(d.subject).indexOf(f.drug) >= 0) &&
        (!f.population || norm(d.population).indexOf(f.population) >= 0);
      tr.hidden = !ok;
      if (ok) { shown += 1; }
    });
    status.textContent = "Showing " + shown + " of " + rows.length + " claims";
    status.setAttribute("data-shown", String(shown));
    table.setAttribute("data-filter", FIELDS.filter(function (k) { return f[k]; })
      .map(function (k) { return k + "=" + f[k]; }).join("&"));
  }

  function fromHash() {
    var h = window.location.hash.slice(1);
    if (h.indexOf("filter=") !== 0) { return false; }
    var params = new URLSearchParams(h.slice(7).replace(/;/g, "&"));
    FIELDS.forEach(function (k) { var el = form.elements[k]; if (el) { el.value = params.get(k) || ""; } });
    apply();
    var sort = params.get("sort");  /* sort=3 ascending, sort=-3 descending, by column index */
    if (sort) {
      var th = table.tHead.rows[0].cells[Math.abs(Number(sort))];
      if (th && th.hasAttribute("data-key")) {
        th.setAttribute("aria-sort", sort.charAt(0) === "-" ? "ascending" : "descending");
        sortBy(th);
      }
    }
    return true;
  }

  function toHash() {
    var f = current();
    var parts = FIELDS.filter(function (k) { return f[k]; }).map(function (k) {
      return k + "=" + encodeURIComponent(f[k]);
    });
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", parts.length ? "#filter=" + parts.join("&") : "#claims");
    }
  }

  function sortBy(th) {
    var col = Number(th.getAttribute("data-key"));
    var numeric = th.hasAttribute("data-numeric");
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    function key(tr) {
      var cell = tr.cells[col];
      var s = cell.getAttribute("data-sort");
      if (numeric && s !== null && s !== "") { return parseFloat(s); }
      return cell.textContent.trim().toLowerCase();
    }
    var sorted = rows.slice().sort(function (a, b) {
      var x = key(a), y = key(b);
      if (typeof x === "number" && typeof y === "number") { return (x - y) * dir; }
      if (typeof x === "number") { return -1; }
      if (typeof y === "number") { return 1; }
      return x < y ? -dir : x > y ? dir : 0;
    });
    sorted.forEach(function (tr) { tbody.appendChild(tr); });
  }

  form.addEventListener("input", function () { apply(); toHash(); });
  form.addEventListener("change", function () { apply(); toHash(); });
  form.addEventListener("reset", function () { window.setTimeout(function () { apply(); toHash(); }, 0); });
  form.addEventListener("submit", function (ev) { ev.preventDefault(); });
  window.addEventListener("hashchange", fromHash);
  table.tHead.addEventListener("click", function (ev) {
    var th = ev.target.closest("th");
    if (th && th.hasAttribute("data-key")) { sortBy(th); }
  });
  if (!fromHash()) { apply(); }
  document.body.setAttribute("data-js", "ready");
  /* the laid-out page height, so a headless browser can take a full-page screenshot */
  document.body.setAttribute("data-height", String(document.documentElement.scrollHeight));
}());
