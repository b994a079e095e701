// Typed input kept across a re-sign-in. A form posted after the session
// ended is answered with the sign-in page (and then the form's own page
// again), so what was typed would be lost. This file keeps a posted form's
// fields in the tab's sessionStorage (never on the server, never in an
// address), and after the sign-in puts them back into the same form, into
// empty fields only, for the person to check and submit again; then forgets
// them. Never kept: passwords, codes, the CSRF token and other hidden fields,
// files. Without this file the pages work as before: sign-in, then the page.
"use strict";

(function () {
  var KEY = "zk.kept-form";
  var MAX_AGE_MS = 60 * 60 * 1000;
  var SKIPPED_TYPES = ["password", "file", "hidden", "submit", "button", "reset", "image"];
  var SKIPPED_NAMES = ["csrf", "zk_page", "totp", "code", "password", "password2", "password_again"];
  var SKIPPED_AUTOCOMPLETE = ["one-time-code", "current-password", "new-password"];

  var storage = function () {
    try { return window.sessionStorage; } catch (e) { return null; }
  };
  var read = function () {
    var s = storage();
    if (!s) return null;
    try {
      var kept = JSON.parse(s.getItem(KEY) || "null");
      return kept && Date.now() - kept.at < MAX_AGE_MS ? kept : null;
    } catch (e) { return null; }
  };
  var write = function (kept) {
    var s = storage();
    if (s) try { s.setItem(KEY, JSON.stringify(kept)); } catch (e) { /* full or off */ }
  };
  var forget = function () {
    var s = storage();
    if (s) try { s.removeItem(KEY); } catch (e) { /* off */ }
  };

  var signedInAs = function () {
    var a = document.getElementById("account-link");
    return a ? a.dataset.user || "" : "";
  };
  // The page a form belongs to, as the server named it (`zk_page`).
  var pageOf = function (form) {
    var p = form.querySelector("input[type=hidden][name=zk_page]");
    return p ? p.value : "";
  };
  var actionOf = function (form) { return form.getAttribute("action") || ""; };
  var isSignIn = function (form) { return actionOf(form).split("?")[0] === "/web/sign-in"; };

  var keepable = function (el) {
    if (!el.name || el.disabled || el.dataset.keep === "no") return false;
    var type = (el.type || "").toLowerCase();
    if (SKIPPED_TYPES.indexOf(type) >= 0) return false;
    if (SKIPPED_NAMES.indexOf(el.name) >= 0) return false;
    return SKIPPED_AUTOCOMPLETE.indexOf((el.getAttribute("autocomplete") || "").toLowerCase()) < 0;
  };

  // [name, value] of every field typed or chosen, in the form's order.
  var fieldsOf = function (form) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!keepable(el)) return;
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        if (el.checked) out.push([el.name, el.value]);
      } else if (type === "select-multiple") {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { out.push([el.name, o.value]); });
      } else if (el.value !== "") {
        out.push([el.name, el.value]);
      }
    });
    return out;
  };

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    if ((form.getAttribute("method") || "").toLowerCase() !== "post") return;
    if (isSignIn(form)) return;
    if (actionOf(form) === "/web/sign-out" || form.dataset.keep === "no") { forget(); return; }
    var fields = fieldsOf(form);
    if (fields.length === 0) { forget(); return; }
    write({
      at: Date.now(),
      page: pageOf(form),
      action: actionOf(form),
      user: signedInAs(),
      fields: fields,
      through: false,
    });
  });

  // A field is empty when the page gave it no value of its own.
  var restoreOne = function (form, name, value) {
    var els = Array.prototype.filter.call(form.elements, function (el) {
      return el.name === name && keepable(el);
    });
    var el = els[0];
    if (!el) return false;
    var type = (el.type || "").toLowerCase();
    var changed = null;
    if (type === "radio") {
      if (els.some(function (r) { return r.checked; })) return false;
      changed = els.filter(function (r) { return r.value === value; })[0];
      if (changed) changed.checked = true;
    } else if (type === "checkbox") {
      changed = els.filter(function (c) { return c.value === value && !c.checked; })[0];
      if (changed) changed.checked = true;
    } else if (type === "select-one" || type === "select-multiple") {
      var given = Array.prototype.some.call(el.options, function (o) { return o.defaultSelected && o.value !== ""; });
      var option = Array.prototype.filter.call(el.options, function (o) { return o.value === value; })[0];
      if (given || !option || option.selected && type === "select-one") return false;
      option.selected = true;
      changed = el;
    } else if (el.value === "") {
      el.value = value;
      changed = el;
    }
    if (!changed) return false;
    changed.dispatchEvent(new Event("input", { bubbles: true }));
    changed.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  };

  document.addEventListener("DOMContentLoaded", function () {
    var kept = read();
    if (!kept) { forget(); return; }
    var forms = Array.prototype.slice.call(document.querySelectorAll("form"));
    // The sign-in page (again after a wrong password or a language switch):
    // keep them, and remember they are waiting for a sign-in.
    if (forms.some(isSignIn)) {
      kept.through = true;
      write(kept);
      return;
    }
    // Anywhere else they are forgotten now: put back first if this is the
    // form's page right after a sign-in, by the same person.
    forget();
    if (!kept.through || kept.user === "" || kept.user !== signedInAs()) return;
    var form = forms.filter(function (f) {
      return actionOf(f) === kept.action && pageOf(f) === kept.page;
    })[0];
    if (!form) return;
    var restored = 0;
    kept.fields.forEach(function (pair) {
      if (restoreOne(form, pair[0], pair[1])) restored += 1;
    });
    var note = document.getElementById("kept-note");
    if (restored > 0 && note) {
      note.hidden = false;
      note.focus();
    }
  });
})();
