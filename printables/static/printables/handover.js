// Hand the vendor's link over: copy it, or open the phone's share sheet
// (Web Share API), with copying as the fallback.
(function () {
  "use strict";
  function said(id) {
    var status = document.querySelector('[data-copied="' + id + '"]');
    if (status) status.textContent = status.dataset.text;
  }
  function copy(id) {
    var input = document.getElementById(id);
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(function () { said(id); }, function () { fallback(input, id); });
    } else {
      fallback(input, id);
    }
  }
  function fallback(input, id) {
    input.select();
    try { if (document.execCommand("copy")) said(id); } catch (e) { /* the text stays selected for a long press */ }
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () { copy(button.dataset.copy); });
  });
  document.querySelectorAll("[data-share]").forEach(function (button) {
    var input = document.getElementById(button.dataset.share);
    if (!navigator.share) return;  // no share sheet: the copy button does it
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({ title: button.dataset.title, url: input.value }).catch(function (error) {
        if (error && error.name !== "AbortError") copy(button.dataset.share);
      });
    });
  });
  document.querySelectorAll("#vendor_link").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
