/* Runs in <head>, before the first paint: marks the page as scripted and applies the saved theme. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");
  try {
    var theme = window.localStorage.getItem("cardpress-theme");
    if (theme === "light" || theme === "dark") {
      root.setAttribute("data-theme", theme);
    }
  } catch (error) {
    /* Storage may be unavailable (private windows, file:// in some browsers). */
  }
})();
