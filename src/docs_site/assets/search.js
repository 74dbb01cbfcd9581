// kpic docs: the index page's search over the index embedded in the page
// (#search-index). Every word typed must occur in a KPI's name, id, category or
// attributes; matches in the name rank first. `index.html?q=words` searches on load.
// Results are built with textContent only: catalog text never becomes markup.
(function () {
  "use strict";
  var data = document.getElementById("search-index");
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  var status = document.getElementById("search-status");
  if (!data || !input || !results || !status) {
    return;
  }
  var entries = JSON.parse(data.textContent);
  entries.forEach(function (e) {
    e.head = (e.name + " " + e.id + " " + e.category).toLowerCase();
  });

  function search(query) {
    var words = query.toLowerCase().split(/\s+/).filter(function (w) {
      return w.length > 0;
    });
    while (results.firstChild) {
      results.removeChild(results.firstChild);
    }
    if (words.length === 0) {
      status.textContent = "";
      return;
    }
    var found = [];
    entries.forEach(function (e) {
      var inHead = 0;
      var all = words.every(function (w) {
        if (e.head.indexOf(w) >= 0) {
          inHead += 1;
          return true;
        }
        return e.text.indexOf(w) >= 0;
      });
      if (all) {
        found.push({ entry: e, score: inHead });
      }
    });
    found.sort(function (a, b) {
      return b.score - a.score;
    });
    status.textContent =
      found.length === 0
        ? "No KPI matches."
        : found.length + (found.length === 1 ? " KPI matches." : " KPIs match.");
    found.forEach(function (f) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = f.entry.url;
      a.textContent = f.entry.name;
      var cat = document.createElement("span");
      cat.className = "category";
      cat.textContent = " — " + f.entry.category;
      var summary = document.createElement("div");
      summary.className = "summary";
      summary.textContent = f.entry.summary;
      li.appendChild(a);
      li.appendChild(cat);
      li.appendChild(summary);
      results.appendChild(li);
    });
  }

  input.addEventListener("input", function () {
    search(input.value);
  });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) {
    input.value = initial;
    search(initial);
  }
})();
