// Makes the modeler fill the window down to its bottom, and fits its
// diagram into the part of the canvas beside the palette, so the palette never covers the pool and lane labels at the
// diagram's left edge: once the modeler has opened (data-ready on
// [data-modeler]) and whenever the toolbar's Fit is pressed. The modeler
// bundle exposes itself as window.waymarkModeler; [data-fitted] marks the
// canvas as fitted for tests.
(function () {
  "use strict";

  var MARGIN = 24; // pixels between the diagram and the canvas's edges

  function fit(root) {
    var page = window.waymarkModeler;
    var modeler = page && page.modeler;
    if (!modeler) {
      return false;
    }
    var canvas = modeler.get("canvas");
    var container = canvas.getContainer();
    var box = canvas.viewbox();
    var inner = box.inner;
    if (!inner || !inner.width || !inner.height) {
      return false;
    }
    var rect = container.getBoundingClientRect();
    var left = MARGIN;
    var palette = container.querySelector(".djs-palette");
    if (palette) {
      var p = palette.getBoundingClientRect();
      left = Math.max(left, p.right - rect.left + MARGIN);
    }
    var width = rect.width - left - MARGIN;
    var height = rect.height - 2 * MARGIN;
    if (width <= 0 || height <= 0) {
      return false;
    }
    // Never enlarge beyond 100%: a small diagram stays at its real size.
    var scale = Math.min(width / inner.width, height / inner.height, 1);
    var top = MARGIN + (height - inner.height * scale) / 2;
    canvas.viewbox({
      x: inner.x - left / scale,
      y: inner.y - top / scale,
      width: rect.width / scale,
      height: rect.height / scale,
    });
    root.setAttribute("data-fitted", "true");
    return true;
  }

  // size makes the modeler reach the window's bottom, however tall the
  // window (at least 30rem, as the stylesheet says), and tells the canvas.
  function size(root) {
    var top = root.getBoundingClientRect().top + window.scrollY;
    var min = 30 * parseFloat(getComputedStyle(document.documentElement).fontSize);
    root.style.height = Math.max(min, window.innerHeight - top - 8) + "px";
    var page = window.waymarkModeler;
    if (page && page.modeler) {
      page.modeler.get("canvas").resized();
    }
  }

  function boot() {
    var root = document.querySelector("[data-modeler]");
    if (!root) {
      return;
    }
    size(root);
    var pending = 0;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        size(root);
      }, 100);
    });
    var whenReady = function () {
      if (root.getAttribute("data-ready") === "true") {
        observer.disconnect();
        size(root);
        fit(root);
      }
    };
    var observer = new MutationObserver(whenReady);
    observer.observe(root, { attributes: true, attributeFilter: ["data-ready"] });
    whenReady();
    // The toolbar's Fit fits the whole canvas first; fit again beside the
    // palette right after.
    root.addEventListener("click", function (e) {
      if (e.target.closest && e.target.closest('[data-action="fit"]')) {
        setTimeout(function () {
          fit(root);
        }, 0);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boot);
  } else {
    boot();
  }
})();
