// Plain-text formatting of API values (the caller puts the result in a text node).

// One formatter for every timestamp: Date.toLocaleString builds a new Intl formatter per call, which costs
// about a millisecond, i.e. most of the time to draw a few hundred event rows.
const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});

/// Unix seconds as local date and time; '' for null.
export function time(seconds) {
  if (seconds === null || seconds === undefined) return '';
  return DATE_TIME.format(new Date(seconds * 1000));
}

/// A duration in seconds as "1 h 02 min", "3 min 05 s" or "42 s".
export function duration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}

export function bytes(n) {
  if (!Number.isFinite(n)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = n, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/// A metric value: 4 significant digits, exponent form for very small or large magnitudes.
export function metric(x) {
  if (x === null || x === undefined) return '–';
  if (typeof x !== 'number') return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a < 1e-3 || a >= 1e6 ? x.toExponential(3) : String(Number(x.toPrecision(4)));
}

/// "120 / 2000" for a job's progress, '' when it has none.
export function progress(p) {
  if (!p || p.step === null || p.step === undefined) return '';
  return p.total_steps ? `${p.step} / ${p.total_steps}` : String(p.step);
}

/// Pretty JSON for a <pre> (text, never markup).
export function json(value) { return JSON.stringify(value, null, 2); }
