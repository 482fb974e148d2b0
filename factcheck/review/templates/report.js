// factcheck report: claim details, findings that jump to their spans, filters.
// Everything the page shows from the data goes through textContent, never innerHTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("fc-data").textContent);
  var details = document.getElementById("details");
  var filterStyle = document.getElementById("filter-style");

  function docOf(n) { return data.documents[Number(n)]; }
  function quoted(s) { return '"' + String(s).replace(/["\\]/g, "\\$&") + '"'; }
  function marks(n, id) {
    return Array.prototype.slice.call(document.querySelectorAll(
      "#doc-" + Number(n) + " mark[data-claim=" + quoted(id) + "]"));
  }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function clearClass(cls) {
    document.querySelectorAll("." + cls).forEach(function (node) { node.classList.remove(cls); });
  }
  function inOrder(nodes) {
    return nodes.sort(function (a, b) {
      return a === b ? 0 : (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1);
    });
  }
  function refButton(n, id, label, onclick) {
    var b = el("button", label || id, "ref");
    b.type = "button";
    b.addEventListener("click", function () { onclick(n, id); });
    return b;
  }
  function row(dl, term, value) {
    dl.appendChild(el("dt", term));
    var dd = el("dd");
    if (value instanceof Node) dd.appendChild(value); else dd.textContent = value === null || value === undefined ? "—" : String(value);
    dl.appendChild(dd);
  }
  function refList(n, ids, onclick, texts) {
    var span = el("span");
    if (!ids.length) { span.textContent = "—"; return span; }
    ids.forEach(function (id, i) {
      if (i) span.appendChild(document.createTextNode(", "));
      var label = texts && texts[id] ? id + " " + texts[id].text : id;
      span.appendChild(refButton(n, id, label, onclick));
    });
    return span;
  }
  function clearFocus() {
    ["selected", "linked", "active", "active-repeat", "current"].forEach(clearClass);
    if (window.CSS && CSS.highlights) CSS.highlights.delete("fc-finding");
  }
  function reveal(node) { if (node) node.scrollIntoView({ block: "center", behavior: "auto" }); }

  function showClaim(n, id, noScroll) {
    var doc = docOf(n), claim = doc.claims[id];
    if (!claim) return;
    clearFocus();
    var own = marks(n, id);
    own.forEach(function (m) { m.classList.add("selected"); });
    claim.linked.forEach(function (other) { marks(n, other).forEach(function (m) { m.classList.add("linked"); }); });
    if (!noScroll) reveal(own[0]);
    details.replaceChildren(el("h3", "Claim " + id));
    details.appendChild(el("p", claim.text, "figure"));
    var dl = el("dl");
    row(dl, "value", claim.value + (claim.unit ? " " + claim.unit : ""));
    row(dl, "unit", claim.unit);
    row(dl, "qualifier", claim.qualifier);
    row(dl, "interval", claim.interval);
    row(dl, "period", claim.period);
    row(dl, "metric", claim.metric);
    row(dl, "subject", claim.subject);
    row(dl, "role", claim.role);
    row(dl, "refers to", claim.refers_to ? refButton(n, claim.refers_to, claim.refers_to + " " + (doc.claims[claim.refers_to] || {}).text, showClaim) : null);
    row(dl, "linked claims", refList(n, claim.linked, showClaim, doc.claims));
    row(dl, "findings", refList(n, claim.findings, focusFinding));
    row(dl, "characters", claim.start + "–" + claim.end);
    row(dl, "rule", claim.rule);
    if (doc.path && data.documents.length > 1) row(dl, "document", doc.path);
    details.appendChild(dl);
  }

  function focusFinding(n, fid) {
    var doc = docOf(n), finding = doc.findings[fid];
    if (!finding) return;
    clearFocus();
    var own = [];
    finding.claims.forEach(function (id) {
      marks(n, id).forEach(function (m) { m.classList.add("active"); own.push(m); });
    });
    finding.repeats.forEach(function (ids) {
      ids.forEach(function (id) { marks(n, id).forEach(function (m) { m.classList.add("active-repeat"); }); });
    });
    own = inOrder(own);
    // the finding's span runs from its first claim to its last: highlight all of it
    if (own.length && window.CSS && CSS.highlights && window.Highlight) {
      var range = document.createRange();
      range.setStartBefore(own[0]);
      range.setEndAfter(own[own.length - 1]);
      CSS.highlights.set("fc-finding", new Highlight(range));
    }
    var item = document.querySelector('.finding[data-doc="' + Number(n) + '"][data-finding=' + quoted(fid) + "]");
    if (item) item.classList.add("current");
    reveal(own[0]);
    details.replaceChildren(el("h3", "Finding " + fid + " · " + finding.severity + " · " + finding.check));
    details.appendChild(el("p", finding.message, "message"));
    var dl = el("dl");
    row(dl, "claims", refList(n, finding.claims, showClaim, doc.claims));
    row(dl, "expected", finding.expected);
    row(dl, "actual", finding.actual);
    row(dl, "characters", finding.start + "–" + finding.end);
    if (finding.repeats.length) {
      var reps = el("span");
      finding.repeats.forEach(function (ids, i) {
        if (i) reps.appendChild(document.createTextNode("; "));
        reps.appendChild(refList(n, ids, showClaim));
      });
      row(dl, "on repeated text", reps);
    }
    details.appendChild(dl);
  }

  document.getElementById("documents").addEventListener("click", function (event) {
    var mark = event.target.closest("mark[data-claim]");
    if (!mark) return;
    var section = mark.closest("section.document");
    showClaim(section.dataset.doc, mark.dataset.claim, true);
  });
  document.getElementById("findings").addEventListener("click", function (event) {
    var item = event.target.closest("li.finding");
    if (item) focusFinding(item.dataset.doc, item.dataset.finding);
  });
  document.getElementById("charts").addEventListener("click", function (event) {
    var point = event.target.closest("[data-ref]");
    var figure = event.target.closest("figure.chart");
    if (point && figure) showClaim(figure.dataset.doc, point.dataset.ref);
  });

  // n / p: the next / previous finding still shown by the filters, in the panel's order
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || /^(INPUT|SELECT|TEXTAREA)$/.test(event.target.tagName)) return;
    if (event.key !== "n" && event.key !== "p") return;
    var items = Array.prototype.slice.call(document.querySelectorAll("li.finding"))
      .filter(function (li) { return li.offsetParent !== null; });
    if (!items.length) return;
    var at = items.indexOf(document.querySelector("li.finding.current"));
    var next = event.key === "n" ? (at + 1) % items.length : (at <= 0 ? items.length - 1 : at - 1);
    focusFinding(items[next].dataset.doc, items[next].dataset.finding);
    items[next].scrollIntoView({ block: "nearest" });
  });

  // filters: one generated style sheet, so a 1 MB document is not walked mark by mark
  function applyFilters() {
    var metric = document.getElementById("filter-metric").value;
    var rules = [];
    var off = "{background:transparent;border-bottom-color:transparent;font-weight:inherit;cursor:auto}";
    if (metric) {
      var value = metric === "#none" ? "" : metric;
      rules.push(".raw mark.fc:not([data-metric=" + quoted(value) + "])" + off);
      rules.push(metric === "#none" ? ".finding:not([data-metrics=\"\"]){display:none}"
        : ".finding:not([data-metrics~=" + quoted(value) + "]){display:none}");
      rules.push("figure.chart:not([data-metric=" + quoted(value) + "]){display:none}");
    }
    document.querySelectorAll(".filter-severity").forEach(function (box) {
      if (!box.checked) {
        rules.push(".raw mark.fc.sev-" + box.value + off);
        rules.push(".finding.sev-" + box.value + "{display:none}");
      }
    });
    filterStyle.textContent = rules.join("\n");
  }
  document.getElementById("filters").addEventListener("change", applyFilters);
  applyFilters();
})();
