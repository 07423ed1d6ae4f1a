// A form's identifier rows (templates/_identifier_rows.html): only the chosen type's inputs are shown
// (a country chooser for types whose rules depend on a country, the named fields of a person or a
// registered address), a live check per row where the list names a check URL (POST with the CSRF
// token), and "Add another identifier" as a new row in place. Without this file every input is shown
// and the form works as plain posts.
(function () {
  "use strict";

  function setup(list) {
    var form = list.closest("form");
    var countryTypes = (list.getAttribute("data-country-types") || "").split(" ");
    var checkUrl = list.getAttribute("data-check-url");
    var rowsInput = form.querySelector("input.identifier-row-count");
    var tokenInput = form.querySelector("input[name=csrfmiddlewaretoken]");
    var timers = {};

    function part(row, name) { return row.querySelector("." + name); }
    function kind(row) { return part(row, "identifier-type").value; }
    function group(row) {
      return row.querySelector('.identifier-composite[data-type="' + kind(row) + '"]');
    }
    function problem(input) { return document.getElementById(input.id + "-problem"); }

    function toggle(row) {
      var chosen = group(row);
      row.querySelectorAll(".identifier-composite").forEach(function (g) { g.hidden = g !== chosen; });
      row.querySelectorAll(".identifier-simple").forEach(function (el) { el.hidden = chosen !== null; });
      if (!chosen) { part(row, "identifier-country").hidden = countryTypes.indexOf(kind(row)) === -1; }
    }

    function mark(input, message) {
      var out = problem(input);
      if (out) { out.textContent = message || ""; }
      input.setAttribute("aria-invalid", message ? "true" : "false");
    }

    function show(row, verdict) {
      var out = part(row, "verdict");
      out.textContent = verdict.message;
      if (verdict.valid && verdict.normalised) {
        var code = document.createElement("code");
        code.textContent = verdict.normalised;
        out.appendChild(document.createTextNode(" "));
        out.appendChild(code);
      }
      out.className = "verdict " + (verdict.valid ? "ok" : "bad");
      var chosen = group(row);
      if (chosen) {
        chosen.querySelectorAll(".identifier-part").forEach(function (input) {
          mark(input, (verdict.fields || {})[input.getAttribute("data-part")]);
        });
      } else {
        mark(part(row, "identifier-value"), "");
        part(row, "identifier-value").setAttribute("aria-invalid", verdict.valid ? "false" : "true");
      }
    }

    function check(row) {
      if (!checkUrl) { return; }
      var body = new URLSearchParams();
      var chosen = group(row);
      var typed = false;
      body.set("type", kind(row));
      if (chosen) {
        chosen.querySelectorAll(".identifier-part").forEach(function (input) {
          body.set(input.getAttribute("data-part"), input.value);
          typed = typed || input.value.trim() !== "";
        });
      } else {
        body.set("value", part(row, "identifier-value").value);
        body.set("country", part(row, "identifier-country-select").value);
        typed = part(row, "identifier-value").value.trim() !== "";
      }
      if (!typed) { part(row, "verdict").textContent = ""; return; }
      fetch(checkUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": tokenInput.value, "Content-Type": "application/x-www-form-urlencoded" },
        body: body
      }).then(function (response) { return response.json(); })
        .then(function (verdict) { if (verdict.message !== undefined) { show(row, verdict); } })
        .catch(function () { /* the check runs again when the form is posted */ });
    }

    function later(row) {
      var index = row.getAttribute("data-index");
      clearTimeout(timers[index]);
      timers[index] = setTimeout(function () { check(row); }, 400);
    }

    function wire(row) {
      toggle(row);
      part(row, "identifier-type").addEventListener("change", function () { toggle(row); check(row); });
      part(row, "identifier-country-select").addEventListener("change", function () { check(row); });
      row.querySelectorAll(".identifier-value, .identifier-part").forEach(function (input) {
        input.addEventListener("input", function () { later(row); });
        input.addEventListener("blur", function () { check(row); });
      });
    }

    function renumber(row, index) {
      row.setAttribute("data-index", String(index));
      row.querySelectorAll("[id], [name], [for], [aria-describedby], [data-field]").forEach(function (el) {
        ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (v) { el.setAttribute(attr, v.replace(/identifier-\d+-/g, "identifier-" + index + "-")); }
        });
        el.removeAttribute("data-field");
      });
      var legend = row.querySelector("legend");
      legend.textContent = legend.textContent.replace(/\d+/, String(index + 1));
    }

    var add = form.querySelector("#add-identifier");
    if (add) {
      add.addEventListener("click", function (event) {
        event.preventDefault();
        var rows = list.querySelectorAll(".identifier-row");
        var fresh = rows[rows.length - 1].cloneNode(true);
        renumber(fresh, rows.length);
        fresh.querySelectorAll("input").forEach(function (input) {
          input.value = "";
          input.removeAttribute("aria-invalid");
        });
        fresh.querySelectorAll(".field-problem").forEach(function (p) { p.textContent = ""; });
        part(fresh, "verdict").textContent = "";
        part(fresh, "verdict").className = "verdict";
        list.appendChild(fresh);
        rowsInput.value = String(rows.length + 1);
        wire(fresh);
        part(fresh, "identifier-type").focus();
      });
    }

    list.querySelectorAll(".identifier-row").forEach(wire);
  }

  document.querySelectorAll("[data-identifier-rows]").forEach(setup);
}());
