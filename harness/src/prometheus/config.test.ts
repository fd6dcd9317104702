import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../scenario/errors.ts';
import { reporterOptions } from './cli.ts';
import { fileSdTargets, JOBS, scrapeConfig } from './embedded.ts';
import { groupingPath } from './pushgateway.ts';

describe('the embedded Prometheus config', () => {
  it('scrapes every job from its own file_sd file at the asked interval, the gateway with honor_labels', () => {
    const config = scrapeConfig(1000) as { global: Record<string, string>; scrape_configs: Record<string, unknown>[] };
    expect(config.global).toEqual({ scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' });
    expect(config.scrape_configs.map((j) => j.job_name)).toEqual([JOBS.harness, JOBS.sfu, JOBS.pushgateway]);
    for (const job of config.scrape_configs) {
      expect(job.file_sd_configs).toEqual([{ files: [`targets/${job.job_name}.json`], refresh_interval: '5s' }]);
    }
    expect(config.scrape_configs.find((j) => j.job_name === JOBS.pushgateway)?.honor_labels).toBe(true);
    expect((scrapeConfig(5000) as { global: Record<string, string> }).global.scrape_interval).toBe('5s');
  });

  it('turns URLs into file_sd targets with the path and scheme as special labels', () => {
    expect(fileSdTargets([{ url: 'http://127.0.0.1:43123/metrics', labels: { run: 'r1' } }, { url: 'https://gw.example:9091/x/metrics' }])).toEqual([
      { targets: ['127.0.0.1:43123'], labels: { __scheme__: 'http', __metrics_path__: '/metrics', run: 'r1' } },
      { targets: ['gw.example:9091'], labels: { __scheme__: 'https', __metrics_path__: '/x/metrics' } },
    ]);
  });
});

describe('the Pushgateway grouping key', () => {
  it('is a path of label/value pairs, base64 where a plain segment cannot carry the value', () => {
    expect(groupingPath({ run: 'smoke-20261126T101500Z', instance: 'host-42' })).toBe('/run/smoke-20261126T101500Z/instance/host-42');
    expect(groupingPath({ run: 'a/b' })).toBe(`/run@base64/${Buffer.from('a/b').toString('base64url')}`);
    expect(groupingPath({ run: '' })).toBe('/run@base64/=');
    expect(groupingPath({ run: 'a b' })).toBe('/run/a%20b');
  });
});

describe('the command-line flags', () => {
  it('ask for nothing by default', () => {
    expect(reporterOptions({})).toBeNull();
  });

  it('map to reporter options', () => {
    expect(reporterOptions({ prometheus: true })).toMatchObject({ embedded: {} });
    expect(reporterOptions({ prometheus: '/data/prom', metricsMaxPerGroup: 5 })).toMatchObject({ embedded: { dataDir: '/data/prom' }, maxParticipantsPerGroup: 5 });
    expect(reporterOptions({ pushgateway: true })).toMatchObject({ pushgateway: 'embedded' });
    expect(reporterOptions({ prometheusUrl: 'http://p:9090', pushgatewayUrl: 'http://g:9091' })).toMatchObject({ prometheusUrl: 'http://p:9090', pushgateway: 'http://g:9091' });
    expect(reporterOptions({ metricsPort: 0 })).toMatchObject({ metricsPort: 0 });
  });

  it('reject an existing Prometheus with no way to reach the metrics', () => {
    expect(() => reporterOptions({ prometheusUrl: 'http://p:9090' })).toThrow(ScenarioError);
    expect(() => reporterOptions({ prometheusUrl: 'http://p:9090' })).toThrow(/--metrics-port/);
    expect(reporterOptions({ prometheusUrl: 'http://p:9090', metricsPort: 9464 })).toMatchObject({ metricsPort: 9464 });
  });
});
