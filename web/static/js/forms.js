// forms.js: the task form's SpiffArena widgets, as a progressive
// enhancement of the form web/templates/form_fields.templ renders. Without
// it every field still works: numbers are typed plainly, a typeahead is a
// text input, a calculated field shows the value the server computed, and
// the server recomputes and checks everything at submit
// (internal/forms).
//
//   - formattedNumber (input[data-widget="formatted-number"]): thousands
//     separators while typing, data-decimals and data-allow-negative
//     honoured; the server strips the separators.
//   - calculated (output[data-widget="calculated"]): recomputed as the user
//     types, with the grammar of internal/forms/calc.go: numbers, names,
//     + - * / and parentheses; names are relative to the field's object
//     (then the root), "$." starts at the root, and missing values are 0.
//   - typeahead (input[data-widget="typeahead"]): suggestions from
//     GET {data-typeahead-url}{category}?prefix=…&limit=100, shown with
//     data-item-format ("{name} ({email})"); the chosen record is stored as
//     a JSON string in a hidden input that takes over the field's name.
//   - markdown (textarea[data-widget="markdown"]): a preview rendered and
//     sanitised by the server (POST {data-markdown-preview-url}).
//
// The <script> element that loads this file carries the two URLs. Content
// swapped in by htmx is set up through its htmx:load event. No inline
// script or style is used (Content-Security-Policy).
(function () {
  "use strict";

  var script = document.currentScript;
  var typeaheadURL = (script && script.dataset.typeaheadUrl) || "";
  var previewURL = (script && script.dataset.markdownPreviewUrl) || "";

  // ---- Numbers (internal/forms/number.go does the same on the server) ----

  function allDigits(s) {
    return /^[0-9]*$/.test(s);
  }

  // parseGrouped reads "-1,234.5" or "1234.5" and returns "-1234.5", or
  // null when the text is no number (commas must group by three).
  function parseGrouped(text) {
    var s = String(text).trim();
    var neg = false;
    if (s.charAt(0) === "-" || s.charAt(0) === "\u2212") {
      neg = true;
      s = s.slice(1);
    }
    var dot = s.indexOf(".");
    var intPart = dot < 0 ? s : s.slice(0, dot);
    var frac = dot < 0 ? "" : s.slice(dot + 1);
    if ((intPart === "" && frac === "") || !allDigits(frac)) {
      return null;
    }
    if (intPart.indexOf(",") >= 0) {
      var groups = intPart.split(",");
      if (groups[0] === "" || groups[0].length > 3 || !allDigits(groups[0])) {
        return null;
      }
      for (var i = 1; i < groups.length; i++) {
        if (groups[i].length !== 3 || !allDigits(groups[i])) {
          return null;
        }
      }
      intPart = groups.join("");
    } else if (!allDigits(intPart)) {
      return null;
    }
    intPart = intPart.replace(/^0+/, "") || "0";
    var out = intPart;
    if (frac !== "") {
      out += "." + frac;
    }
    if (neg && /[1-9]/.test(out)) {
      out = "-" + out;
    }
    return out;
  }

  function groupDigits(digits) {
    var out = "";
    for (var i = 0; i < digits.length; i++) {
      if (i > 0 && (digits.length - i) % 3 === 0) {
        out += ",";
      }
      out += digits.charAt(i);
    }
    return out;
  }

  // roundTo rounds half away from zero, as forms.roundTo does.
  function roundTo(v, decimals) {
    var p = Math.pow(10, decimals);
    var r = Math.floor(Math.abs(v) * p + 0.5) / p;
    return v < 0 ? -r : r;
  }

  // plain is the decimal text of a number, without exponent.
  function plain(v) {
    var s = String(v);
    if (/e/i.test(s)) {
      s = v.toFixed(20).replace(/\.?0+$/, "");
    }
    return s;
  }

  // formatGrouped shows canonical number text with separators, rounded or
  // padded to decimals places (-1: as it is).
  function formatGrouped(canonical, decimals) {
    if (decimals >= 0) {
      var f = Number(canonical);
      if (isFinite(f)) {
        canonical = roundTo(f, decimals).toFixed(decimals);
      }
    }
    var neg = canonical.charAt(0) === "-";
    if (neg) {
      canonical = canonical.slice(1);
    }
    var dot = canonical.indexOf(".");
    var intPart = dot < 0 ? canonical : canonical.slice(0, dot);
    var out = (neg && /[1-9]/.test(canonical) ? "-" : "") + groupDigits(intPart);
    if (dot >= 0) {
      out += canonical.slice(dot);
    }
    return out;
  }

  function numberOptions(input) {
    var d = input.dataset.decimals;
    return {
      decimals: d === undefined || d === "" ? -1 : Number(d),
      negative: input.dataset.allowNegative !== "false",
    };
  }

  function isSignificant(ch) {
    return (ch >= "0" && ch <= "9") || ch === "." || ch === "-" || ch === "\u2212";
  }

  // formatTyped reformats what the user is typing: it keeps digits, one
  // decimal point (with at most decimals digits after it) and a leading
  // minus when allowed, groups the thousands, and returns the new text and
  // where the caret goes.
  function formatTyped(value, caret, o) {
    var kept = []; // {ch, before: typed before the caret}
    var seenDot = false;
    var fracLen = 0;
    for (var i = 0; i < value.length; i++) {
      var ch = value.charAt(i);
      if (!isSignificant(ch)) {
        continue;
      }
      var keep = false;
      if (ch === "-" || ch === "\u2212") {
        ch = "-";
        keep = o.negative && kept.length === 0;
      } else if (ch === ".") {
        keep = !seenDot;
        seenDot = true;
      } else if (seenDot) {
        // Digits past the limit are dropped as SpiffArena does; with no
        // decimals allowed they stay, for the server to refuse, so that
        // "12.5" never silently becomes 125.
        keep = o.decimals <= 0 || fracLen < o.decimals;
        if (keep) {
          fracLen++;
        }
      } else {
        keep = true;
      }
      if (keep) {
        kept.push({ ch: ch, before: i < caret });
      }
    }
    // Leading zeros of the whole part go (one stays before a point).
    var start = kept.length > 0 && kept[0].ch === "-" ? 1 : 0;
    while (kept.length > start + 1 && kept[start].ch === "0" && kept[start + 1].ch !== ".") {
      kept.splice(start, 1);
    }
    var sign = start === 1 ? "-" : "";
    var intDigits = "";
    var rest = "";
    var inFrac = false;
    var before = 0;
    for (var j = 0; j < kept.length; j++) {
      if (kept[j].before) {
        before++;
      }
      if (j < start) {
        continue;
      }
      if (kept[j].ch === ".") {
        inFrac = true;
      }
      if (inFrac) {
        rest += kept[j].ch;
      } else {
        intDigits += kept[j].ch;
      }
    }
    var text = sign + groupDigits(intDigits) + rest;
    // The caret goes after the same number of significant characters.
    var pos = 0;
    var count = 0;
    while (pos < text.length && count < before) {
      if (isSignificant(text.charAt(pos))) {
        count++;
      }
      pos++;
    }
    return { text: text, caret: pos };
  }

  function onNumberInput(input) {
    var caret = input.selectionStart === null ? input.value.length : input.selectionStart;
    var r = formatTyped(input.value, caret, numberOptions(input));
    if (r.text !== input.value) {
      input.value = r.text;
      if (document.activeElement === input) {
        input.setSelectionRange(r.caret, r.caret);
      }
    }
  }

  // On leaving the field a valid number is shown with its decimals.
  function onNumberBlur(input) {
    var o = numberOptions(input);
    var c = parseGrouped(input.value);
    if (c !== null && input.value.trim() !== "") {
      input.value = formatGrouped(c, o.decimals);
    }
  }

  // ---- Calculated fields (internal/forms/calc.go) ----

  // Paths join keys with "."; a "." or "~" inside a key is "~1" or "~0".
  function escapeKey(k) {
    return k.replace(/~/g, "~0").replace(/\./g, "~1");
  }

  function joinPath(base, names) {
    var segs = names.split(".").map(escapeKey);
    return (base ? base + "." : "") + segs.join(".");
  }

  function parentPath(path) {
    var i = path.lastIndexOf(".");
    return i < 0 ? "" : path.slice(0, i);
  }

  function toNumber(v) {
    if (v === undefined || v === null || v === "") {
      return 0;
    }
    if (typeof v === "number") {
      return isFinite(v) ? v : 0;
    }
    var c = parseGrouped(v);
    if (c === null) {
      return 0;
    }
    var n = Number(c);
    return isFinite(n) ? n : 0;
  }

  // evaluate parses and computes an expression; lookup(name, fromRoot)
  // gives a name's value. It returns NaN for a division by zero and throws
  // on a malformed expression.
  function evaluate(src, lookup) {
    var pos = 0;
    function space() {
      while (pos < src.length && src.charAt(pos) === " ") {
        pos++;
      }
    }
    function sum() {
      var v = product();
      for (;;) {
        space();
        var op = src.charAt(pos);
        if (op !== "+" && op !== "-") {
          return v;
        }
        pos++;
        var w = product();
        v = op === "+" ? v + w : v - w;
      }
    }
    function product() {
      var v = unary();
      for (;;) {
        space();
        var op = src.charAt(pos);
        if (op !== "*" && op !== "/") {
          return v;
        }
        pos++;
        var w = unary();
        if (op === "*") {
          v *= w;
        } else {
          v = w === 0 ? NaN : v / w;
        }
      }
    }
    function unary() {
      space();
      if (src.charAt(pos) === "-") {
        pos++;
        return -unary();
      }
      if (src.charAt(pos) === "+") {
        pos++;
        return unary();
      }
      return atom();
    }
    function atom() {
      space();
      if (pos >= src.length) {
        throw new Error("expression ends too early");
      }
      var c = src.charAt(pos);
      var m;
      if (c === "(") {
        pos++;
        var v = sum();
        space();
        if (src.charAt(pos) !== ")") {
          throw new Error("missing )");
        }
        pos++;
        return v;
      }
      if ((m = /^[0-9.]+/.exec(src.slice(pos)))) {
        pos += m[0].length;
        if (!/^(\d+\.?\d*|\.\d+)$/.test(m[0])) {
          throw new Error("bad number " + m[0]);
        }
        return Number(m[0]);
      }
      if ((m = /^[$_A-Za-z][$_A-Za-z0-9.]*/.exec(src.slice(pos)))) {
        pos += m[0].length;
        return lookup(m[0]);
      }
      throw new Error("unexpected " + c);
    }
    var result = sum();
    space();
    if (pos < src.length) {
      throw new Error("unexpected " + src.slice(pos));
    }
    return result;
  }

  var currencySymbols = { USD: "$", EUR: "\u20ac", GBP: "\u00a3", JPY: "\u00a5", INR: "\u20b9" };

  // calculatedDisplay is forms.calculatedDisplay.
  function calculatedDisplay(v, out) {
    if (v === undefined || !isFinite(v)) {
      return "";
    }
    var d = out.dataset.decimals;
    var decimals = d === undefined || d === "" || isNaN(Number(d)) ? -1 : Math.max(0, Math.floor(Number(d)));
    if (out.dataset.format !== "currency") {
      return formatGrouped(plain(v), decimals);
    }
    if (decimals < 0) {
      decimals = 2;
    }
    var code = (out.dataset.currency || "").trim().toUpperCase() || "USD";
    var amount = formatGrouped(plain(v), decimals);
    var sign = "";
    if (amount.charAt(0) === "-") {
      sign = "-";
      amount = amount.slice(1);
    }
    if (Object.prototype.hasOwnProperty.call(currencySymbols, code)) {
      return sign + currencySymbols[code] + amount;
    }
    return sign + code + " " + amount;
  }

  // fieldValue is the value a field of form would submit: undefined when
  // no field has that name or its value is empty.
  function fieldValue(form, name) {
    var els = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    var v;
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) {
          v = el.value;
        }
      } else if (!(el.type === "hidden" && i + 1 < els.length)) {
        v = el.value;
      }
    }
    return v === "" ? undefined : v;
  }

  function recalculate(form) {
    var outputs = form.querySelectorAll('output[data-widget="calculated"][data-expression]');
    if (outputs.length === 0) {
      return;
    }
    var computed = {};
    function value(path) {
      if (Object.prototype.hasOwnProperty.call(computed, path)) {
        return computed[path];
      }
      return fieldValue(form, path);
    }
    for (var pass = 0; pass <= outputs.length; pass++) {
      var changed = false;
      for (var i = 0; i < outputs.length; i++) {
        var out = outputs[i];
        var path = out.dataset.path;
        var local = parentPath(path);
        var v;
        try {
          v = evaluate(out.dataset.expression, function (name) {
            if (name.slice(0, 2) === "$.") {
              return toNumber(value(joinPath("", name.slice(2))));
            }
            var lv = value(joinPath(local, name));
            if (lv === undefined) {
              lv = value(joinPath("", name));
            }
            return toNumber(lv);
          });
        } catch (e) {
          v = undefined; // the server reports the expression at submit
        }
        if (v !== undefined && isFinite(v) && out.dataset.decimals !== undefined && out.dataset.decimals !== "") {
          v = roundTo(v, Math.max(0, Math.floor(Number(out.dataset.decimals))));
        }
        if (v !== undefined && !isFinite(v)) {
          v = undefined;
        }
        if (computed[path] !== v) {
          computed[path] = v;
          changed = true;
        }
      }
      if (!changed) {
        break;
      }
    }
    for (var k = 0; k < outputs.length; k++) {
      var text = calculatedDisplay(computed[outputs[k].dataset.path], outputs[k]);
      if (outputs[k].textContent !== text) {
        outputs[k].textContent = text;
      }
    }
  }

  // ---- Typeahead ----

  function parseRecord(text) {
    if (!text) {
      return null;
    }
    try {
      var v = JSON.parse(text);
      return v !== null && typeof v === "object" && !Array.isArray(v) ? v : null;
    } catch (e) {
      return null;
    }
  }

  // formatItem fills itemFormat's {key} placeholders from a record.
  function formatItem(format, item) {
    if (!format) {
      return String(item.label || item.name || JSON.stringify(item));
    }
    return format.replace(/\{([^{}]+)\}/g, function (_, key) {
      var v = item[key];
      return v === undefined || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    });
  }

  function debounce(fn, ms) {
    var timer;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function initTypeahead(input) {
    if (!typeaheadURL || input.dataset.typeaheadReady) {
      return;
    }
    input.dataset.typeaheadReady = "true";
    var format = input.dataset.itemFormat || "";
    var category = input.dataset.category || "";
    var record = parseRecord(input.value);

    // The chosen record is what the form submits; the visible box only
    // searches.
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = input.name;
    hidden.value = input.value;
    hidden.id = input.id + "-value";
    hidden.dataset.typeaheadValue = "true";
    input.removeAttribute("name");
    input.insertAdjacentElement("afterend", hidden);
    if (record) {
      input.value = formatItem(format, record);
    }
    var chosenText = input.value;
    if (input.readOnly) {
      return;
    }

    var list = document.createElement("ul");
    list.id = input.id + "-listbox";
    list.className = "typeahead-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    var status = document.createElement("p");
    status.id = input.id + "-status";
    status.className = "typeahead-status";
    status.setAttribute("aria-live", "polite");
    hidden.insertAdjacentElement("afterend", status);
    hidden.insertAdjacentElement("afterend", list);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");
    if (!input.placeholder && category) {
      input.placeholder = "Start typing to search for " + category + "\u2026";
    }

    var items = [];
    var active = -1;
    var asked = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(i) {
      var options = list.children;
      for (var k = 0; k < options.length; k++) {
        options[k].setAttribute("aria-selected", k === i ? "true" : "false");
      }
      active = i;
      if (i >= 0 && options[i]) {
        input.setAttribute("aria-activedescendant", options[i].id);
        options[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(i) {
      var item = items[i];
      if (!item) {
        return;
      }
      hidden.value = JSON.stringify(item);
      chosenText = formatItem(format, item);
      input.value = chosenText;
      status.textContent = "";
      close();
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(result) {
      items = Array.isArray(result) ? result.filter(function (e) { return e !== null && typeof e === "object"; }) : [];
      list.textContent = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = formatItem(format, item);
        li.addEventListener("mousedown", function (e) {
          e.preventDefault(); // keep the focus in the box
          choose(i);
        });
        list.appendChild(li);
      });
      status.textContent = items.length === 0 ? "No matches." : "";
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length > 0 ? "true" : "false");
      active = -1;
    }

    var search = debounce(function () {
      var prefix = input.value.trim();
      if (!prefix) {
        close();
        status.textContent = "";
        return;
      }
      asked = prefix;
      var url = typeaheadURL + encodeURIComponent(category) + "?prefix=" + encodeURIComponent(prefix) + "&limit=100";
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (resp) {
          return resp.json().then(function (body) {
            return { ok: resp.ok, body: body };
          });
        })
        .then(function (r) {
          if (asked !== prefix) {
            return; // an answer to an older search
          }
          if (!r.ok) {
            close();
            status.textContent = (r.body && r.body.message) || "Suggestions are not available.";
            return;
          }
          show(r.body);
        })
        .catch(function () {
          if (asked === prefix) {
            close();
            status.textContent = "Suggestions are not available.";
          }
        });
    }, 200);

    input.addEventListener("input", function () {
      if (input.value !== chosenText) {
        hidden.value = ""; // only a chosen record is submitted
      }
      search();
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) {
        if (e.key === "ArrowDown" && input.value.trim()) {
          search();
        }
        return;
      }
      if (e.key === "ArrowDown") {
        e.preventDefault();
        highlight(Math.min(active + 1, items.length - 1));
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (e.key === "Enter") {
        if (active >= 0) {
          e.preventDefault(); // choose, do not submit
          choose(active);
        }
      } else if (e.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  // ---- Markdown preview ----

  function csrfToken(el) {
    try {
      var h = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      if (h["X-CSRF-Token"]) {
        return h["X-CSRF-Token"];
      }
    } catch (e) {
      // fall back to the form's field
    }
    var form = el.form;
    var field = form && form.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  function initMarkdown(textarea) {
    var preview = document.getElementById(textarea.id + "-preview");
    if (!previewURL || !preview || textarea.dataset.previewReady) {
      return;
    }
    textarea.dataset.previewReady = "true";
    preview.hidden = false;
    var asked = 0;
    function update() {
      var n = ++asked;
      if (!textarea.value.trim()) {
        preview.textContent = "";
        return;
      }
      var body = new URLSearchParams();
      body.set("markdown", textarea.value);
      fetch(previewURL, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRF-Token": csrfToken(textarea) },
        body: body,
      })
        .then(function (resp) {
          return resp.json();
        })
        .then(function (r) {
          if (n !== asked) {
            return;
          }
          // The server rendered and sanitised this HTML.
          preview.innerHTML = typeof r.html === "string" ? r.html : "";
        })
        .catch(function () {
          if (n === asked) {
            preview.textContent = "The preview is not available.";
          }
        });
    }
    textarea.addEventListener("input", debounce(update, 300));
    update();
  }

  // ---- Wiring ----

  function each(root, selector, fn) {
    if (root.matches && root.matches(selector)) {
      fn(root);
    }
    if (root.querySelectorAll) {
      root.querySelectorAll(selector).forEach(fn);
    }
  }

  function init(root) {
    each(root, 'input[data-widget="typeahead"]', initTypeahead);
    each(root, 'textarea[data-widget="markdown"]', initMarkdown);
    each(root, "form", recalculate);
    if (root.closest) {
      var form = root.closest("form");
      if (form) {
        recalculate(form);
      }
    }
  }

  document.addEventListener("input", function (e) {
    var t = e.target;
    if (t.matches && t.matches('input[data-widget="formatted-number"]')) {
      onNumberInput(t);
    }
    if (t.form) {
      recalculate(t.form);
    }
  });
  document.addEventListener("change", function (e) {
    if (e.target.form) {
      recalculate(e.target.form);
    }
  });
  document.addEventListener(
    "blur",
    function (e) {
      var t = e.target;
      if (t.matches && t.matches('input[data-widget="formatted-number"]')) {
        onNumberBlur(t);
        if (t.form) {
          recalculate(t.form);
        }
      }
    },
    true
  );
  document.addEventListener("htmx:load", function (e) {
    init(e.target);
  });
  init(document);

  // For tests in the browser.
  window.waymarkForms = {
    parseGrouped: parseGrouped,
    formatGrouped: formatGrouped,
    formatTyped: formatTyped,
    evaluate: evaluate,
  };
})();
