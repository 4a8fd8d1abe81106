import { calculate } from './calculator';

describe('calculate (own parser, never eval)', () => {
  it.each([
    ['12.5*(3+4)', '87.5'],
    ['1+2*3', '7'],
    ['(1+2)*3', '9'],
    ['-3+5', '2'],
    ['--2', '2'],
    ['7%4', '3'],
    ['0.1+0.2', '0.3'],
    ['10/4', '2.5'],
    ['.5*2', '1'],
    [' 2 × 3 ÷ 4 ', '1.5'],
  ])('%s = %s', (input, text) => {
    expect(calculate(input)).toMatchObject({ ok: true, text });
  });

  it.each([
    ['1/0', 'Cannot divide by zero'],
    ['5%0', 'Cannot divide by zero'],
    ['(1+2', 'A closing parenthesis is missing'],
    ['1+2)', 'An opening parenthesis is missing'],
    ['2+', 'The calculation is incomplete'],
    ['alert(1)', 'Unexpected "a"'],
    ['constructor', 'Unexpected "c"'],
    ['', 'Type a calculation.'],
  ])('%s → %s', (input, error) => {
    expect(calculate(input)).toEqual({ ok: false, error });
  });
});
