/* Verify Online, enhanced. The form works without this file; with it, the page submits to
 * the JSON API, keeps the status token in sessionStorage (this tab only, never a URL) and
 * polls for progress. Data from the server is only ever set with textContent. */
(function () {
  "use strict";
  var stringsNode = document.getElementById("verify-strings");
  if (!stringsNode) return;
  var S = JSON.parse(stringsNode.textContent);
  var lang = document.documentElement.lang || "en";
  var STORE = "verifier.pending";
  /* sessionStorage can be refused (a third-party iframe, private modes): then the token
   * lives only in this page's memory, which is fine until a reload. */
  var memory = null;
  var store = {
    get: function () { try { return sessionStorage.getItem(STORE) || memory; } catch (e) { return memory; } },
    set: function (v) { memory = v; try { sessionStorage.setItem(STORE, v); } catch (e) { /* memory only */ } },
    drop: function () { memory = null; try { sessionStorage.removeItem(STORE); } catch (e) { /* nothing kept */ } }
  };

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function say(key, fields) {
    var text = S[key] || key;
    Object.keys(fields || {}).forEach(function (k) { text = text.split("{" + k + "}").join(String(fields[k])); });
    return text;
  }
  function el(tag, text) { var node = document.createElement(tag); if (text != null) node.textContent = text; return node; }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function embedded() { return document.body.classList.contains("embed"); }

  $$(".js-only").forEach(function (node) { node.hidden = false; });
  $$(".r-print").forEach(function (b) { b.addEventListener("click", function () { window.print(); }); });
  window.addEventListener("beforeprint", function () { $$("details").forEach(function (d) { d.open = true; }); });

  function closeWidget() { if (window.parent !== window) window.parent.postMessage({ type: "verifier:close" }, "*"); }
  if (embedded()) document.addEventListener("keydown", function (e) { if (e.key === "Escape") closeWidget(); });

  /* --- the payer picker: a search box over the plain <select>, fed by /api/v1/payers --- */
  var select = document.getElementById("f-payer_id");
  var search = document.getElementById("payer-search");
  if (select && search) {
    $(".payer-search").hidden = false;
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch("/api/v1/payers?q=" + encodeURIComponent(search.value.trim()), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (payers) {
            var chosen = select.value;
            while (select.options.length > 1) select.remove(1);
            payers.forEach(function (p) {
              var option = el("option", p.name); option.value = p.id;
              if (p.id === chosen) option.selected = true;
              select.appendChild(option);
            });
            if (payers.length === 1) select.value = payers[0].id;
            $("#payer-count").textContent = say("payer_matches", { count: payers.length });
          })
          .catch(function () {});
      }, 200);
    });
  }

  /* --- the policyholder's fields only when the patient is not the policyholder --- */
  var subscriber = $(".subscriber");
  function syncSubscriber() {
    var checked = $("input[name='member.relationship']:checked");
    if (subscriber) subscriber.hidden = !checked || checked.value === "self";
  }
  $$("input[name='member.relationship']").forEach(function (r) { r.addEventListener("change", syncSubscriber); });
  syncSubscriber();

  /* --- errors from the server's validation, next to each field and in a summary --- */
  function kind(name, messages) {
    if (name === "member.subscriber") return [S["error.subscriber"]];
    var table = S.schema_messages || {};
    return messages.map(function (m) { return m === S.schema_required ? S["error.required"] : (table[m] || m); });
  }
  function clearErrors(form) {
    $$("[data-error-for]", form).forEach(function (p) { p.hidden = true; p.textContent = ""; });
    $$("[aria-invalid]", form).forEach(function (n) { n.removeAttribute("aria-invalid"); });
    $$(".has-error", form).forEach(function (n) { n.classList.remove("has-error"); });
    var summary = $(".error-summary", form);
    if (summary) summary.hidden = true;
  }
  function showErrors(form, errors, labels) {
    var summary = $(".error-summary", form);
    var list = summary ? $("ul", summary) : null;
    if (list) clear(list);
    var names = Object.keys(errors);
    names.forEach(function (name) {
      var words = kind(name, errors[name]).join(" ");
      var slot = $("[data-error-for='" + name + "']", form);
      var input = form.elements[name];
      if (slot) { slot.textContent = words; slot.hidden = false; }
      var target = input && input.nodeType ? input : (input && input[0]);
      if (target) { target.setAttribute("aria-invalid", "true"); }
      var wrap = slot ? slot.closest(".field, fieldset") : null;
      if (wrap) wrap.classList.add("has-error");
      if (list) {
        var link = el("a", (labels[name] ? labels[name] + ": " : "") + words);
        var id = slot ? slot.id.replace(/-error$/, "") : "";
        link.href = "#" + id;
        link.addEventListener("click", function (e) {
          var focusable = target || document.getElementById(id);
          if (focusable) { e.preventDefault(); focusable.focus(); }
        });
        var item = el("li"); item.appendChild(link); list.appendChild(item);
      }
    });
    if (summary) {
      $("h2", summary).textContent = say("errors_title", { count: names.length });
      summary.hidden = false;
      summary.focus();
    }
  }

  /* --- the form as the API's JSON body (the same rules as verifier/web/forms.py) --- */
  var TEXT = ["member.first_name", "member.last_name", "member.date_of_birth", "member.member_id",
    "member.group_number", "member.relationship", "member.subscriber.first_name",
    "member.subscriber.last_name", "member.subscriber.date_of_birth", "payer_id", "level_of_care",
    "condition", "contact.phone", "contact.email", "contact.best_time"];
  function put(body, dotted, value) {
    var keys = dotted.split("."), target = body;
    keys.slice(0, -1).forEach(function (k) { target = target[k] = target[k] || {}; });
    target[keys[keys.length - 1]] = value;
  }
  function bodyOf(form) {
    var body = {}, data = new FormData(form);
    var selfInsured = (data.get("member.relationship") || "self") === "self";
    TEXT.forEach(function (name) {
      var value = String(data.get(name) || "").trim();
      if (!value || (selfInsured && name.indexOf("member.subscriber.") === 0)) return;
      put(body, name, value);
    });
    if (data.get("contact.callback_requested")) put(body, "contact.callback_requested", true);
    body.consent = !!data.get("consent");
    body.language = lang;
    if (part2Program()) {
      body.part2_consent = { version: String(data.get("part2_consent.version") || ""), agreed: !!data.get("part2_consent.agreed"), language: lang };
      var signature = String(data.get("part2_consent.signature") || "").trim();
      if (signature) body.part2_consent.signature = signature;
    }
    return body;
  }

  /* --- 42 CFR Part 2: the written consent only for the facility's Part 2 programs --- */
  var part2 = document.getElementById("part2-consent");
  function checkedValue(name, fallback) {
    var node = $("input[name='" + name + "']:checked");
    return node ? node.value : fallback;
  }
  function part2Program() {
    if (!part2) return false;
    var programs = (part2.getAttribute("data-programs") || "").split(" ");
    return programs.indexOf(checkedValue("level_of_care", "iop") + "/" + checkedValue("condition", "mental_health")) >= 0;
  }
  function fillConsent() {
    var payer = select && select.value ? select.options[select.selectedIndex].text : "";
    var first = ($("[name='member.first_name']") || {}).value || "";
    var last = ($("[name='member.last_name']") || {}).value || "";
    var patient = (first.trim() + " " + last.trim()).trim();
    var names = JSON.parse(part2.getAttribute("data-program-names") || "{}");
    var program = names[checkedValue("level_of_care", "iop")] || "";
    $$("[data-template]", part2).forEach(function (item) {
      var words = $(".p2-words", item);
      var text = item.getAttribute("data-template");
      if (text.indexOf("{payer}") >= 0 && !payer) return;
      if (text.indexOf("{patient}") >= 0 && !patient) return;
      words.textContent = text.split("{payer}").join(payer).split("{patient}").join(patient).split("{program}").join(program);
    });
  }
  function syncPart2() {
    if (!part2) return;
    part2.hidden = !part2Program();
    $$(".part2-when", part2).forEach(function (n) { n.hidden = true; });
    fillConsent();
  }
  if (part2) {
    $$("input[name='level_of_care'], input[name='condition']").forEach(function (r) { r.addEventListener("change", syncPart2); });
    ["member.first_name", "member.last_name"].forEach(function (n) { var i = $("[name='" + n + "']"); if (i) i.addEventListener("input", fillConsent); });
    if (select) select.addEventListener("change", fillConsent);
    syncPart2();
  }

  /* --- progress and result, drawn from /verify/status/<id> (plain text, ready words) --- */
  var result = $("#result");
  var flow = $("#verify-flow");
  var lastState = null;
  function render(page) {
    result.hidden = false;
    if (flow) flow.hidden = true;
    result.setAttribute("data-state", page.status);
    $(".r-headline", result).textContent = page.headline;
    $(".r-progress", result).hidden = page.final;
    var words = $(".r-words", result); clear(words);
    page.words.forEach(function (line) { words.appendChild(el("p", line)); });
    var facts = $(".r-facts", result); clear(facts);
    page.facts.forEach(function (fact) {
      var row = el("div"); row.appendChild(el("dt", fact[0])); row.appendChild(el("dd", fact[1])); facts.appendChild(row);
    });
    $(".r-details", result).hidden = page.facts.length === 0;
    var assumptions = $(".r-assumptions", result);
    var list = $("ul", assumptions); clear(list);
    page.assumptions.forEach(function (line) { list.appendChild(el("li", line)); });
    assumptions.hidden = page.assumptions.length === 0;
    var nextLines = $(".r-next-lines", result); clear(nextLines);
    page.next.forEach(function (line) { nextLines.appendChild(el("p", line)); });
    $(".r-next", result).hidden = page.next.length === 0;
    var offer = $(".r-callback", result);
    offer.hidden = !page.offer_callback;
    var cb = $(".callback-form", offer);
    if (cb && page.id) {
      cb.setAttribute("action", "/verify/result/" + encodeURIComponent(page.id) + "/callback?lang=" + lang);
      var known = page.contact_known;
      $(".cb-known", cb).textContent = known ? say("callback_known", { last4: known }) : "";
      $(".cb-known", cb).hidden = !known;
      $(".cb-fields", cb).hidden = !!known;
      $(".cb-confirm", cb).hidden = !known;
      $(".cb-submit", cb).hidden = !!known;
    }
    var again = $(".r-again", result);
    if (again) again.hidden = !page.final;
    var againForm = $(".r-again-form", result);
    if (againForm) {
      againForm.hidden = !(page.final && page.try_again);
      if (page.id) againForm.setAttribute("action", "/verify/result/" + encodeURIComponent(page.id) + "/again?lang=" + lang);
    }
    if (lastState !== page.status) { $(".r-headline", result).focus(); lastState = page.status; }
  }
  function renderMessage(text) {
    render({ id: "", status: "error", final: true, headline: text, words: [], facts: [], assumptions: [], next: [], offer_callback: false, try_again: false });
  }
  function poll(pending, delay) {
    fetch("/verify/status/" + encodeURIComponent(pending.id) + "?lang=" + lang, {
      headers: { "X-Status-Token": pending.token, Accept: "application/json" }, cache: "no-store"
    }).then(function (r) {
      if (r.status === 404) { store.drop(); renderMessage(S.expired); return; }
      if (r.status === 429) { var wait = Number(r.headers.get("Retry-After") || 10); setTimeout(function () { poll(pending, delay); }, wait * 1000); return; }
      if (!r.ok) throw new Error("status " + r.status);
      return r.json().then(function (page) {
        render(page);
        if (!page.final) setTimeout(function () { poll(pending, Math.min(delay * 1.3, 5000)); }, delay);
      });
    }).catch(function () { setTimeout(function () { poll(pending, Math.min(delay * 2, 10000)); }, delay); });
  }
  function pendingOf() { try { return JSON.parse(store.get() || "null"); } catch (e) { return null; } }

  var form = document.getElementById("verify-form");
  if (form && result) {
    var labels = JSON.parse($("#field-labels").textContent);
    var failure = $(".form-error", form);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearErrors(form); failure.hidden = true;
      var button = $("button[type=submit]", form); button.disabled = true;
      fetch("/api/v1/verifications", {
        method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(bodyOf(form)), credentials: "omit"
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          button.disabled = false;
          if (r.status === 202) {
            var pending = { id: data.id, token: data.token };
            store.set(JSON.stringify(pending));
            render({ id: data.id, status: "queued", final: false, headline: S.checking, words: [S.checking_hint], facts: [], assumptions: [], next: [], offer_callback: false, try_again: false });
            poll(pending, 1000);
          } else if (r.status === 422 && data.errors) {
            showErrors(form, data.errors, labels);
          } else if (r.status === 429) {
            var minutes = Math.max(1, Math.ceil(Number(r.headers.get("Retry-After") || 60) / 60));
            failure.textContent = say("too_many", { minutes: minutes, phone: S.facility_phone });
            failure.hidden = false;
          } else { failure.textContent = S["error.general"]; failure.hidden = false; }
        });
      }).catch(function () { button.disabled = false; failure.textContent = S["error.network"]; failure.hidden = false; });
    });
    /* "Check another insurance": a new, empty form (the old result is forgotten). */
    var again = $(".r-again", result);
    if (again) again.addEventListener("click", function () { store.drop(); });
    /* "Check the details and try again": the form with what they typed, minus the member id. */
    var againForm = $(".r-again-form", result);
    if (againForm) againForm.addEventListener("submit", function (e) {
      var pending = pendingOf();
      if (!pending) return;  /* a server-drawn result page: its cookie answers the post */
      e.preventDefault();
      fetch(againForm.getAttribute("action"), {
        method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json", "X-Status-Token": pending.token },
        body: "{}", credentials: "omit"
      }).then(function (r) {
        if (!r.ok) throw new Error("status " + r.status);
        return r.json();
      }).then(function (reply) {
        store.drop();
        form.reset();
        Object.keys(reply.values).forEach(function (name) {
          var input = form.elements[name];
          if (!input) return;
          if (input.nodeType) { input.value = reply.values[name]; return; }
          Array.prototype.forEach.call(input, function (r) { r.checked = r.value === reply.values[name]; });
        });
        form.elements["member.member_id"].value = "";
        syncSubscriber(); syncPart2();
        result.hidden = true; if (flow) flow.hidden = false; lastState = null;
        form.elements["member.member_id"].focus();
      }).catch(function () { store.drop(); window.location.href = "/verify?lang=" + lang; });
    });
    var resumed = pendingOf();
    if (resumed && resumed.id && resumed.token) poll(resumed, 500);
  }

  /* --- call-back forms: JSON to /verify/callback (works in a cross-site iframe too) --- */
  $$(".callback-form").forEach(function (cb) {
    cb.addEventListener("submit", function (e) {
      if (cb.getAttribute("data-tied") && !pendingOf()) return;  /* server-drawn: cookie */
      e.preventDefault();
      clearErrors(cb);
      var data = new FormData(cb), body = {};
      ["name", "phone", "email", "best_time"].forEach(function (k) { var v = String(data.get(k) || "").trim(); if (v) body[k] = v; });
      var headers = { "Content-Type": "application/json", Accept: "application/json" };
      var url = "/verify/callback?lang=" + lang;
      if (cb.getAttribute("data-tied")) {  /* tied to this check: the token proves it is theirs */
        var pending = pendingOf();
        if (pending) { headers["X-Status-Token"] = pending.token; url = cb.getAttribute("action"); }
      }
      fetch(url, {
        method: "POST", headers: headers, body: JSON.stringify(body), credentials: "omit"
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (reply) {
          if (r.status === 201) {
            $$(".field, button, .hint, .cb-known", cb).forEach(function (n) { n.hidden = true; });
            var done = $(".callback-done", cb); done.hidden = false; done.setAttribute("tabindex", "-1");
            if (reply.message) {
              done.textContent = reply.message;
              var promise = $("#result .r-next-lines");  /* what happens next, now true */
              if (promise && cb.getAttribute("data-tied")) { clear(promise); promise.appendChild(el("p", reply.message)); }
            }
            done.focus();
          } else if (reply.errors) {
            showErrors(cb, reply.errors, { name: S.callback_name, phone: S.phone, email: S.email, best_time: S.best_time });
          }
        });
      });
    });
  });
})();
