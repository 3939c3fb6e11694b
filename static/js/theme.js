// Bootstrap's colour mode follows the system setting. Loaded first in <head>, without
// defer, so the page is never painted in the wrong mode.
(function () {
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const apply = () => document.documentElement.setAttribute("data-bs-theme", dark.matches ? "dark" : "light");
  apply();
  dark.addEventListener("change", apply);
})();
