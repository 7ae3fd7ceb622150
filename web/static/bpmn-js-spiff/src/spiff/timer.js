// describeTimer puts a timer expression into plain words. Values are
// expressions; a quoted ISO 8601 string is described, anything else is
// shown as computed at run time.

const UNITS = [
  ['Y', 'year'], ['M', 'month'], ['W', 'week'], ['D', 'day'],
];
const TUNITS = [['H', 'hour'], ['M', 'minute'], ['S', 'second']];

function literal(v) {
  const m = /^\s*(['"])(.*)\1\s*$/.exec(v);
  return m ? m[2] : null;
}

function plural(n, word) {
  return n + ' ' + word + (Number(n) === 1 ? '' : 's');
}

// parseDuration returns [{n, unit}] for an ISO 8601 duration or null.
export function parseDuration(s) {
  const m = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s);
  if (!m || s === 'P' || s.endsWith('T')) {
    return null;
  }
  const parts = [];
  const names = [...UNITS, ...TUNITS].map((u) => u[1]);
  for (let i = 1; i <= 7; i++) {
    if (m[i]) {
      parts.push({ n: m[i], unit: names[i - 1] });
    }
  }
  return parts.length ? parts : null;
}

function durationWords(parts) {
  return parts.map((p) => plural(p.n, p.unit)).join(' ');
}

function everyWords(parts) {
  if (parts.length === 1 && Number(parts[0].n) === 1) {
    return 'every ' + parts[0].unit;
  }
  return 'every ' + durationWords(parts);
}

function dateWords(s) {
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (!m) {
    return null;
  }
  let out = m[1];
  if (m[2]) {
    out += ' at ' + m[2] + ':' + m[3];
  }
  if (m[5]) {
    out += m[5] === 'Z' ? ' UTC' : ' (UTC' + m[5] + ')';
  }
  return { date: m[1], time: m[2] ? m[2] + ':' + m[3] : null, zone: m[5], text: out };
}

export function describeTimer(kind, value) {
  const lit = literal(value);
  if (lit === null) {
    return { text: 'Computed when the timer starts from the expression ' + value.trim() + '.' };
  }
  if (kind === 'timeDuration') {
    const d = parseDuration(lit);
    return d ? { text: 'after ' + durationWords(d) } : { error: '"' + lit + '" is not an ISO 8601 duration such as PT1H or P2D.' };
  }
  if (kind === 'timeDate') {
    const d = dateWords(lit);
    return d ? { text: 'on ' + d.text } : { error: '"' + lit + '" is not an ISO 8601 date such as 2025-01-06T09:00:00Z.' };
  }
  if (kind === 'timeCycle') {
    const parts = lit.split('/');
    const rm = /^R(\d*)$/.exec(parts[0]);
    if (!rm || parts.length < 2 || parts.length > 3) {
      return { error: '"' + lit + '" is not an ISO 8601 repeating interval such as R3/PT1H.' };
    }
    const times = rm[1] === '' ? 'forever' : plural(rm[1], 'time');
    let start = null;
    let dur = null;
    for (const p of parts.slice(1)) {
      if (p.startsWith('P')) {
        dur = parseDuration(p);
        if (!dur) {
          return { error: '"' + p + '" is not an ISO 8601 duration.' };
        }
      } else {
        start = dateWords(p);
        if (!start) {
          return { error: '"' + p + '" is not an ISO 8601 date.' };
        }
      }
    }
    if (!dur) {
      return { error: 'A cycle needs a duration, such as R3/PT1H.' };
    }
    let text = everyWords(dur);
    if (start && start.time && dur.length === 1 && ['day', 'week'].includes(dur[0].unit) && Number(dur[0].n) === 1) {
      text += ' at ' + start.time + (start.zone ? (start.zone === 'Z' ? ' UTC' : ' UTC' + start.zone) : '') + ', from ' + start.date;
    } else if (start) {
      text += ', from ' + start.text;
    }
    return { text: text + ', ' + times };
  }
  return { text: '' };
}
