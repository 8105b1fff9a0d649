// Follows a report build: asks for its progress every two seconds until it is finished.
(function () {
  "use strict";
  var box = document.getElementById("build");
  if (!box || box.dataset.finished === "1") { return; }
  var refresh = document.getElementById("build-refresh");
  if (refresh) { refresh.hidden = true; }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        document.getElementById("build-progress").value = status.progress;
        document.getElementById("build-step").textContent = status.step;
        if (status.finished) {
          if (status.state === "done") { document.getElementById("build-download").hidden = false; }
          else { window.location.reload(); }
        } else {
          setTimeout(poll, 2000);
        }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
