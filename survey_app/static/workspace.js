// The workspace's small behaviours; every page works without them.
// data-confirm: ask before a button submits. data-refresh: reload a part of the page every N seconds.
// data-check-all: a checkbox that ticks every checkbox of a form.
// data-back: a hidden link shown as "back to the previous page" when there is one.
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
document.querySelectorAll("[data-back]").forEach(function (link) {
  if (window.history.length < 2) return;
  link.hidden = false;
  link.addEventListener("click", function (event) { event.preventDefault(); window.history.back(); });
});
document.querySelectorAll("[data-check-all]").forEach(function (box) {
  box.addEventListener("change", function () {
    box.form.querySelectorAll("input[type=checkbox][name=response]").forEach(function (b) { b.checked = box.checked; });
  });
});
// data-sortable: a click on a column heading sorts the table's rows by that column (numbers as numbers).
document.querySelectorAll("table[data-sortable]").forEach(function (table) {
  var head = table.rows[0];
  Array.prototype.forEach.call(head.cells, function (cell, column) {
    cell.style.cursor = "pointer";
    cell.title = "点击排序";
    cell.addEventListener("click", function () {
      var rows = Array.prototype.slice.call(table.rows, 1).filter(function (r) { return r.style.fontWeight !== "600"; });
      var descending = cell.getAttribute("data-order") !== "desc";
      cell.setAttribute("data-order", descending ? "desc" : "asc");
      rows.sort(function (a, b) {
        var x = a.cells[column].textContent.trim(), y = b.cells[column].textContent.trim();
        var nx = parseFloat(x.replace(/,/g, "")), ny = parseFloat(y.replace(/,/g, ""));
        var order = isNaN(nx) || isNaN(ny) ? x.localeCompare(y, "zh") : nx - ny;
        return descending ? -order : order;
      });
      var last = table.rows[table.rows.length - 1];
      rows.forEach(function (r) { last.parentNode.insertBefore(r, last.style.fontWeight === "600" ? last : null); });
    });
  });
});
