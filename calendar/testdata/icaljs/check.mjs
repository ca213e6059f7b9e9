// check.mjs parses iCalendar files with Mozilla's ical.js, an independent
// implementation of RFC 5545, and prints what it understood as JSON, so the
// Go tests can compare it with what they meant to write.
//
// Usage: node check.mjs file.ics...
// Output: {"file.ics": {"method", "calname", "events": [...]}, ...}
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

// utc returns a DATE-TIME as an ISO string in UTC, or null when missing.
function utc(event, name) {
  const t = event.getFirstPropertyValue(name);
  return t ? t.toJSDate().toISOString() : null;
}

function text(comp, name) {
  const v = comp.getFirstPropertyValue(name);
  return v === null || v === undefined ? null : String(v);
}

const out = {};
for (const file of process.argv.slice(2)) {
  // ICAL.parse throws on malformed input; node then exits non-zero with
  // the message, which the Go test reports.
  const cal = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  out[file] = {
    method: text(cal, "method"),
    calname: text(cal, "x-wr-calname"),
    name: text(cal, "name"),
    events: cal.getAllSubcomponents("vevent").map((ev) => ({
      uid: text(ev, "uid"),
      summary: text(ev, "summary"),
      summaryLanguage: ev.getFirstProperty("summary")?.getParameter("language") ?? null,
      description: text(ev, "description"),
      descriptionLanguage: ev.getFirstProperty("description")?.getParameter("language") ?? null,
      url: text(ev, "url"),
      location: text(ev, "location"),
      conferences: ev.getAllProperties("conference").map((p) => ({
        value: String(p.getFirstValue()),
        feature: String(p.getParameter("feature") ?? ""),
        label: p.getParameter("label") ?? null,
      })),
      dtstart: utc(ev, "dtstart"),
      dtend: utc(ev, "dtend"),
      dtstamp: utc(ev, "dtstamp"),
      status: text(ev, "status"),
      sequence: ev.getFirstPropertyValue("sequence"),
      organizer: text(ev, "organizer"),
      organizerCN: ev.getFirstProperty("organizer")?.getParameter("cn") ?? null,
      attendees: ev.getAllProperties("attendee").map((p) => ({
        value: String(p.getFirstValue()),
        cn: p.getParameter("cn") ?? null,
      })),
    })),
  };
}
process.stdout.write(JSON.stringify(out));
