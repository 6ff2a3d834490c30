// The workspace's small behaviours; every page works without them.
// .scroll: a table wider than its box scrolls sideways; the box then takes the keyboard focus.
// data-confirm: ask before a button submits. data-refresh: reload a part of the page every N seconds
// (until the part holds an element marked data-done).
// data-check-all: a checkbox that ticks every checkbox of a form.
// data-back: a hidden link shown as "back to the previous page" when there is one.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
});
document.querySelectorAll("[data-refresh]").forEach(function (part) {
  var seconds = parseInt(part.getAttribute("data-refresh"), 10) || 30;
  var timer = setInterval(function () {
    if (document.hidden) return;
    fetch(part.getAttribute("data-src"), {credentials: "same-origin"}).then(function (r) {
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html === null) return;
      part.innerHTML = html;
      scrollable(part);
      if (part.querySelector("[data-done]")) clearInterval(timer);   // nothing more will change
    }).catch(function () {});
  }, seconds * 1000);
  if (part.querySelector("[data-done]")) clearInterval(timer);
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
// data-sortable: each column heading becomes a button (so the keyboard sorts too) that sorts the rows by
// its column, numbers as numbers, first from the largest; the heading's aria-sort tells the order.
// A row marked data-total stays last.
document.querySelectorAll("table[data-sortable]").forEach(function (table) {
  var head = table.rows[0];
  Array.prototype.forEach.call(head.cells, function (cell, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (cell.firstChild) button.appendChild(cell.firstChild);
    cell.appendChild(button);
    button.addEventListener("click", function () {
      var descending = cell.getAttribute("aria-sort") !== "descending";
      Array.prototype.forEach.call(head.cells, function (c) { c.removeAttribute("aria-sort"); });
      cell.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var rows = Array.prototype.slice.call(table.rows, 1).filter(function (r) { return !r.hasAttribute("data-total"); });
      rows.sort(function (a, b) {
        var x = a.cells[column].textContent.trim(), y = b.cells[column].textContent.trim();
        var nx = parseFloat(x.replace(/,/g, "")), ny = parseFloat(y.replace(/,/g, ""));
        var order = isNaN(nx) || isNaN(ny) ? x.localeCompare(y, "zh") : nx - ny;
        return descending ? -order : order;
      });
      var total = table.querySelector("tr[data-total]");
      rows.forEach(function (r) { (total || r).parentNode.insertBefore(r, total); });
    });
  });
});
// A box whose table is wider than the screen (a narrow window, a large zoom) scrolls sideways: it then
// takes the keyboard focus, so the arrow keys scroll it, and is named for a screen reader.
function scrollable(root) {
  root.querySelectorAll(".scroll").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      var heading = box.previousElementSibling;
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", (heading && /^H[1-6]$/.test(heading.tagName) ? heading.textContent + "，" : "")
        + "表格可左右滚动");
    } else if (box.getAttribute("role") === "region") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  });
}
scrollable(document);
var resized = null;
window.addEventListener("resize", function () { clearTimeout(resized); resized = setTimeout(function () { scrollable(document); }, 200); });
