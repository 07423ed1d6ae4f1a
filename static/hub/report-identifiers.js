// The report form's identifier rows: a live check per row (the page's JSON endpoint, POST with the
// CSRF token), a country chooser only for types whose rules depend on a country, and "Add another
// identifier" as a new row in place. Without this file the form works as plain posts.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var list = document.getElementById("identifier-list");
  var countTypes = (list.getAttribute("data-country-types") || "").split(" ");
  var rowsInput = document.getElementById("identifier-rows");
  var checkUrl = form.getAttribute("data-check-url");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timers = {};

  function part(row, name) { return row.querySelector("." + name); }

  function toggleCountry(row) {
    var wrapper = part(row, "identifier-country");
    wrapper.hidden = countTypes.indexOf(part(row, "identifier-type").value) === -1;
  }

  function show(row, verdict) {
    var out = part(row, "verdict");
    var value = part(row, "identifier-value");
    out.textContent = verdict.message;
    if (verdict.valid && verdict.normalised) {
      var code = document.createElement("code");
      code.textContent = verdict.normalised;
      out.appendChild(document.createTextNode(" "));
      out.appendChild(code);
    }
    out.className = "verdict " + (verdict.valid ? "ok" : "bad");
    value.setAttribute("aria-invalid", verdict.valid ? "false" : "true");
  }

  function check(row) {
    var value = part(row, "identifier-value").value;
    if (!value.trim()) { part(row, "verdict").textContent = ""; return; }
    var body = new URLSearchParams();
    body.set("type", part(row, "identifier-type").value);
    body.set("value", value);
    body.set("country", part(row, "identifier-country-select").value);
    fetch(checkUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded" },
      body: body
    }).then(function (response) { return response.json(); })
      .then(function (verdict) { show(row, verdict); })
      .catch(function () { /* the check runs again when the form is posted */ });
  }

  function later(row) {
    var index = row.getAttribute("data-index");
    clearTimeout(timers[index]);
    timers[index] = setTimeout(function () { check(row); }, 400);
  }

  function wire(row) {
    toggleCountry(row);
    part(row, "identifier-type").addEventListener("change", function () { toggleCountry(row); check(row); });
    part(row, "identifier-country-select").addEventListener("change", function () { check(row); });
    part(row, "identifier-value").addEventListener("input", function () { later(row); });
    part(row, "identifier-value").addEventListener("blur", function () { check(row); });
  }

  function renumber(row, index) {
    row.setAttribute("data-index", String(index));
    row.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (el) {
      ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
        var v = el.getAttribute(attr);
        if (v) { el.setAttribute(attr, v.replace(/identifier-\d+-/, "identifier-" + index + "-")); }
      });
    });
    var legend = row.querySelector("legend");
    legend.textContent = legend.textContent.replace(/\d+/, String(index + 1));
  }

  document.getElementById("add-identifier").addEventListener("click", function (event) {
    event.preventDefault();
    var rows = list.querySelectorAll(".identifier-row");
    var fresh = rows[rows.length - 1].cloneNode(true);
    renumber(fresh, rows.length);
    part(fresh, "identifier-value").value = "";
    part(fresh, "identifier-value").removeAttribute("aria-invalid");
    part(fresh, "verdict").textContent = "";
    part(fresh, "verdict").className = "verdict";
    list.appendChild(fresh);
    rowsInput.value = String(rows.length + 1);
    wire(fresh);
    part(fresh, "identifier-value").focus();
  });

  list.querySelectorAll(".identifier-row").forEach(wire);
}());
