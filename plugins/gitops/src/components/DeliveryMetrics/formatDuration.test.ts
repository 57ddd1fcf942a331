import { formatDuration, formatPercent } from './formatDuration';

describe('formatDuration', () => {
  it.each`
    seconds      | text
    ${undefined} | ${'–'}
    ${NaN}       | ${'–'}
    ${0}         | ${'0s'}
    ${-5}        | ${'0s'}
    ${45}        | ${'45s'}
    ${60}        | ${'1m'}
    ${95}        | ${'1m 35s'}
    ${7200}      | ${'2h'}
    ${7500}      | ${'2h 5m'}
    ${93600}     | ${'1d 2h'}
    ${864000.4}  | ${'10d'}
  `('writes $seconds as $text', ({ seconds, text }) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('formatPercent', () => {
  it.each`
    share        | text
    ${undefined} | ${'–'}
    ${0}         | ${'0%'}
    ${0.25}      | ${'25%'}
    ${0.035}     | ${'3.5%'}
    ${0.3333}    | ${'33%'}
    ${1}         | ${'100%'}
  `('writes $share as $text', ({ share, text }) => {
    expect(formatPercent(share)).toBe(text);
  });
});
