// The receipt's manifest hash, recomputed in the browser exactly as the server defines it
// (Sources/OrchardQueue/Runtime/DeletionReceipt.swift): SHA-256 over the manifest's canonical JSON, which is
// what Swift's JSONEncoder writes for OrchardJobs.JSONValue with [.sortedKeys, .withoutEscapingSlashes]:
// - object keys sorted by Unicode code point (Swift String order), no whitespace anywhere;
// - a number that is integral with magnitude below 9.007e15 is written as an integer (JSONValue.encode);
//   any other number as Swift's Double.description without a trailing ".0": shortest round-trip digits,
//   fixed notation for 1e-4 <= |x| <= 2^53, otherwise exponent form with a sign and at least two digits
//   ("1e-05", "1.8e+16");
// - strings as JSON.stringify writes them (", \, \b \f \n \r \t and \u00XX for other control characters,
//   everything else, "/" included, as itself), which is also what JSONEncoder writes.

const TWO_TO_53 = 2 ** 53;

export function canonicalNumber(x) {
  if (!Number.isFinite(x)) throw new Error(`${x} has no JSON form`);
  if (Number.isInteger(x) && Math.abs(x) < 9.007e15) return String(x === 0 ? 0 : x);
  const magnitude = Math.abs(x);
  if (magnitude >= 1e-4 && magnitude <= TWO_TO_53) return String(x);
  const [mantissa, exponent] = x.toExponential().split('e');
  const sign = exponent.startsWith('-') ? '-' : '+';
  const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
  return `${mantissa}e${sign}${digits}`;
}

function compareCodePoints(a, b) {
  const x = Array.from(a), y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/// The canonical JSON text of a parsed JSON value.
export function canonicalJSON(value) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean': return value ? 'true' : 'false';
    case 'number': return canonicalNumber(value);
    case 'string': return JSON.stringify(value);
    case 'object':
      if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(',')}]`;
      return `{${Object.keys(value).sort(compareCodePoints)
        .map((k) => `${JSON.stringify(k)}:${canonicalJSON(value[k])}`).join(',')}}`;
    default: throw new Error(`${typeof value} has no JSON form`);
  }
}

/// Lower-case hex SHA-256 of the UTF-8 bytes of `text` (Web Crypto: needs a secure context, i.e. HTTPS or a
/// loopback address).
export async function sha256Hex(text) {
  if (!globalThis.crypto?.subtle) throw new Error('Web Crypto is unavailable: open the dashboard over HTTPS or on a loopback address');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/// Recomputes a receipt's manifest hash: {computed, expected, match}.
export async function verifyReceipt(receipt) {
  const computed = await sha256Hex(canonicalJSON(receipt.manifest));
  return { computed, expected: receipt.manifest_sha256, match: computed === receipt.manifest_sha256 };
}
