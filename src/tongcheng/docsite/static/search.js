// Client-side search over window.TONGCHENG_SEARCH (search-index.js): no server, no network.
(function () {
  "use strict";
  var entries = window.TONGCHENG_SEARCH || [];
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var none = document.getElementById("search-none");
  if (!input || !list) { return; }

  function fold(text) { return (text || "").toLowerCase(); }

  function score(entry, words) {
    var title = fold(entry.t), id = fold(entry.i), rest = fold(entry.s);
    var total = 0;
    for (var n = 0; n < words.length; n++) {
      var w = words[n];
      if (title.indexOf(w) === 0 || id.indexOf(w) === 0) { total += 3; }
      else if (title.indexOf(w) >= 0 || id.indexOf(w) >= 0) { total += 2; }
      else if (rest.indexOf(w) >= 0) { total += 1; }
      else { return 0; }
    }
    return total;
  }

  function show(query) {
    var words = fold(query).split(/\s+/).filter(Boolean);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!words.length) { none.hidden = true; return; }
    var hits = [];
    for (var i = 0; i < entries.length; i++) {
      var s = score(entries[i], words);
      if (s > 0) { hits.push([s, i]); }
    }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    none.hidden = hits.length > 0;
    hits.slice(0, 50).forEach(function (hit) {
      var e = entries[hit[1]];
      var li = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = e.k;
      var a = document.createElement("a");
      a.href = e.u;
      a.textContent = e.t;
      var id = document.createElement("code");
      id.className = "id";
      id.textContent = e.i;
      li.appendChild(kind);
      li.appendChild(a);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(id);
      list.appendChild(li);
    });
  }

  var params = new URLSearchParams(window.location.search);
  if (params.get("q")) { input.value = params.get("q"); }
  show(input.value);
  input.addEventListener("input", function () { show(input.value); });
  document.getElementById("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    show(input.value);
  });
})();
