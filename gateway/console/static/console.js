/* The console's little JavaScript: confirmations and progress polling. Pages work without it. */
(function () {
  "use strict";

  function confirmations() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) {
          event.preventDefault();
        }
      });
    });
  }

  /* <div data-poll="URL"> with a <progress> and an element [data-poll-status]; the URL answers
     {"state": "running"|"done"|"failed", "done": n, "total": n, "href": "...", "message": "..."}. */
  function poll(element) {
    var url = element.getAttribute("data-poll");
    var bar = element.querySelector("progress");
    var status = element.querySelector("[data-poll-status]");
    var link = element.querySelector("[data-poll-link]");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          if (bar && state.total) {
            bar.max = state.total;
            bar.value = state.done || 0;
          }
          if (status && state.message) {
            status.textContent = state.message;
          }
          if (state.state === "done") {
            if (link && state.href) {
              link.href = state.href;
              link.hidden = false;
            }
          } else if (state.state !== "failed") {
            window.setTimeout(tick, 1000);
          }
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    confirmations();
    document.querySelectorAll("[data-poll]").forEach(poll);
  });
})();
