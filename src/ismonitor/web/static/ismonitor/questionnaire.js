// The questionnaire's progressive enhancement: every answer is saved as it is given.
// Without this script every page still works as a plain form (the buttons save the page).
(function () {
  "use strict";
  var form = document.getElementById("qform");
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  if (!form || form.dataset.editable !== "1") { return; }
  var saveUrl = form.dataset.saveUrl;
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var queue = Promise.resolve();
  var timers = {};

  function fieldsOf(container) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf);
    data.append("item", container.dataset.item);
    container.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.disabled) { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      data.append(el.name, el.value);
    });
    return data;
  }

  function status(container, text, failed) {
    var el = container.querySelector(".save-status");
    el.textContent = text;
    el.classList.toggle("failed", !!failed);
  }

  function showError(container, text) {
    var el = container.querySelector(".error");
    el.textContent = text || "";
    el.hidden = !text;
    container.classList.toggle("has-error", !!text);
    container.querySelectorAll("input:not([type=hidden]), textarea").forEach(function (input) {
      if (text) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    });
    var group = container.querySelector("fieldset") || container.querySelector("input:not([type=hidden]), textarea");
    if (group) {
      var ids = (group.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && id !== el.id; });
      if (text) { ids.push(el.id); }
      if (ids.length) { group.setAttribute("aria-describedby", ids.join(" ")); } else { group.removeAttribute("aria-describedby"); }
    }
  }

  function applyLayout(data) {
    form.querySelectorAll("[data-item]").forEach(function (container) {
      var visible = data.visible.indexOf(container.dataset.item) !== -1;
      container.hidden = !visible;
      container.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !visible; });
    });
    var answered = form.querySelector("[data-answered]");
    var total = form.querySelector("[data-total]");
    if (answered) { answered.textContent = data.answered; }
    if (total) { total.textContent = data.total; }
    var here = data.sections.indexOf(form.dataset.section);
    form.querySelectorAll("li[data-section]").forEach(function (li) {
      li.hidden = data.sections.indexOf(li.dataset.section) === -1;
    });
    var part = form.querySelector("[data-part]");
    var parts = form.querySelector("[data-parts]");
    if (part && here !== -1) { part.textContent = here + 1; }
    if (parts) { parts.textContent = data.sections.length; }
    var bar = form.querySelector(".progress progress");
    // the bar: questions answered of those asked (the parts are counted in the text)
    if (bar) { bar.max = data.total; bar.value = data.answered; }
    var last = here === data.sections.length - 1;
    var next = form.querySelector("[data-role=next]");
    var review = form.querySelector("[data-role=review]");
    if (next && review) { next.hidden = last; review.hidden = !last; }
  }

  function save(container) {
    var key = container.dataset.item;
    var data = fieldsOf(container);
    status(container, form.dataset.saving);
    return fetch(saveUrl, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.json().then(function (body) { return { response: response, body: body }; });
      })
      .then(function (result) {
        var body = result.body;
        if (result.response.ok) {
          var version = form.querySelector("[name='v-" + key + "']");
          if (version) { version.value = body.version; }
          showError(container, "");
          status(container, form.dataset.saved);
          applyLayout(body);
        } else {
          status(container, "", true);
          showError(container, body.error);
          if (body.visible) { applyLayout(body); }
        }
      })
      .catch(function () { status(container, form.dataset.offline, true); });
  }

  function enqueue(container) {
    clearTimeout(timers[container.dataset.item]);
    delete timers[container.dataset.item];
    queue = queue.then(function () { return save(container); });
  }

  form.addEventListener("change", function (event) {
    var container = event.target.closest("[data-item]");
    if (container) { enqueue(container); }
  });
  // typing is saved after a pause, so that a closed window loses nothing
  form.addEventListener("input", function (event) {
    var target = event.target;
    if (target.type !== "text" && target.tagName !== "TEXTAREA") { return; }
    var container = target.closest("[data-item]");
    if (!container) { return; }
    clearTimeout(timers[container.dataset.item]);
    timers[container.dataset.item] = setTimeout(function () { enqueue(container); }, 800);
  });
  // a window closed within that pause still sends what was typed
  window.addEventListener("pagehide", function () {
    Object.keys(timers).forEach(function (key) {
      var container = form.querySelector("[data-item='" + key + "']");
      if (container && navigator.sendBeacon) { navigator.sendBeacon(saveUrl, fieldsOf(container)); }
    });
  });
})();
