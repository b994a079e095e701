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
