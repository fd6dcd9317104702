import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadResults, ResultsFileError } from './load.ts';
import { exampleResults } from './example.fixture.ts';

describe('loadResults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rtc-harness-load-'));
  it('loads a results.json, or the folder that holds one', () => {
    writeFileSync(join(dir, 'results.json'), JSON.stringify(exampleResults()));
    expect(loadResults(join(dir, 'results.json')).scenario).toBe('smoke');
    expect(loadResults(dir).groups[0]!.name).toBe('callers');
  });
  it('says what is wrong with a file that is not one', () => {
    expect(() => loadResults(join(dir, 'nope.json'), 'baseline')).toThrow(/baseline file .*nope\.json does not exist: pass the results\.json of a run/);
    writeFileSync(join(dir, 'bad.json'), '{"verdict":');
    expect(() => loadResults(join(dir, 'bad.json'))).toThrow(/is not JSON/);
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ name: 'package', version: '1.0.0' }));
    expect(() => loadResults(join(dir, 'other.json'))).toThrow(ResultsFileError);
    expect(() => loadResults(join(dir, 'other.json'))).toThrow(/not a results\.json written by rtc-harness: verdict:/);
  });
});
