// The real-person page's camera: a preview of the front camera, a capture
// drawn on a canvas and encoded as JPEG, put into the form's file input (so
// the same upload carries it). No inline script (the CSP forbids it); without
// a camera, or without this file, the person chooses a photo instead. The
// texts come from the page's data-* attributes, in the page's language.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var outcome = document.getElementById("outcome");
  if (outcome) outcome.focus();
  var box = document.getElementById("camera");
  var media = navigator.mediaDevices;
  if (!box || !media || !media.getUserMedia || !window.DataTransfer) return;
  var start = document.getElementById("camera-start");
  var take = document.getElementById("camera-take");
  var video = document.getElementById("camera-video");
  var preview = document.getElementById("camera-preview");
  var status = document.getElementById("camera-status");
  var input = document.getElementById("f-image");
  var stream = null;
  box.hidden = false;

  function end() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    take.hidden = true;
    start.hidden = false;
  }

  start.addEventListener("click", function () {
    status.textContent = box.dataset.starting;
    media.getUserMedia({ video: { facingMode: "user" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        preview.hidden = true;
        start.hidden = true;
        take.hidden = false;
        return video.play();
      })
      .then(function () {
        status.textContent = box.dataset.ready;
        take.focus();
      })
      .catch(function () {
        end();
        status.textContent = box.dataset.denied;
        input.focus();
      });
  });

  take.addEventListener("click", function () {
    var w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) return;
    // A face needs no more than about 640 pixels a side; the file stays small.
    var scale = Math.min(1, 640 / Math.max(w, h));
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    canvas.toBlob(function (blob) {
      var files = new DataTransfer();
      files.items.add(new File([blob], "selfie.jpg", { type: "image/jpeg" }));
      input.files = files.files;
      preview.src = canvas.toDataURL("image/jpeg", 0.85);
      preview.hidden = false;
      end();
      status.textContent = box.dataset.taken;
      document.getElementById("selfie-submit").focus();
    }, "image/jpeg", 0.85);
  });
});
