// The e-card registration form: show only the field of the chosen
// identifier, and read a Notice QR from a photo of it (jsQR, vendored) into
// the QR field. Without this file every field shows and the QR is pasted.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("register-form");
  if (!form) return;
  var radios = form.querySelectorAll("input[name=id_kind]");
  function show() {
    var chosen = form.querySelector("input[name=id_kind]:checked");
    var kind = chosen ? chosen.value : "permit_number";
    form.querySelectorAll(".id-field").forEach(function (el) {
      el.hidden = el.dataset.kind !== kind;
    });
  }
  radios.forEach(function (r) { r.addEventListener("change", show); });
  show();
  photo();
});

// A photo or screenshot of the Notice's QR, decoded in the browser.
function photo() {
  var box = document.getElementById("qr-photo");
  var input = document.getElementById("f-qr_photo");
  var field = document.getElementById("f-notice_qr");
  var status = document.getElementById("qr-photo-status");
  if (!box || typeof jsQR !== "function" || !window.createImageBitmap) return;
  box.hidden = false;
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file) return;
    createImageBitmap(file).then(function (img) {
      var scale = Math.min(1, 1600 / Math.max(img.width, img.height));
      var w = Math.round(img.width * scale), h = Math.round(img.height * scale);
      var canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      var ctx = canvas.getContext("2d");
      ctx.drawImage(img, 0, 0, w, h);
      var code = jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "attemptBoth" });
      if (code && code.data) {
        field.value = code.data.trim();
        status.textContent = box.dataset.read;
        field.focus();
      } else {
        status.textContent = box.dataset.unread;
      }
    }).catch(function () { status.textContent = box.dataset.unread; });
  });
}
