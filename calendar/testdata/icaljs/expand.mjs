// expand.mjs reads an iCalendar file with Mozilla's ical.js and prints
// the busy time it holds, expanding recurring series with their
// exceptions, so the Go tests can check their own expansion against an
// independent one. Events marked free, cancelled, or declined by one of
// the owners are left out.
//
// Usage: node expand.mjs file.ics fromISO toISO [owner@example.org ...]
// Output: [{"start": T, "end": T}, ...] where T is {"utc": ISO} for an
// instant, {"local": "YYYY-MM-DDTHH:MM:SS"} for a floating time and
// {"date": "YYYY-MM-DD"} for a date.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [file, fromISO, toISO, ...owners] = process.argv.slice(2);
const from = new Date(fromISO), to = new Date(toISO);
const ownerSet = new Set(owners.map((o) => o.toLowerCase()));

const cal = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
for (const vtz of cal.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
}

function busy(comp) {
  const transp = (comp.getFirstPropertyValue("transp") || "").toUpperCase();
  const status = (comp.getFirstPropertyValue("status") || "").toUpperCase();
  if (transp === "TRANSPARENT" || status === "CANCELLED") return false;
  for (const a of comp.getAllProperties("attendee")) {
    const addr = String(a.getFirstValue()).replace(/^mailto:/i, "").toLowerCase();
    if ((a.getParameter("partstat") || "").toUpperCase() === "DECLINED" && ownerSet.has(addr)) return false;
  }
  return true;
}

function pad(n) { return String(n).padStart(2, "0"); }
function show(t) {
  if (t.isDate) return { date: `${t.year}-${pad(t.month)}-${pad(t.day)}` };
  if (!t.zone || t.zone.tzid === "floating") {
    return { local: `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}` };
  }
  return { utc: t.toJSDate().toISOString() };
}

const out = [];
const slack = 2 * 24 * 3600 * 1000; // the Go side trims to the window exactly
function emit(start, end) {
  const s = start.toJSDate(), e = end.toJSDate();
  if (s.getTime() > to.getTime() + slack || e.getTime() < from.getTime() - slack) return;
  out.push({ start: show(start), end: show(end) });
}

const vevents = cal.getAllSubcomponents("vevent");
const masters = new Map();
for (const ve of vevents) {
  if (!ve.hasProperty("recurrence-id")) masters.set(ve.getFirstPropertyValue("uid"), new ICAL.Event(ve));
}
for (const ve of vevents) {
  if (!ve.hasProperty("recurrence-id")) continue;
  const m = masters.get(ve.getFirstPropertyValue("uid"));
  if (m) m.relateException(ve);
  else if (busy(ve)) { const ev = new ICAL.Event(ve); emit(ev.startDate, ev.endDate); }
}
for (const ev of masters.values()) {
  if (!ev.isRecurring()) {
    if (busy(ev.component)) emit(ev.startDate, ev.endDate);
    continue;
  }
  const it = ev.iterator();
  for (let n = 0, next; n < 200000 && (next = it.next()); n++) {
    if (next.toJSDate().getTime() > to.getTime() + slack) break;
    const d = ev.getOccurrenceDetails(next);
    if (busy(d.item.component)) emit(d.startDate, d.endDate);
  }
  // An exception moved into the window from a recurrence id beyond it.
  for (const ex of Object.values(ev.exceptions)) {
    if (ex.recurrenceId.toJSDate().getTime() > to.getTime() + slack && busy(ex.component)) emit(ex.startDate, ex.endDate);
  }
}
process.stdout.write(JSON.stringify(out));
