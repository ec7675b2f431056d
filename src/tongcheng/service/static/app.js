/* tongcheng caseworker page: place suggestions, rows added and removed in place, dates and
   months checked as they are typed. The page works without this file; it only makes it quicker.
   No framework, no build. */
(function () {
  "use strict";
  var form = document.getElementById("situation-form");
  if (!form) return;
  var en = document.documentElement.lang === "en";
  var T = en ? {
    date: "expected a date as YYYY-MM-DD",
    month: "expected a month as YYYY-MM",
    realDate: "not a calendar date",
    realMonth: "month must be 01-12",
    before1900: "year before 1900",
    money: "expected an amount in yuan (a number, not negative)",
    count: "expected a whole number, not negative",
    toBeforeFrom: "month before 'from'",
    row: "row {n}"
  } : {
    date: "请按 年-月-日 填写,如 2025-06-01",
    month: "请按 年-月 填写,如 2016-01",
    realDate: "不是有效的日期",
    realMonth: "月份应为 01-12",
    before1900: "年份早于1900",
    money: "请填写金额(元,不能为负)",
    count: "请填写非负整数",
    toBeforeFrom: "截止月早于起始月",
    row: "第{n}行"
  };

  /* --- checks as typed ------------------------------------------------------------------- */

  function checkValue(kind, v, complete) {
    if (!v) return "";
    if (kind === "date" || kind === "month") {
      var full = kind === "date" ? /^\d{4}-\d{2}-\d{2}$/ : /^\d{4}-\d{2}$/;
      var partial = kind === "date" ? /^\d{0,4}(-\d{0,2}(-\d{0,2})?)?$/ : /^\d{0,4}(-\d{0,2})?$/;
      if (!full.test(v)) return (complete || !partial.test(v)) ? T[kind] : "";
      var y = +v.slice(0, 4), m = +v.slice(5, 7);
      if (m < 1 || m > 12) return T.realMonth;
      if (y < 1900) return T.before1900;
      if (kind === "date") {
        var d = +v.slice(8, 10), last = new Date(Date.UTC(y, m, 0)).getUTCDate();
        if (d < 1 || d > last) return T.realDate;
      }
      return "";
    }
    if (kind === "money") return /^\d+(\.\d+)?$/.test(v.replace(/[,，]/g, "")) ? "" : T.money;
    if (kind === "count") return /^\d+$/.test(v) ? "" : T.count;
    return "";
  }

  function showError(input, message) {
    var err = document.getElementById(input.id + "-err");
    if (!err) return;
    err.textContent = message;
    err.hidden = !message;
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    input.closest(".field").classList.toggle("has-error", !!message);
  }

  function checkInput(input, complete) {
    var kind = input.getAttribute("data-check");
    var message = checkValue(kind, input.value.trim(), complete);
    if (!message && kind === "month" && /\.to$/.test(input.name) && input.value.trim()) {
      var from = form.elements[input.name.replace(/\.to$/, ".from")];
      if (from && /^\d{4}-\d{2}$/.test(from.value.trim()) && input.value.trim() < from.value.trim())
        message = T.toBeforeFrom;
    }
    showError(input, message);
    return !message;
  }

  form.addEventListener("input", function (e) {
    var t = e.target;
    if (t.hasAttribute && t.hasAttribute("data-check")) checkInput(t, false);
    if (t.hasAttribute && t.hasAttribute("data-place")) suggest(t);
  });
  form.addEventListener("focusout", function (e) {
    var t = e.target;
    if (t.hasAttribute && t.hasAttribute("data-check")) checkInput(t, true);
  });
  form.addEventListener("submit", function (e) {
    var submitter = e.submitter;
    if (submitter && submitter.value && submitter.value.indexOf("evaluate") !== 0) return;
    var first = null;
    form.querySelectorAll("[data-check]").forEach(function (input) {
      if (!checkInput(input, true) && !first) first = input;
    });
    if (first) { e.preventDefault(); first.focus(); }
  });

  /* --- place suggestions from the registry ------------------------------------------------ */

  var list = document.getElementById("place-options");
  var pageLang = document.documentElement.lang === "en" ? "en" : "zh";
  var timer = null, asked = "";
  function suggest(input) {
    var q = input.value.trim();
    if (/\d{6}/.test(q) || q === asked) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      asked = q;
      if (!q) { list.innerHTML = ""; return; }
      fetch("/v1/places?limit=12&lang=" + pageLang + "&q=" + encodeURIComponent(q))
        .then(function (r) { return r.ok ? r.json() : { places: [] }; })
        .then(function (data) {
          if (asked !== q) return;
          list.innerHTML = "";
          data.places.forEach(function (p) {
            if (!p.current) return;
            var o = document.createElement("option");
            var name = p.name[pageLang] || p.name.zh || "";
            o.value = (name ? name + " " : "") + "(" + p.code + ")";
            list.appendChild(o);
          });
        })
        .catch(function () { /* suggestions are a convenience; typing still works */ });
    }, 120);
  }

  /* --- rows added and removed in place ------------------------------------------------------ */

  function renumber(section) {
    var path = section.getAttribute("data-list"), prefix = section.getAttribute("data-id-prefix");
    section.querySelectorAll("[data-rows] > [data-row]").forEach(function (row, j) {
      var old = row.getAttribute("data-index");
      if (String(j) === old) return;
      var swaps = [[path + "[" + old + "]", path + "[" + j + "]"],
                   [prefix + "-" + old + "-", prefix + "-" + j + "-"],
                   ["remove:" + path + ":" + old, "remove:" + path + ":" + j]];
      row.querySelectorAll("*").forEach(function (el) {
        ["name", "id", "for", "aria-describedby", "value"].forEach(function (a) {
          var v = el.getAttribute(a);
          if (v === null || (a === "value" && el.tagName !== "BUTTON")) return;
          swaps.forEach(function (s) { v = v.split(s[0]).join(s[1]); });
          el.setAttribute(a, v);
        });
      });
      row.setAttribute("data-index", String(j));
      row.querySelectorAll("[data-row-label]").forEach(function (l) {
        l.textContent = T.row.replace("{n}", String(j + 1));
      });
    });
  }

  form.addEventListener("click", function (e) {
    var add = e.target.closest("[data-add]"), remove = e.target.closest("[data-remove]");
    if (add) {
      e.preventDefault();
      var section = add.closest("[data-list]");
      var rows = section.querySelector("[data-rows]");
      var n = rows.querySelectorAll(":scope > [data-row]").length;
      var html = section.querySelector("template[data-row-template]").innerHTML
        .split("__i__").join(String(n)).split("__n__").join(String(n + 1));
      rows.insertAdjacentHTML("beforeend", html);
      var none = section.querySelector("[data-none]");
      if (none) none.checked = false;
      var fresh = rows.lastElementChild.querySelector("input[type=text], select");
      if (fresh) fresh.focus();
    } else if (remove) {
      e.preventDefault();
      var row = remove.closest("[data-row]"), sec = remove.closest("[data-list]");
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber(sec);
      var target = next ? next.querySelector("input[type=text], select") : sec.querySelector("[data-add]");
      if (target) target.focus();
    }
  });

  /* --- language switch keeps what was typed --------------------------------------------------- */

  document.querySelectorAll("[data-lang-switch]").forEach(function (link) {
    link.addEventListener("click", function (e) {
      var typed = Array.prototype.some.call(form.elements, function (el) {
        return el.type === "text" && el.value.trim();
      });
      if (!typed && !form.querySelector("[name=_evaluated]")) return;
      e.preventDefault();
      var op = document.createElement("input");
      op.type = "hidden"; op.name = "_op"; op.value = "lang:" + link.getAttribute("data-lang-switch");
      form.appendChild(op);
      form.submit();
    });
  });

  /* --- a case loaded from a file: its text into the box, then loaded ------------------------ */

  var caseFile = document.querySelector("[data-case-file]");
  if (caseFile) {
    caseFile.addEventListener("change", function () {
      var file = caseFile.files && caseFile.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        document.getElementById("f-case").value = String(reader.result);
        document.getElementById("import").click();
      };
      reader.readAsText(file);
    });
  }

  /* --- a link to a field inside a folded section unfolds it ----------------------------------- */

  function unfold(id) {
    var target = id && document.getElementById(id);
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    return target;
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[href^='#']");
    if (!link) return;
    var target = unfold(link.getAttribute("href").slice(1));
    // the link still goes to its fragment; the field then takes the focus as well
    if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))
      setTimeout(function () { target.focus(); }, 0);
  });
  if (location.hash) unfold(location.hash.slice(1));

  /* --- after deciding, take the reader to the decisions (or to the problems) ----------------- */

  var landing = document.getElementById("problems") ||
    (document.querySelector("[data-as-of]") && document.getElementById("results-title"));
  if (landing) {
    landing.focus({ preventScroll: true });
    // on a narrow screen the decisions are below the form: bring their heading to the top
    if (landing.getBoundingClientRect().top > window.innerHeight / 2)
      landing.scrollIntoView({ block: "start" });
  }
})();

// The decision letter: the page's print stylesheet prints only the letter.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
