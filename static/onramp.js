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
