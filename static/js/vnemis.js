/* vnemis page behaviour. The Content-Security-Policy allows scripts from static/ only: no
   inline <script>, no onchange="…" attributes, no style="…" attributes. Pages mark elements
   with data attributes instead, and this file gives them their behaviour. */
"use strict";

/* <select data-autosubmit>: choosing an option submits its form (period, tree version,
   language). Delegated from the document, so content swapped in by htmx works too. */
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.matches("[data-autosubmit]") && field.form) {
    field.form.requestSubmit();
  }
});

/* <span data-bar="42">: a bar filled to 42 %, clamped to 0–100. Setting the width through
   the style property is allowed by the policy; a style attribute in the markup is not. */
function sizeBars(root) {
  root.querySelectorAll("[data-bar]").forEach((bar) => {
    const value = Number.parseFloat(bar.dataset.bar);
    const percent = Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : 0;
    bar.style.width = percent + "%";
  });
}

document.addEventListener("DOMContentLoaded", () => sizeBars(document));
/* htmx fires htmx:load on every element it swaps in (the import progress, every 2 s). */
document.addEventListener("htmx:load", (event) => sizeBars(event.target));
