// Lambda pipeline health: polls the pipeline health API once per sample interval and draws, per source, one small
// chart per series over the history the serving instance keeps. The key is the live dashboard's (same tab storage).
'use strict';

(function () {
  const PATHS = JSON.parse(document.getElementById('api-paths').textContent);
  const DEFAULT_REFRESH_MS = 15000;
  // Each series: the sample member it draws, its breached flag and threshold (none for events/s), and its unit.
  const METRICS = [
    { key: 'events_per_second', title: 'events/s', breach: null, limit: null, unit: '/s' },
    { key: 'speed_lag', title: 'speed lag (events)', breach: 'speed_lag', limit: 'max_speed_lag', unit: '' },
    { key: 'archiver_lag', title: 'archiver lag (events)', breach: 'archiver_lag', limit: 'max_archiver_lag', unit: '' },
    { key: 'freshness_seconds', title: 'freshness', breach: 'freshness', limit: 'max_freshness_seconds', unit: 's' },
  ];

  const { $, apiKey, api, showError, setStatus, svg, bindKeyForm } = window.LambdaDashboard;
  let timer = null;

  function formatNumber(value, unit) {
    if (value === null || value === undefined) {
      return '–';
    }
    return value.toLocaleString(undefined, { maximumFractionDigits: 2 }) + (unit ? ' ' + unit : '');
  }

  function formatSeconds(seconds) {
    if (seconds === null || seconds === undefined) {
      return '–';
    }
    if (seconds < 120) {
      return `${Math.round(seconds)} s`;
    }
    if (seconds < 7200) {
      return `${Math.round(seconds / 60)} min`;
    }
    return `${(seconds / 3600).toFixed(1)} h`;
  }

  function format(metric, value) {
    return metric.unit === 's' ? formatSeconds(value) : formatNumber(value, metric.unit);
  }

  // One polyline per run of non-null values: a failed read is a gap, not a zero.
  function drawChart(chart, samples, key, from, to, limit) {
    chart.replaceChildren();
    const [width, height, top, bottom] = [300, 90, 6, 4];
    const values = samples.map(s => s[key]).filter(v => typeof v === 'number');
    const max = Math.max(1, ...values, limit !== null && limit !== undefined && values.some(v => v > limit / 2) ? limit : 0);
    const x = t => (t - from) / Math.max(1, to - from) * width;
    const y = v => top + (1 - v / max) * (height - top - bottom);
    chart.appendChild(svg('text', { x: 3, y: 12, 'font-size': 10, fill: '#7a8391' }, formatNumber(max, '')));
    if (limit !== null && limit !== undefined && limit <= max) {
      chart.appendChild(svg('line', { x1: 0, y1: y(limit), x2: width, y2: y(limit), stroke: '#e08585', 'stroke-dasharray': '4 3', class: 'threshold' }));
    }
    let run = [];
    const flush = () => {
      if (run.length === 1) {
        const [px, py] = run[0].split(',');
        chart.appendChild(svg('circle', { cx: px, cy: py, r: 1.5, fill: '#2563eb' }));
      } else if (run.length > 1) {
        chart.appendChild(svg('polyline', { points: run.join(' '), fill: 'none', stroke: '#2563eb', 'stroke-width': 1.5, 'vector-effect': 'non-scaling-stroke' }));
      }
      run = [];
    };
    for (const sample of samples) {
      const value = sample[key];
      if (typeof value !== 'number') {
        flush();
        continue;
      }
      run.push(`${x(Date.parse(sample.time)).toFixed(1)},${y(value).toFixed(1)}`);
    }
    flush();
  }

  function sourceSection(name) {
    const container = $('sources');
    const existing = [...container.children].find(s => s.dataset.source === name);
    if (existing) {
      return existing;
    }
    const section = document.createElement('section');
    section.dataset.source = name;
    const title = document.createElement('h2');
    section.appendChild(title);
    const metrics = document.createElement('div');
    metrics.className = 'metrics';
    for (const metric of METRICS) {
      const box = document.createElement('div');
      box.className = 'metric';
      box.dataset.metric = metric.key;
      const heading = document.createElement('h3');
      heading.textContent = metric.title;
      const value = document.createElement('span');
      value.className = 'value';
      const limit = document.createElement('span');
      limit.className = 'limit';
      const chart = svg('svg', { class: 'chart', viewBox: '0 0 300 90', preserveAspectRatio: 'none', role: 'img', 'aria-label': `${metric.title} of ${name}` });
      box.append(heading, value, limit, chart);
      metrics.appendChild(box);
    }
    section.appendChild(metrics);
    container.appendChild(section);
    return section;
  }

  function renderSource(source, body) {
    const section = sourceSection(source.source);
    section.querySelector('h2').textContent = `${source.source} (topic ${source.topic})`;
    const now = Date.parse(body.now);
    const from = now - body.history_seconds * 1000;
    const current = source.samples.length ? source.samples[source.samples.length - 1] : {};
    for (const metric of METRICS) {
      const box = section.querySelector(`[data-metric="${metric.key}"]`);
      const value = box.querySelector('.value');
      value.textContent = format(metric, current[metric.key]);
      value.classList.toggle('breached', !!(metric.breach && source.breached[metric.breach]));
      const limit = metric.limit ? body.thresholds[metric.limit] : null;
      box.querySelector('.limit').textContent = limit === null ? '' : `limit ${format(metric, limit)}`;
      drawChart(box.querySelector('svg.chart'), source.samples, metric.key, from, now, limit);
    }
  }

  function renderRecompute(body) {
    const box = $('recompute');
    const run = body.last_recompute;
    box.replaceChildren();
    if (!run) {
      box.className = 'muted';
      box.textContent = 'no batch run recorded (or the run log could not be read)';
      return;
    }
    box.className = '';
    const age = document.createElement('span');
    age.id = 'recompute-age';
    age.textContent = `${formatSeconds(run.age_seconds)} ago`;
    age.classList.toggle('breached', run.breached);
    const duration = run.duration_seconds === null ? 'still running' : `took ${formatSeconds(run.duration_seconds)}`;
    box.append(
      document.createTextNode(`${run.mode} run ${run.run_id}: `),
      Object.assign(document.createElement('strong'), { id: 'recompute-state', textContent: run.state }),
      document.createTextNode(`, started ${run.started_at}, ${duration}, `),
      age,
      document.createTextNode(` (limit ${formatSeconds(body.thresholds.max_recompute_age_seconds)})`));
  }

  async function refresh() {
    if (!apiKey()) {
      setStatus('enter an API key with the query scope');
      return DEFAULT_REFRESH_MS;
    }
    try {
      const body = await api(PATHS.pipeline);
      renderRecompute(body);
      const names = new Set(body.sources.map(s => s.source));
      for (const stale of [...$('sources').children].filter(s => !names.has(s.dataset.source))) {
        stale.remove();
      }
      body.sources.forEach(source => renderSource(source, body));
      showError(null);
      setStatus(`updated ${new Date().toISOString().slice(11, 19)} UTC, every ${body.sample_interval_seconds} s`);
      return Math.max(1000, body.sample_interval_seconds * 1000);
    } catch (error) {
      showError(error);
      setStatus(`failed ${new Date().toISOString().slice(11, 19)} UTC`);
      return DEFAULT_REFRESH_MS;
    }
  }

  function schedule() {
    clearTimeout(timer);
    const loop = async () => {
      const next = await refresh();
      timer = setTimeout(loop, next);
    };
    loop();
  }

  bindKeyForm(schedule, () => clearTimeout(timer));

  schedule();
}());
