/* Verify Online widget. Paste on your site:
 *   <script src="https://VERIFIER-HOST/widget.js" async data-label="Check my insurance"></script>
 * It adds a button (or uses any element with data-verifier-open) that opens /verify?embed=1
 * in an overlay iframe. Your site's origin must be listed in VERIFIER_WIDGET_ORIGINS.
 * No data passes through your page: the visitor's answers go straight to the verifier. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__verifierWidget) return;
  window.__verifierWidget = true;
  var origin = new URL(script.src, window.location.href).origin;
  var lang = script.getAttribute("data-lang");
  var label = script.getAttribute("data-label") || "Check your insurance benefits";
  var src = origin + "/verify?embed=1" + (lang ? "&lang=" + encodeURIComponent(lang) : "");
  var overlay = null, opener = null;

  function css(node, styles) { Object.keys(styles).forEach(function (k) { node.style[k] = styles[k]; }); return node; }

  function close() {
    if (!overlay) return;
    overlay.parentNode.removeChild(overlay);
    overlay = null;
    document.removeEventListener("keydown", onKey, true);
    if (opener) opener.focus();
  }
  function onKey(e) { if (e.key === "Escape") close(); }

  function open(e) {
    if (e) e.preventDefault();
    if (overlay) return;
    opener = document.activeElement;
    overlay = css(document.createElement("div"), {
      position: "fixed", inset: "0", background: "rgba(0,0,0,.55)", zIndex: "2147483000",
      display: "flex", alignItems: "center", justifyContent: "center"
    });
    overlay.setAttribute("role", "dialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-label", label);
    overlay.setAttribute("data-verifier-overlay", "");
    var box = css(document.createElement("div"), {
      position: "relative", width: "100%", maxWidth: "44rem", height: "100%", maxHeight: "56rem",
      background: "#fff", borderRadius: "8px", overflow: "hidden"
    });
    var shut = css(document.createElement("button"), {
      position: "absolute", top: ".4rem", right: ".4rem", zIndex: "1", font: "inherit",
      padding: ".4rem .8rem", border: "2px solid #1f5f5b", borderRadius: "6px", background: "#fff",
      color: "#1f5f5b", cursor: "pointer"
    });
    shut.type = "button";
    shut.textContent = "\u00d7";
    shut.setAttribute("aria-label", "Close");
    shut.addEventListener("click", close);
    var frame = css(document.createElement("iframe"), { width: "100%", height: "100%", border: "0" });
    frame.src = src;
    frame.title = label;
    frame.setAttribute("referrerpolicy", "no-referrer");
    box.appendChild(shut);
    box.appendChild(frame);
    overlay.appendChild(box);
    overlay.addEventListener("click", function (ev) { if (ev.target === overlay) close(); });
    document.body.appendChild(overlay);
    document.addEventListener("keydown", onKey, true);
    frame.focus();
  }

  window.addEventListener("message", function (e) {
    if (e.origin === origin && e.data && e.data.type === "verifier:close") close();
  });

  var triggers = document.querySelectorAll("[data-verifier-open]");
  if (triggers.length) {
    Array.prototype.forEach.call(triggers, function (t) { t.addEventListener("click", open); });
  } else {
    var button = css(document.createElement("button"), {
      font: "inherit", fontWeight: "600", padding: ".75rem 1.25rem", borderRadius: "6px",
      border: "2px solid #1f5f5b", background: "#1f5f5b", color: "#fff", cursor: "pointer"
    });
    button.type = "button";
    button.textContent = label;
    button.setAttribute("data-verifier-button", "");
    button.addEventListener("click", open);
    script.parentNode.insertBefore(button, script.nextSibling);
  }
})();
