// Progressive enhancement only: every form works without this file.
// A file input next to a certificate textarea reads a PEM file into it.
document.addEventListener("change", function (ev) {
  var input = ev.target;
  if (!input.matches || !input.matches("input[type=file][data-fill]") || !input.files.length) return;
  var target = document.getElementById(input.getAttribute("data-fill"));
  var reader = new FileReader();
  reader.onload = function () { if (target) target.value = String(reader.result); };
  reader.readAsText(input.files[0]);
});

// Copy buttons beside examples: shown only where the clipboard can be written.
if (navigator.clipboard) {
  document.querySelectorAll("button.copy[data-copy]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var el = document.getElementById(b.getAttribute("data-copy"));
      if (!el) return;
      navigator.clipboard.writeText(el.textContent).then(function () {
        b.textContent = "Copied";
        setTimeout(function () { b.textContent = "Copy"; }, 2000);
      });
    });
  });
}

// Client settings forms: show only the fields the chosen authentication method uses. Without
// this script every field shows, each with a hint saying which method it is for.
(function () {
  var method = document.getElementById("f-auth_method");
  if (!method) return;
  var uses = { "f-jwks_uri": ["private_key_jwt"], "f-jwks": ["private_key_jwt"], "f-tls_subject_dn": ["tls_client_auth"] };
  function update() {
    Object.keys(uses).forEach(function (id) {
      var input = document.getElementById(id);
      if (!input) return;
      var field = input.closest(".field");
      var shown = uses[id].indexOf(method.value) >= 0 || (method.value === "" && input.value !== "");
      if (field) field.hidden = !shown && input.getAttribute("aria-invalid") !== "true";
    });
  }
  method.addEventListener("change", update);
  update();
})();
