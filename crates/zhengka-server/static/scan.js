// The verifier page's camera: read a QR with getUserMedia, a canvas and the
// vendored jsQR decoder, put its text in the form and submit it. No inline
// script (the CSP forbids it); without a camera, or without this file, the
// person pastes the code instead. The texts come from the page's data-*
// attributes, so they are in the page's language. `data-field` names the
// field to fill (default `f-qr`); `data-submit="no"` fills it without
// submitting (the e-card registration still needs the password).
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("scanner");
  var media = navigator.mediaDevices;
  if (!box || typeof jsQR !== "function") return;
  // Without a camera the image upload still works.
  var camera = !!(media && media.getUserMedia);
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var field = document.getElementById(box.dataset.field || "f-qr");
  var canvas = document.createElement("canvas");
  var ctx = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var running = false;
  box.hidden = false;
  if (!camera) start.hidden = true;

  function end() {
    running = false;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = !camera;
  }

  function found(text) {
    field.value = text.trim();
    status.textContent = box.dataset.found;
    end();
    if (box.dataset.submit === "no") return field.focus();
    var form = field.form;
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function tick() {
    if (!running) return;
    var w = video.videoWidth, h = video.videoHeight;
    if (video.readyState >= 2 && w > 0 && h > 0) {
      // Dense codes need pixels, but not more than about 1000 per side.
      var scale = Math.min(1, 1000 / Math.max(w, h));
      w = Math.round(w * scale);
      h = Math.round(h * scale);
      canvas.width = w;
      canvas.height = h;
      ctx.drawImage(video, 0, 0, w, h);
      var code = jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "attemptBoth" });
      if (code && code.data) return found(code.data);
    }
    requestAnimationFrame(tick);
  }

  start.addEventListener("click", function () {
    status.textContent = box.dataset.starting;
    media.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        start.hidden = true;
        stop.hidden = false;
        running = true;
        return video.play();
      })
      .then(function () {
        status.textContent = box.dataset.scanning;
        stop.focus();
        requestAnimationFrame(tick);
      })
      .catch(function () {
        end();
        status.textContent = box.dataset.denied;
        field.focus();
      });
  });

  // An image of the QR (a photo, a scan, a PDF's screenshot) read the same way.
  var file = document.getElementById("scan-file");
  if (file) file.addEventListener("change", function () {
    var chosen = file.files && file.files[0];
    if (!chosen) return;
    // A data: URL, which the page's CSP allows for images (blob: it does not).
    var reader = new FileReader();
    var img = new Image();
    var nocode = function () { status.textContent = box.dataset.nocode || ""; };
    img.onload = function () {
      var scale = Math.min(1, 1600 / Math.max(img.naturalWidth, img.naturalHeight));
      var w = Math.max(1, Math.round(img.naturalWidth * scale));
      var h = Math.max(1, Math.round(img.naturalHeight * scale));
      canvas.width = w;
      canvas.height = h;
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, w, h);
      ctx.drawImage(img, 0, 0, w, h);
      var code = jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "attemptBoth" });
      if (code && code.data) return found(code.data);
      nocode();
    };
    img.onerror = nocode;
    reader.onload = function () { img.src = reader.result; };
    reader.onerror = nocode;
    reader.readAsDataURL(chosen);
  });

  stop.addEventListener("click", function () {
    end();
    status.textContent = "";
    start.focus();
  });
});
