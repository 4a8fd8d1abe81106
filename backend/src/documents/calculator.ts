/**
 * The shared calculator: + - * / % ( ) decimals and unary minus, parsed by hand (recursive
 * descent). Never eval or Function: the input comes from a socket.
 */
export type CalcResult = { ok: true; value: number; text: string } | { ok: false; error: string };

class CalcError extends Error {}

export function calculate(input: string): CalcResult {
  const src = input.replace(/\s+/g, '').replace(/×/g, '*').replace(/÷/g, '/').replace(/,/g, '.');
  if (src.length === 0) return { ok: false, error: 'Type a calculation.' };
  let i = 0;
  const peek = () => src[i];
  const expr = (): number => {
    let v = term();
    while (peek() === '+' || peek() === '-') {
      const op = src[i++];
      const r = term();
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const term = (): number => {
    let v = unary();
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const op = src[i++];
      const r = unary();
      if ((op === '/' || op === '%') && r === 0) throw new CalcError('Cannot divide by zero');
      v = op === '*' ? v * r : op === '/' ? v / r : v % r;
    }
    return v;
  };
  let depth = 0;
  const unary = (): number => {
    if (peek() === '-') {
      i++;
      return -unary();
    }
    if (peek() === '+') {
      i++;
      return unary();
    }
    return primary();
  };
  const primary = (): number => {
    if (peek() === '(') {
      if (++depth > 50) throw new CalcError('Too many parentheses');
      i++;
      const v = expr();
      if (peek() !== ')') throw new CalcError('A closing parenthesis is missing');
      i++;
      depth--;
      return v;
    }
    const m = /^(\d+(\.\d*)?|\.\d+)/.exec(src.slice(i));
    if (!m) throw new CalcError(peek() === undefined ? 'The calculation is incomplete' : `Unexpected "${peek()}"`);
    i += m[0].length;
    return Number(m[0]);
  };
  try {
    const value = expr();
    if (i < src.length) throw new CalcError(src[i] === ')' ? 'An opening parenthesis is missing' : `Unexpected "${src[i]}"`);
    if (!Number.isFinite(value)) return { ok: false, error: 'The result is too large' };
    return { ok: true, value, text: format(value) };
  } catch (err) {
    if (err instanceof CalcError) return { ok: false, error: err.message };
    throw err;
  }
}

/** A result as a person reads it: no float noise (0.1+0.2 → 0.3), at most 12 significant digits. */
function format(v: number): string {
  if (Object.is(v, -0)) return '0';
  const rounded = Number(v.toPrecision(12));
  return Math.abs(rounded) >= 1e15 || (Math.abs(rounded) < 1e-9 && rounded !== 0) ? rounded.toExponential() : String(rounded);
}
