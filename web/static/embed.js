// Shows the practice's booking page on another website, in a frame that
// grows with its content. Include it where the booking page should be:
//
//   <script src="https://<this service>/embed.js" async></script>
//
// or, for a button that opens it over the page:
//
//   <script src="https://<this service>/embed.js" data-consult="popup"
//     data-label="Book a free consultation" async></script>
//
// data-lang="de" (or fr, es, en) shows the booking page in that language;
// without it, the page follows the visitor's browser.
//
// The framed page tells its height with postMessage; only messages from
// this service's origin, from one of the frames made here, are read.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src).origin;
  var frames = [];

  function makeFrame() {
    var f = document.createElement("iframe");
    var lang = script.getAttribute("data-lang");
    f.src = origin + "/embed/book" + (/^(en|de|fr|es)$/.test(lang || "") ? "?lang=" + lang : "");
    f.title = script.getAttribute("data-title") || "Book a free consultation";
    f.setAttribute("data-consult-frame", "");
    f.style.width = "100%";
    f.style.border = "0";
    f.style.minHeight = "480px";
    f.style.display = "block";
    frames.push(f);
    return f;
  }

  window.addEventListener("message", function (ev) {
    if (ev.origin !== origin || !ev.data || ev.data.type !== "consult:height") return;
    var height = Math.round(Number(ev.data.height));
    if (!(height > 0)) return;
    frames.forEach(function (f) {
      if (f.contentWindow === ev.source) f.style.height = Math.min(Math.max(height, 200), 20000) + "px";
    });
  });

  if (script.getAttribute("data-consult") !== "popup") {
    script.parentNode.insertBefore(makeFrame(), script.nextSibling);
    return;
  }

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = script.getAttribute("data-label") || "Book a free consultation";
  button.setAttribute("data-consult-open", "");
  script.parentNode.insertBefore(button, script.nextSibling);
  var dialog = null;
  button.addEventListener("click", function () {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.setAttribute("aria-label", button.textContent);
      dialog.style.width = "min(46rem, 96vw)";
      dialog.style.maxHeight = "92vh";
      dialog.style.padding = "0";
      dialog.style.border = "0";
      dialog.style.borderRadius = "8px";
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = "Close";
      close.style.float = "right";
      close.style.margin = "8px";
      close.addEventListener("click", function () { dialog.close(); });
      dialog.appendChild(close);
      dialog.appendChild(makeFrame());
      document.body.appendChild(dialog);
    }
    dialog.showModal();
  });
})();
