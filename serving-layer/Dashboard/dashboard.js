// Lambda live dashboard: polls the query API once a second. The serving layer shares and refreshes identical
// answers incrementally, so every viewer of the same view and window costs one computation, not one each.
'use strict';

(function () {
  const PATHS = JSON.parse(document.getElementById('api-paths').textContent);
  const REFRESH_MS = 1000;
  const ALERTS_EVERY = 5;
  const BUCKET_MS = { minute: 60000, hour: 3600000, day: 86400000 };
  const GRANULARITIES = ['minute', 'hour', 'day', 'all'];
  // Sliding windows the chart offers per granularity, in buckets of it (the API's window=, e.g. "15m").
  const TRAILING = { minute: [5, 15, 60], hour: [3, 6, 24], day: [7, 30] };
  const UNITS = { minute: 'm', hour: 'h', day: 'd' };
  const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];
  const MAX_SERIES = COLORS.length;

  const { $, apiKey, api, showError, setStatus, svg, bindKeyForm } = window.LambdaDashboard;
  let views = [];
  let timer = null;
  let tick = 0;
  let inFlight = null;

  function option(select, value, text, selected) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    o.selected = !!selected;
    select.appendChild(o);
  }

  function currentView() { return views.find(v => v.name === $('view').value); }

  function iso(ms) { return new Date(ms).toISOString().replace('.000Z', 'Z'); }

  // The range must sit on the view's bucket boundaries: it ends with the bucket that holds now (still filling).
  function range(view) {
    const bucket = BUCKET_MS[view.granularity];
    const to = Math.floor(Date.now() / bucket) * bucket + bucket;
    const windowMs = Number($('window').value);
    const from = to - Math.max(bucket, Math.ceil(windowMs / bucket) * bucket);
    return { from, to };
  }

  // A sliding window needs the range on the chart's own buckets: it covers the window's range, widened to them.
  function seriesRange(r, granularity, trailing) {
    if (!trailing) {
      return r;
    }
    const bucket = BUCKET_MS[granularity];
    return { from: Math.floor(r.from / bucket) * bucket, to: Math.ceil(r.to / bucket) * bucket };
  }

  function fillTrailing() {
    const granularity = $('granularity').value;
    const trailing = $('trailing');
    const previous = trailing.value;
    trailing.innerHTML = '';
    option(trailing, '', 'none', true);
    for (const n of TRAILING[granularity] || []) {
      const value = `${n}${UNITS[granularity]}`;
      option(trailing, value, `${n} ${granularity}s`, value === previous);
    }
    trailing.disabled = granularity === 'all';
  }

  function defaultGranularity(view) {
    const windowMs = Number($('window').value);
    const wanted = windowMs <= 3600000 ? 'minute' : windowMs <= 604800000 ? 'hour' : 'day';
    const allowed = GRANULARITIES.slice(GRANULARITIES.indexOf(view.granularity));
    return allowed.includes(wanted) ? wanted : allowed[0];
  }

  function fillControls() {
    const view = currentView();
    if (!view) {
      return;
    }
    const granularity = $('granularity');
    granularity.innerHTML = '';
    const preferred = defaultGranularity(view);
    for (const g of GRANULARITIES.slice(GRANULARITIES.indexOf(view.granularity))) {
      option(granularity, g, g, g === preferred);
    }
    fillTrailing();
    const groupBy = $('group-by');
    groupBy.innerHTML = '';
    option(groupBy, '', '(none: totals)', view.dimensions.length === 0);
    view.dimensions.forEach((d, i) => option(groupBy, d.name, d.name, i === 0));
    const measure = $('measure');
    measure.innerHTML = '';
    // A quantiles measure answers an object of percentiles; each charted percentile is its own choice ("latency.p99").
    const choices = view.measures.filter(m => m.result_type !== 'timestamp').flatMap(m => m.result_type === 'quantiles'
      ? ['p50', 'p95', 'p99'].map(p => [`${m.name}.${p}`, `${m.name} ${p} (${m.expression})`])
      : [[m.name, `${m.name} (${m.expression})`]]);
    choices.forEach(([value, label], i) => option(measure, value, label, i === 0));
  }

  function queryPath(view, r, granularity, groupBy, trailing) {
    const params = new URLSearchParams({ from: iso(r.from), to: iso(r.to), granularity, group_by: groupBy });
    if (trailing) {
      params.set('window', trailing);
    }
    return PATHS.view.replace('{view}', encodeURIComponent(view.name)) + '?' + params.toString();
  }

  function groupLabel(row, dims) {
    return dims.length === 0 ? 'total' : dims.map(d => String(row[d])).join(' / ');
  }

  function measureValue(row, measure) {
    const [name, percentile] = measure.split('.');
    const value = row[name];
    return percentile && value !== null && typeof value === 'object' ? value[percentile] : value;
  }

  function formatValue(value) {
    if (value === null || value === undefined) {
      return '–';
    }
    if (typeof value === 'object') {
      return Object.entries(value).map(([p, v]) => `${p} ${formatValue(v)}`).join(' · ');
    }
    return typeof value === 'number' ? value.toLocaleString(undefined, { maximumFractionDigits: 2 }) : String(value);
  }

  function renderTable(view, dims, rows) {
    const head = $('table').tHead;
    const body = $('table').tBodies[0];
    const columns = dims.length ? dims : ['group'];
    head.innerHTML = '';
    const tr = head.insertRow();
    for (const c of columns.concat(view.measures.map(m => m.name))) {
      const th = document.createElement('th');
      th.textContent = c;
      tr.appendChild(th);
    }
    body.innerHTML = '';
    for (const row of rows) {
      const r = body.insertRow();
      for (const c of columns) {
        r.insertCell().textContent = dims.length ? String(row[c]) : 'total';
      }
      for (const m of view.measures) {
        r.insertCell().textContent = formatValue(row[m.name]);
      }
    }
    if (rows.length === 0) {
      const r = body.insertRow();
      const cell = r.insertCell();
      cell.colSpan = columns.length + view.measures.length;
      cell.className = 'muted';
      cell.textContent = 'no data in this window';
    }
  }

  function renderChart(r, dims, measure, rows, granularity) {
    const chart = $('chart');
    const legend = $('legend');
    chart.innerHTML = '';
    legend.innerHTML = '';
    const [width, height, left, bottom, top] = [1000, 280, 60, 24, 10];
    if (granularity === 'all') {
      chart.appendChild(svg('text', { x: left, y: height / 2, fill: '#7a8391' }, 'granularity "all" has no time axis: pick minute, hour or day for the chart'));
      return;
    }
    const series = new Map();
    for (const row of rows) {
      const value = measureValue(row, measure);
      if (typeof value !== 'number') {
        continue;
      }
      const label = groupLabel(row, dims);
      if (!series.has(label)) {
        series.set(label, { label, points: [], total: 0 });
      }
      const s = series.get(label);
      s.points.push([Date.parse(row.bucket), value]);
      s.total += Math.abs(value);
    }
    const shown = [...series.values()].sort((a, b) => b.total - a.total).slice(0, MAX_SERIES);
    const max = Math.max(1, ...shown.flatMap(s => s.points.map(p => p[1])));
    const x = t => left + (t - r.from) / (r.to - r.from) * (width - left - 10);
    const y = v => top + (1 - v / max) * (height - top - bottom);
    chart.appendChild(svg('line', { x1: left, y1: y(0), x2: width - 10, y2: y(0), stroke: '#9aa3af' }));
    chart.appendChild(svg('line', { x1: left, y1: top, x2: left, y2: y(0), stroke: '#9aa3af' }));
    chart.appendChild(svg('text', { x: left - 6, y: top + 10, 'text-anchor': 'end', 'font-size': 11 }, formatValue(max)));
    chart.appendChild(svg('text', { x: left - 6, y: y(0), 'text-anchor': 'end', 'font-size': 11 }, '0'));
    chart.appendChild(svg('text', { x: left, y: height - 6, 'font-size': 11 }, new Date(r.from).toISOString().slice(0, 16).replace('T', ' ')));
    chart.appendChild(svg('text', { x: width - 10, y: height - 6, 'text-anchor': 'end', 'font-size': 11 }, new Date(r.to).toISOString().slice(0, 16).replace('T', ' ') + ' UTC'));
    shown.forEach((s, i) => {
      const points = s.points.sort((a, b) => a[0] - b[0]).map(p => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
      chart.appendChild(svg('polyline', { points, fill: 'none', stroke: COLORS[i], 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke' }));
      const item = document.createElement('span');
      const swatch = document.createElement('i');
      swatch.style.background = COLORS[i];
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(s.label));
      legend.appendChild(item);
    });
    if (series.size > MAX_SERIES) {
      legend.appendChild(document.createTextNode(`(${series.size - MAX_SERIES} smaller groups not drawn)`));
    }
  }

  function renderWatermark(w, coverage) {
    // complete/complete_from sit next to the watermark in the answer: false while a new view's history is recomputed.
    $('incomplete').hidden = !coverage || coverage.complete !== false;
    if (!w) {
      $('watermark').textContent = '-';
      return;
    }
    const lines = [
      `batch run id:    ${w.run_id === null ? '(none: speed deltas only)' : w.run_id}`,
      `published at:    ${w.published_at || '-'}`,
      `definition hash: ${w.definition_hash || '-'}`,
      `batch S_p:       ${JSON.stringify(w.partitions || {})}`,
      `speed offsets:   ${JSON.stringify(w.speed || {})}`,
      `complete from:   ${JSON.stringify((coverage && coverage.complete_from) || {})}`,
    ];
    $('watermark').textContent = lines.join('\n');
  }

  function renderAlerts(body) {
    const tbody = $('alerts').tBodies[0];
    tbody.innerHTML = '';
    for (const a of body.alerts) {
      const r = tbody.insertRow();
      r.insertCell().textContent = a.name;
      const state = r.insertCell();
      state.className = a.state;
      state.textContent = a.state + (a.silence ? ' (silenced)' : '');
      // A grouped rule has no value of its own: show how many of its groups fire.
      r.insertCell().textContent = a.group_by.length > 0 ? `${a.firing_groups} of ${a.group_by.join(', ')} firing` : formatValue(a.value);
      r.insertCell().textContent = `${a.measure} of ${a.view}${a.filter ? ' [' + a.filter + ']' : ''} over ${a.window} ${a.condition} ${a.threshold}`;
      r.insertCell().textContent = a.since || '-';
      r.insertCell().textContent = a.last_evaluated_at || '-';
      r.insertCell().textContent = a.last_error || '';
    }
    if (body.alerts.length === 0) {
      const cell = tbody.insertRow().insertCell();
      cell.colSpan = 7;
      cell.className = 'muted';
      cell.textContent = 'no alert rules (Serving:Alerts:Rules or the admin API)';
    }
  }

  async function refresh() {
    const view = currentView();
    if (!view || !apiKey() || $('paused').checked) {
      return;
    }
    if (inFlight) {
      inFlight.abort();
    }
    const controller = new AbortController();
    inFlight = controller;
    const r = range(view);
    const granularity = $('granularity').value;
    const trailing = granularity === 'all' ? '' : $('trailing').value;
    const sr = seriesRange(r, granularity, trailing);
    const groupBy = $('group-by').value;
    const dims = groupBy ? [groupBy] : [];
    const started = performance.now();
    try {
      const totals = await api(queryPath(view, r, 'all', groupBy), controller.signal);
      const series = granularity === 'all' ? totals : await api(queryPath(view, sr, granularity, groupBy, trailing), controller.signal);
      renderTable(view, dims, totals.rows);
      renderChart(sr, dims, $('measure').value, series.rows, granularity);
      renderWatermark(series.watermark, series);
      $('range').textContent = `[${iso(sr.from)}, ${iso(sr.to)}) per ${granularity}${series.window ? `, each point over the trailing ${series.window}` : ''}`;
      if (tick++ % ALERTS_EVERY === 0) {
        renderAlerts(await api(PATHS.alerts, controller.signal));
      }
      showError(null);
      setStatus(`updated ${new Date().toISOString().slice(11, 19)} UTC in ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      if (error.name !== 'AbortError') {
        showError(error);
        setStatus(`failed ${new Date().toISOString().slice(11, 19)} UTC`);
      }
    } finally {
      if (inFlight === controller) {
        inFlight = null;
      }
    }
  }

  function schedule() {
    clearTimeout(timer);
    const loop = async () => {
      await refresh();
      timer = setTimeout(loop, REFRESH_MS);
    };
    loop();
  }

  async function loadCatalog() {
    if (!apiKey()) {
      setStatus('enter an API key with the query scope');
      return;
    }
    try {
      const catalog = await api(PATHS.views);
      views = catalog.views;
      const select = $('view');
      const previous = select.value;
      select.innerHTML = '';
      views.forEach((v, i) => option(select, v.name, `${v.name} (${v.source}, per ${v.granularity})`, previous ? v.name === previous : i === 0));
      fillControls();
      tick = 0;
      showError(null);
      schedule();
    } catch (error) {
      showError(error);
      setStatus('could not load the catalog');
    }
  }

  bindKeyForm(loadCatalog, () => clearTimeout(timer));
  $('view').addEventListener('change', () => { fillControls(); tick = 0; schedule(); });
  $('window').addEventListener('change', () => {
    const view = currentView();
    if (view) {
      $('granularity').value = defaultGranularity(view);
      fillTrailing();
    }
    schedule();
  });
  $('granularity').addEventListener('change', fillTrailing);
  for (const id of ['granularity', 'trailing', 'group-by', 'measure']) {
    $(id).addEventListener('change', schedule);
  }
  $('paused').addEventListener('change', schedule);

  loadCatalog();
}());
