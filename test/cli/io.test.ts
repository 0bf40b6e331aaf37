import { describe, expect, it } from 'vitest';
import { Progress } from '../../cli/io.js';
import { wrap } from '../../cli/format.js';

describe('progress', () => {
  const capture = (tty: boolean) => {
    let stderr = '';
    return { io: { stdout: () => {}, stderr: (t: string) => void (stderr += t), stderrIsTTY: tty }, text: () => stderr };
  };

  it('is shown only for big loads on a terminal, and erased afterwards', () => {
    const tty = capture(true);
    const p = new Progress(tty.io);
    p.step('reading');
    expect(tty.text()).toBe('');
    p.arm(true);
    p.step('checking 60,000 deals');
    p.done();
    expect(tty.text()).toBe('\r\x1b[2Kspm: checking 60,000 deals…\r\x1b[2K');

    const pipe = capture(false);
    const q = new Progress(pipe.io);
    q.arm(true);
    q.step('checking 60,000 deals');
    q.done();
    expect(pipe.text()).toBe('');
  });
});

describe('wrapping explanations', () => {
  it('never separates a number from its currency or percent sign', () => {
    const lines = wrap('Deal "Contoso" (q3-a1) on 2026-07-14: USD 60,000.00 credited (100 % revenue credit); attainment 0 % → 30 %', 30);
    expect(lines.every((l) => l.length <= 30)).toBe(true);
    expect(lines.join('\n')).toContain('USD 60,000.00');
    expect(lines.join(' ')).toContain('→ 30 %');
    expect(lines.some((l) => /^%|USD$/.test(l.trim()))).toBe(false);
  });
});
