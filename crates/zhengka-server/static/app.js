// zhengka pages: the little the browser must do. No inline script anywhere
// (the Content-Security-Policy forbids it); every page works without this file.
"use strict";

// Move focus to the error summary so keyboard and screen-reader users hear it.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
  // A verifier's verdict is announced the same way.
  var verdict = document.getElementById("verdict");
  if (verdict && !summary) verdict.focus();
  // Print buttons need this file, so they stay hidden without it.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
  if (summary) keepFormOnLanguageSwitch(summary);
  var out = document.getElementById("points-preview");
  if (out) livePreview(out);
});

// The A/B/C points preview: post the form (with its CSRF token) to the
// preview endpoint and show the sentence it returns, already translated.
function livePreview(out) {
  var form = out.closest("form");
  var timer = null;
  var ask = function () {
    var body = new URLSearchParams(new FormData(form));
    fetch(out.dataset.endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j && j.text && out.textContent !== j.text) out.textContent = j.text; })
      .catch(function () {});
  };
  var later = function () { clearTimeout(timer); timer = setTimeout(ask, 300); };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  ask();
}

// On a page of errors, switching language posts the typed form again with
// the new language (`?zk_lang=`), so the errors come back in it and nothing
// typed is lost. Without this file the link still switches, from scratch.
function keepFormOnLanguageSwitch(summary) {
  var first = summary.querySelector("a[href^='#']");
  var field = first && document.getElementById(first.getAttribute("href").slice(1));
  var form = (field && field.form) || document.querySelector("main form[method='post']");
  if (!form) return;
  document.querySelectorAll(".langs a[hreflang]").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      var action = form.getAttribute("action") || window.location.pathname;
      var clean = action.replace(/([?&])zk_lang=[^&]*&?/, "$1").replace(/[?&]$/, "");
      form.action = clean + (clean.indexOf("?") < 0 ? "?" : "&") + "zk_lang=" + a.getAttribute("hreflang");
      form.submit();
    });
  });
}

// The province → city → district picker: three lists that fill the code
// field beside them. The field stays, so a code can still be typed.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".region-picker").forEach(function (box) {
    var input = document.getElementById(box.dataset.for);
    if (!input) return;
    fetch(box.dataset.source, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (rows) { if (rows) regionPicker(box, input, rows); })
      .catch(function () {});
  });
});

function regionPicker(box, input, rows) {
  var levels = ["province", "city", "county"];
  var level = function (code) {
    return code.slice(2) === "0000" ? 0 : code.slice(4) === "00" ? 1 : 2;
  };
  var under = function (code, depth) {
    return rows.filter(function (r) {
      return level(r[0]) === depth && (depth === 0 || r[0].slice(0, depth * 2) === code.slice(0, depth * 2));
    });
  };
  var selects = levels.map(function (name, depth) {
    var id = box.dataset.for + "-" + name;
    var wrap = document.createElement("div");
    wrap.className = "field";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = box.dataset[name];
    var select = document.createElement("select");
    select.id = id;
    select.dataset.depth = depth;
    wrap.appendChild(label);
    wrap.appendChild(select);
    box.appendChild(wrap);
    return select;
  });
  var fill = function (depth, parent, chosen) {
    var select = selects[depth];
    select.innerHTML = "";
    var none = document.createElement("option");
    none.value = "";
    none.textContent = box.dataset.choose;
    select.appendChild(none);
    var options = depth === 0 || parent ? under(parent || "", depth) : [];
    options.forEach(function (r) {
      var o = document.createElement("option");
      o.value = r[0];
      o.textContent = r[1];
      select.appendChild(o);
    });
    select.value = chosen || "";
    select.disabled = options.length === 0;
  };
  var current = input.value.trim();
  var known = rows.some(function (r) { return r[0] === current; });
  var at = function (depth) {
    if (!known || level(current) < depth) return "";
    return depth === 0 ? current.slice(0, 2) + "0000" : depth === 1 ? current.slice(0, 4) + "00" : current;
  };
  fill(0, "", at(0));
  fill(1, at(0), at(1));
  fill(2, at(1), at(2));
  selects.forEach(function (select, depth) {
    select.addEventListener("change", function () {
      if (depth < 2) fill(depth + 1, select.value, "");
      if (depth < 1) fill(2, "", "");
      var deepest = selects.map(function (s) { return s.value; }).filter(Boolean).pop();
      if (deepest) input.value = deepest;
    });
  });
  box.hidden = false;
}
