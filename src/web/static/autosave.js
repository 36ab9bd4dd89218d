// Progressive enhancement: forms marked data-autosave save a draft every few
// seconds while the patient types. Without script the "save for later" button
// does the same.
(function () {
  "use strict";
  var INTERVAL = 5000;
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var status = form.querySelector(".autosave-status");
    var dirty = false;
    var csrf = form.querySelector("input[name=csrf]");
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    setInterval(function () {
      if (!dirty) { return; }
      dirty = false;
      var data = new URLSearchParams(new FormData(form));
      data.set("intent", "draft");
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "X-CSRF-Token": csrf ? csrf.value : "" }
      }).then(function (response) {
        var ok = response.type === "opaqueredirect" || response.ok;
        if (status) { status.textContent = ok ? form.dataset.savedText || "Saved" : form.dataset.notSavedText || "Not saved"; }
      }).catch(function () {
        dirty = true;
      });
    }, INTERVAL);
  });
})();
