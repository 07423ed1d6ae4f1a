/* A running bulk job's page: poll the job's API (with the session) and update the progress in place;
   reload when the job is no longer queued or running. Words come translated from data attributes. */
(function () {
  "use strict";
  var root = document.getElementById("bulk-job");
  if (!root || !root.dataset.pollUrl) { return; }
  function poll() {
    fetch(root.dataset.pollUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        if (s.status !== "queued" && s.status !== "running") { window.location.reload(); return; }
        var bar = document.getElementById("bulk-progress");
        bar.max = s.total; bar.value = s.done;
        var count = document.getElementById("bulk-count");
        count.textContent = count.dataset.template.replace("__done__", s.done).replace("__total__", s.total);
        var status = document.getElementById("bulk-status");
        status.textContent = status.getAttribute("data-label-" + s.status) || s.status;
        var rate = document.getElementById("bulk-rate");
        rate.textContent = rate.dataset.template.replace("__rate__", s.rate);
        var eta = document.getElementById("bulk-eta");
        eta.textContent = s.eta_seconds === null ? eta.dataset.unknown : eta.dataset.template.replace("__seconds__", s.eta_seconds);
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, 2000);
})();
