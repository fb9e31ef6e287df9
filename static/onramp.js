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
