// The console's only script (no inline code anywhere: the CSP forbids it).
// Keyboard shortcuts for the review queue, select-all, and the print button.
(function () {
  "use strict";

  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA" || el.isContentEditable);
  }

  function setupQueue() {
    var queue = document.getElementById("queue");
    if (!queue) { return; }
    var items = Array.prototype.slice.call(queue.querySelectorAll("article.finding"));
    var current = -1;

    function select(i) {
      if (!items.length) { return; }
      if (current >= 0 && items[current]) { items[current].classList.remove("current"); }
      current = Math.max(0, Math.min(items.length - 1, i));
      items[current].classList.add("current");
      items[current].focus({ preventScroll: true });
      items[current].scrollIntoView({ block: "nearest" });
    }

    function within(selector) {
      if (current < 0) { select(0); }
      return items[current] ? items[current].querySelector(selector) : null;
    }

    items.forEach(function (item, i) {
      item.addEventListener("click", function () {
        if (current !== i) { select(i); }
      });
    });

    document.addEventListener("keydown", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
      if (ev.key === "Escape" && typing(document.activeElement)) {
        document.activeElement.blur();
        if (current >= 0) { items[current].focus({ preventScroll: true }); }
        return;
      }
      if (typing(document.activeElement)) { return; }
      var el;
      switch (ev.key) {
        case "j": select(current + 1); break;
        case "k": select(current - 1); break;
        case "x":
          el = within("input.pick");
          if (el) { el.checked = !el.checked; }
          break;
        case "c":
          el = within("[data-key=c]");
          if (el) { el.click(); }
          break;
        case "d":
          el = within("[data-key=d]");
          if (el) { el.focus(); }
          break;
        case "f":
          el = within("[data-key=f]");
          if (el) { el.focus(); }
          break;
        case "o":
          el = within("[data-key=o]");
          if (el) { el.click(); }
          break;
        default: return;
      }
      ev.preventDefault();
    });

    var all = document.getElementById("select-all");
    if (all) {
      all.addEventListener("change", function () {
        items.forEach(function (item) {
          var box = item.querySelector("input.pick");
          if (box) { box.checked = all.checked; }
        });
      });
    }
  }

  function setupPrint() {
    var button = document.getElementById("print-now");
    if (button) {
      button.addEventListener("click", function () { window.print(); });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupQueue();
    setupPrint();
  });
})();
