// Progressive enhancement for the booking pages. Every step also works
// without this file: the day form and week links are plain GET requests and
// the booking is a plain POST. Here we detect the visitor's time zone, load
// a day's free times without a page reload, and announce them.
(function () {
  "use strict";

  // The words this script writes, in English; a page in another language
  // passes its own on the day form (data-text), the same fields from the
  // site's catalogue (api/site/script.go). {name} marks a placeholder.
  // A test compares this line with the English catalogue: keep it one line.
  var TEXT = {"lang":"en","days":["Sunday","Monday","Tuesday","Wednesday","Thursday","Friday","Saturday"],"daysShort":["Sun","Mon","Tue","Wed","Thu","Fri","Sat"],"months":["January","February","March","April","May","June","July","August","September","October","November","December"],"monthsShort":["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"],"dayLabel":"{weekday} {day} {month}","dayShort":"{day} {month}","placeTime":"{place} time","timesOne":"{n} time","timesOther":"{n} times","noTimes":"No times","prevWeek":"\u2190 Previous week","nextWeek":"Next week \u2192","freeOn":"Free times on {day}","shownInYours":"Times are shown in your time zone, {zone}, as your browser reports it.","shownIn":"Times are shown in {zone}.","noneThisDay":"There are no free times on this day. Please choose another day.","availableOne":"{n} time available on {day}.","availableOther":"{n} times available on {day}.","noneAvailable":"No times available on {day}.","loadFailed":"The times could not be loaded. Please use the Show times button.","yourZone":"Your time zone"};

  // In another website's frame: tell it this page's height, so the frame
  // grows and shrinks with it, and only the websites allowed to frame the
  // page (the server lists them) can hear it.
  var embedOrigins = (document.body.getAttribute("data-embed-origins") || "").split(" ").filter(Boolean);
  if (embedOrigins.length && window.parent !== window) {
    var tellHeight = function () {
      var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
      embedOrigins.forEach(function (o) { window.parent.postMessage({ type: "consult:height", height: height }, o); });
    };
    tellHeight();
    window.addEventListener("load", tellHeight);
    if (window.ResizeObserver) new ResizeObserver(tellHeight).observe(document.body);
  }

  // Move focus to the error summary so it is read out first (GOV.UK pattern).
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  // A second click on a submit button while the first is on its way would
  // send the form twice; the server books once anyway, but say so early.
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (form.dataset.sent) { ev.preventDefault(); return; }
      form.dataset.sent = "1";
      setTimeout(function () { delete form.dataset.sent; }, 8000);
    });
  });

  // While bookings come at an abnormal rate the server asks each request
  // for a proof of work (booking/proof): a number whose SHA-256 with the
  // challenge's salt is the challenge. It is solved in the background as
  // soon as the page loads, and the form waits for it if sent sooner.
  var proofField = document.querySelector("[data-proof-field]");
  if (proofField && window.fetch && window.crypto && crypto.subtle && window.TextEncoder) {
    var proofForm = proofField.form, proofDone = null, proofWaiting = false;
    var hex = function (buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
    };
    var solve = function (c) {
      var enc = new TextEncoder();
      function batch(from) {
        if (from > c.maxnumber) return Promise.reject(new Error("unsolved"));
        var tries = [];
        for (var n = from; n < from + 500 && n <= c.maxnumber; n++) {
          tries.push(crypto.subtle.digest("SHA-256", enc.encode(c.salt + n)));
        }
        return Promise.all(tries).then(function (sums) {
          for (var i = 0; i < sums.length; i++) if (hex(sums[i]) === c.challenge) return from + i;
          return batch(from + 500);
        });
      }
      return batch(0).then(function (n) {
        proofField.value = btoa(JSON.stringify({ algorithm: c.algorithm, challenge: c.challenge, number: n, salt: c.salt, signature: c.signature }));
      });
    };
    // ready is set once the proof is solved, or known not to be needed.
    var ready = false;
    proofDone = fetch("/api/v1/challenge", { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (c) { return c.required ? solve(c) : null; })
      .catch(function () { /* the server says so if a proof was needed */ })
      .then(function () { ready = true; });
    proofForm.addEventListener("submit", function (ev) {
      if (ready || proofWaiting) return;
      // Sent before the puzzle is solved: send it once it is.
      ev.preventDefault();
      ev.stopImmediatePropagation();
      proofWaiting = true;
      proofDone.then(function () { proofForm.submit(); });
    }, true);
  }

  // A page answering a POST (the form back with errors) puts the address
  // that shows it again by GET in its place in the history, so that
  // neither Back nor reload ever asks to send the form again.
  var again = document.querySelector("[data-again]");
  if (again && window.history && history.replaceState) {
    history.replaceState(null, "", again.getAttribute("data-again") + location.hash);
  }

  // Back from a booking, a move or a cancellation must not show the form
  // as it was sent, time chosen and details filled in, one click from
  // sending it again: the page of the change (data-done) tells this tab's
  // other pages, and a form page shown after it starts afresh. The
  // browser either loads the page again, and refills the fields it
  // remembers (undone by reset), or shows the page it kept (reloaded, for
  // a fresh idempotency key and the times free now).
  var tabStore = null;
  try { tabStore = window.sessionStorage; tabStore.getItem("consult.done"); } catch (e) { tabStore = null; }
  function afterChange() {
    return !!tabStore && !document.querySelector("[data-done]") && !!tabStore.getItem("consult.done") &&
      !!document.querySelector("form[data-slot-form]");
  }
  if (tabStore && document.querySelector("[data-done]")) tabStore.setItem("consult.done", "1");
  // On pageshow the browser has put back what it remembers.
  window.addEventListener("pageshow", function (ev) {
    if (!afterChange()) return;
    if (ev.persisted) { location.reload(); return; }
    tabStore.removeItem("consult.done");
    document.querySelectorAll("form[data-slot-form]").forEach(function (f) { f.reset(); });
  });

  var dayForm = document.querySelector("form[data-day-form]");
  if (!dayForm || !window.fetch || !window.Intl) return;
  if (dayForm.getAttribute("data-text")) {
    try { TEXT = JSON.parse(dayForm.getAttribute("data-text")); } catch (e) { /* the English stands */ }
  }
  // fill puts values into a text's {name} placeholders.
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? String(values[k]) : m; });
  }
  // plural picks the one or other form of a count, by the page language's rules.
  var pluralRules = null;
  try { pluralRules = new Intl.PluralRules(TEXT.lang); } catch (e) { pluralRules = null; }
  function plural(n, one, other, values) {
    var form = pluralRules ? pluralRules.select(n) : (n === 1 ? "one" : "other");
    values.n = n;
    return fill(form === "one" ? one : other, values);
  }

  var tzSelect = dayForm.querySelector("[data-tz-select]");
  var dateInput = dayForm.querySelector("[data-date-input]");
  var week = document.querySelector("[data-week]");
  var slots = document.querySelector("[data-slots]");
  var status = document.querySelector("[data-slots-status]");
  var action = dayForm.getAttribute("action").split("#")[0];
  var pending = 0;

  // Calendar dates are "YYYY-MM-DD" strings; arithmetic happens at noon UTC
  // so no zone or DST change can move the day.
  function toUTC(iso) { var p = iso.split("-"); return new Date(Date.UTC(+p[0], +p[1] - 1, +p[2], 12)); }
  function iso(d) { return d.toISOString().slice(0, 10); }
  function addDays(s, n) { var d = toUTC(s); d.setUTCDate(d.getUTCDate() + n); return iso(d); }
  function monday(s) { return addDays(s, -((toUTC(s).getUTCDay() + 6) % 7)); }
  function dayLabel(s) {
    var d = toUTC(s);
    return fill(TEXT.dayLabel, { weekday: TEXT.days[d.getUTCDay()], day: d.getUTCDate(), month: TEXT.months[d.getUTCMonth()] });
  }
  function validDate(s) { return /^\d{4}-\d{2}-\d{2}$/.test(s) && !isNaN(toUTC(s)); }

  // The wall-clock parts of an instant in zone tz.
  function partsIn(instant, tz) {
    var out = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(instant).forEach(function (p) { out[p.type] = p.value; });
    return out;
  }
  // hours is the clock the page writes times on, "12" or "24"; a clock
  // the visitor chose is carried in every address the script makes.
  var hours = dayForm.getAttribute("data-clock") === "12" ? "12" : "24";
  var clockChosen = !!dayForm.querySelector("input[name=clock]");
  // clock writes a time as timefmt.Clock does: "13:30" or "1:30 PM".
  function clock(p) {
    var h = +p.hour % 24;
    if (hours === "24") return (h < 10 ? "0" : "") + h + ":" + p.minute;
    // A no-break space, as the server writes it: "PM" never wraps alone.
    return ((h + 11) % 12 + 1) + ":" + p.minute + (h < 12 ? "\u00a0AM" : "\u00a0PM");
  }
  // offsetIn is zone tz's UTC offset at instant, in minutes.
  var offsetFormats = {};
  function offsetIn(instant, tz) {
    var f = offsetFormats[tz] = offsetFormats[tz] ||
      new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" });
    var name = "";
    f.formatToParts(instant).forEach(function (p) { if (p.type === "timeZoneName") name = p.value; });
    var m = /([+-])(\d\d):(\d\d)/.exec(name);
    return m ? (m[1] === "-" ? -1 : 1) * (+m[2] * 60 + +m[3]) : 0;
  }
  // utcOffset reads "UTC+5:30", "UTC\u22128" or "UTC", as the server's
  // timefmt.Offset does.
  function utcOffset(min) {
    if (!min) return "UTC";
    var a = Math.abs(min), m = a % 60;
    return "UTC" + (min < 0 ? "\u2212" : "+") + Math.floor(a / 60) + (m ? ":" + (m < 10 ? "0" : "") + m : "");
  }
  // zoneLabel reads "Berlin time (UTC+1)", as timefmt.ZoneAtIn does, with
  // the offset at noon of day s: the page's dates come from the server's
  // clock, so the label never depends on the browser's.
  function zoneLabel(tz, s) {
    if (tz === "UTC" || tz === "Etc/UTC") return "UTC";
    var city = tz.slice(tz.lastIndexOf("/") + 1).replace(/_/g, " ");
    var noon = new Date(midnight(s, tz).getTime() + 12 * 3600000);
    return fill(TEXT.placeTime, { place: city }) + " (" + utcOffset(offsetIn(noon, tz)) + ")";
  }
  // midnight is the instant day s starts in zone tz; a midnight the clocks
  // skip resolves as Go's time.Date does, so both sides mark the same days.
  function midnight(s, tz) {
    var p = s.split("-"), local = Date.UTC(+p[0], +p[1] - 1, +p[2]);
    var guess = local - offsetIn(new Date(local), tz) * 60000;
    return new Date(local - offsetIn(new Date(guess), tz) * 60000);
  }
  // zoneChangesOn reports whether zone tz has another offset at the end of
  // day s than at its start: on such a day every time carries its offset,
  // as two times read the same when the clocks go back.
  function zoneChangesOn(s, tz) {
    return offsetIn(midnight(s, tz), tz) !== offsetIn(midnight(addDays(s, 1), tz), tz);
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }
  function hidden(text) { return el("span", { "class": "visually-hidden" }, text); }
  function dayURL(date, tz, clockValue) {
    var q = { date: date, tz: tz };
    if (clockValue || clockChosen) q.clock = clockValue || hours;
    return action + "?" + new URLSearchParams(q) + "#times";
  }
  function announce(text) {
    status.textContent = "";
    setTimeout(function () { status.textContent = text; }, 50);
  }

  function renderWeek(start, date, tz, byDay) {
    var list = week.querySelector("ul");
    list.textContent = "";
    for (var i = 0; i < 7; i++) {
      var d = addDays(start, i), n = (byDay[d] || []).length, u = toUTC(d);
      var li = el("li");
      var box = n ? el("a", { href: dayURL(d, tz), "data-date": d }) : el("span", { "class": "week-closed" + (d === date ? " is-current" : "") });
      if (n && d === date) box.setAttribute("aria-current", "date");
      box.appendChild(el("span", { "class": "week-day", "aria-hidden": "true" }, TEXT.daysShort[u.getUTCDay()]));
      box.appendChild(document.createTextNode(" "));
      box.appendChild(el("span", { "class": "week-date", "aria-hidden": "true" }, fill(TEXT.dayShort, { day: u.getUTCDate(), month: TEXT.monthsShort[u.getUTCMonth()] })));
      box.appendChild(document.createTextNode(" "));
      box.appendChild(hidden(dayLabel(d) + ":"));
      box.appendChild(document.createTextNode(" "));
      box.appendChild(el("span", { "class": "week-count" }, n ? plural(n, TEXT.timesOne, TEXT.timesOther, {}) : TEXT.noTimes));
      li.appendChild(box);
      list.appendChild(li);
    }
    var nav = week.querySelector(".week-nav");
    nav.textContent = "";
    var prev = addDays(start, -7), next = addDays(start, 7);
    if (addDays(start, -1) >= dateInput.min) {
      nav.appendChild(el("a", { href: dayURL(prev < dateInput.min ? dateInput.min : prev, tz), "data-week-link": "" }, TEXT.prevWeek));
    }
    if (next <= dateInput.max) {
      nav.appendChild(el("a", { href: dayURL(next, tz), "class": "week-next", "data-week-link": "" }, TEXT.nextWeek));
    }
  }

  // browserZone is the zone the browser reports, "" when it reports none.
  var browserZone = "";
  try { browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { browserZone = ""; }
  if (browserZone === "Etc/Unknown") browserZone = "";

  // zoneNote says whose zone the times are in: the visitor's own when it
  // is the one their browser reports, else just the zone.
  function zoneNote(tz, date) {
    var note = slots.querySelector("[data-tz-note]");
    note.textContent = "";
    var label = el("span", { "data-tz-label": "" }, zoneLabel(tz, date));
    var parts = (tz === browserZone ? TEXT.shownInYours : TEXT.shownIn).split("{zone}");
    note.appendChild(document.createTextNode(parts[0]));
    note.appendChild(label);
    note.appendChild(document.createTextNode(parts.slice(1).join("")));
  }

  function renderSlots(date, tz, list) {
    var grid = slots.querySelector("[data-slot-grid]");
    var checked = slots.querySelector("input[name=start]:checked");
    var keep = checked ? checked.value : "";
    var fieldset = slots.querySelector("fieldset");
    fieldset.classList.remove("field-invalid");
    fieldset.removeAttribute("aria-describedby");
    var err = slots.querySelector("#start-error");
    if (err) err.remove();
    var note = slots.querySelector("[data-slots-note]");
    if (note) note.remove();
    grid.removeAttribute("data-alternatives");
    slots.querySelector("[data-slots-legend]").textContent = fill(TEXT.freeOn, { day: dayLabel(date) });
    zoneNote(tz, date);
    grid.className = "slot-grid";
    grid.textContent = "";
    var times = list.map(function (s) { return clock(partsIn(new Date(s.start), tz)); });
    var withOffset = zoneChangesOn(date, tz) || times.some(function (t, i) { return times.indexOf(t) !== i; });
    list.forEach(function (s, i) {
      var instant = new Date(s.start);
      var value = instant.toISOString().replace(".000Z", "Z");
      var box = el("div", { "class": "slot" });
      var input = el("input", { type: "radio", name: "start", id: "slot-" + i, value: value, autocomplete: "off" });
      if (value === keep) input.checked = true;
      var label = el("label", { "for": "slot-" + i });
      label.appendChild(hidden(dayLabel(date) + ", "));
      label.appendChild(document.createTextNode(times[i] + (withOffset ? " (" + utcOffset(offsetIn(instant, tz)) + ")" : "")));
      box.appendChild(input);
      box.appendChild(label);
      grid.appendChild(box);
    });
    if (!list.length) grid.appendChild(el("p", { "class": "no-slots" }, TEXT.noneThisDay));
  }

  // show loads the week around date and shows date's free times; with
  // firstOpen it moves to the week's first day that has any. focusWeek
  // puts keyboard focus back in the week strip, whose links are replaced.
  function show(date, tz, firstOpen, focusWeek) {
    var start = monday(date), end = addDays(start, 6);
    var from = start < dateInput.min ? dateInput.min : start;
    var to = end > dateInput.max ? dateInput.max : end;
    var ticket = ++pending;
    slots.setAttribute("aria-busy", "true");
    fetch("/api/v1/slots?" + new URLSearchParams({ from: from, to: to, tz: tz }), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (body) {
        if (ticket !== pending) return;
        var byDay = {};
        body.slots.forEach(function (s) {
          var p = partsIn(new Date(s.start), tz), d = p.year + "-" + p.month + "-" + p.day;
          (byDay[d] = byDay[d] || []).push(s);
        });
        if (firstOpen && !(byDay[date] || []).length) {
          for (var d = from; d <= to; d = addDays(d, 1)) if ((byDay[d] || []).length) { date = d; break; }
        }
        var list = byDay[date] || [];
        dateInput.value = date;
        document.querySelectorAll("[data-date-field]").forEach(function (f) { f.value = date; });
        document.querySelectorAll("[data-tz-field]").forEach(function (f) { f.value = tz; });
        renderWeek(start, date, tz, byDay);
        document.querySelectorAll("[data-clock-link]").forEach(function (a) {
          a.href = dayURL(date, tz, a.getAttribute("data-clock-link"));
        });
        renderSlots(date, tz, list);
        slots.removeAttribute("aria-busy");
        if (focusWeek) {
          var f = week.querySelector("a[aria-current]") || week.querySelector("a");
          if (f) f.focus();
        }
        history.replaceState(null, "", dayURL(date, tz).split("#")[0] + location.hash);
        announce(list.length
          ? plural(list.length, TEXT.availableOne, TEXT.availableOther, { day: dayLabel(date) })
          : fill(TEXT.noneAvailable, { day: dayLabel(date) }));
      })
      .catch(function () {
        if (ticket !== pending) return;
        slots.removeAttribute("aria-busy");
        announce(TEXT.loadFailed);
      });
  }

  function inRange(date) { return validDate(date) && date >= dateInput.min && date <= dateInput.max; }

  // checkedDay is the day, in zone tz, of the time chosen ("" for none):
  // a new zone may move it to another day, which is then the one shown.
  function checkedDay(tz) {
    var c = slots.querySelector("input[name=start]:checked");
    if (!c) return "";
    var p = partsIn(new Date(c.value), tz);
    return p.year + "-" + p.month + "-" + p.day;
  }

  // Out-of-range dates go to the server, which explains the allowed range.
  dayForm.addEventListener("submit", function (ev) {
    if (!inRange(dateInput.value)) return;
    ev.preventDefault();
    show(dateInput.value, tzSelect.value, false, false);
  });
  tzSelect.addEventListener("change", function () {
    var day = checkedDay(tzSelect.value);
    if (!inRange(day)) day = dateInput.value;
    if (inRange(day)) show(day, tzSelect.value, false, false);
  });
  // A date field fires change while a year is being typed: wait for a
  // complete date within the bookable range.
  dateInput.addEventListener("change", function () {
    if (inRange(dateInput.value)) show(dateInput.value, tzSelect.value, false, false);
  });
  week.addEventListener("click", function (ev) {
    var a = ev.target.closest("a");
    if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
    var date = new URL(a.href).searchParams.get("date");
    if (!inRange(date)) return;
    ev.preventDefault();
    show(date, tzSelect.value, a.hasAttribute("data-week-link"), true);
  });

  // On the booking page without an explicit zone, show times in the
  // browser's zone rather than the practice's.
  function useBrowserZone(tz) {
    var chosen = checkedDay(tz);
    if (slots.querySelector("[data-alternatives]") || (chosen && !inRange(chosen))) {
      // The nearest free times to a linked time that was taken span days,
      // and a linked time may fall outside the days this page covers in
      // the visitor's zone: the server lists them in that zone instead.
      var u = new URL(location.href);
      u.searchParams.set("tz", tz);
      location.replace(u.href);
      return;
    }
    if (!Array.prototype.some.call(tzSelect.options, function (o) { return o.value === tz; })) {
      var group = el("optgroup", { label: TEXT.yourZone });
      group.appendChild(el("option", { value: tz }, zoneLabel(tz, dateInput.min)));
      tzSelect.insertBefore(group, tzSelect.firstChild);
    }
    tzSelect.value = tz;
    // A linked time stays chosen, on its day in the visitor's zone.
    if (chosen) show(chosen, tz, false, false);
    else show(dateInput.value, tz, true, false);
  }
  if (browserZone === tzSelect.value) zoneNote(browserZone, dateInput.value);
  else if (browserZone && dayForm.hasAttribute("data-detect-zone") && inRange(dateInput.value)) useBrowserZone(browserZone);
})();
