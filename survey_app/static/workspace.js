// The workspace's small behaviours; every page works without them.
// data-confirm: ask before a button submits. data-refresh: reload a part of the page every N seconds.
// data-check-all: a checkbox that ticks every checkbox of a form.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
});
document.querySelectorAll("[data-refresh]").forEach(function (part) {
  var seconds = parseInt(part.getAttribute("data-refresh"), 10) || 30;
  setInterval(function () {
    if (document.hidden) return;
    fetch(part.getAttribute("data-src"), {credentials: "same-origin"}).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) { if (html !== null) part.innerHTML = html; }).catch(function () {});
  }, seconds * 1000);
});
document.querySelectorAll("[data-check-all]").forEach(function (box) {
  box.addEventListener("change", function () {
    box.form.querySelectorAll("input[type=checkbox][name=response]").forEach(function (b) { b.checked = box.checked; });
  });
});
