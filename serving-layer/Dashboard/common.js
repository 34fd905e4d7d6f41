// What both dashboard pages share: the query key (the tab's sessionStorage, so one key serves both pages), API calls
// with their problem details turned into errors, the error box, the status line and SVG elements.
'use strict';

window.LambdaDashboard = (function () {
  const KEY_STORAGE = 'lambda.dashboard.apiKey';
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  class ApiError extends Error {
    constructor(status, detail, parameter) {
      super(detail);
      this.status = status;
      this.parameter = parameter;
    }
  }

  function apiKey() { return sessionStorage.getItem(KEY_STORAGE) || ''; }

  // The API's problem details (RFC 7807) become an ApiError carrying the status, the detail and the parameter named.
  async function api(path, signal) {
    const response = await fetch(path, { headers: { 'X-Api-Key': apiKey(), 'Accept': 'application/json' }, cache: 'no-store', signal });
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch (parseError) {
      body = { detail: text || String(parseError) };
    }
    if (!response.ok) {
      const detail = (body && (body.detail || body.title)) || response.statusText;
      throw new ApiError(response.status, detail, body && body.parameter);
    }
    return body;
  }

  function showError(error) {
    const box = $('error');
    if (!error) {
      box.className = '';
      box.textContent = '';
      return;
    }
    const status = error.status ? `HTTP ${error.status}: ` : '';
    const parameter = error.parameter ? ` (parameter '${error.parameter}')` : '';
    box.textContent = status + error.message + parameter;
    box.className = 'shown';
  }

  function setStatus(text) { $('status').textContent = text; }

  function svg(name, attributes, text) {
    const element = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attributes)) {
      element.setAttribute(k, v);
    }
    if (text !== undefined) {
      element.textContent = text;
    }
    return element;
  }

  // The header's key form (#key-form, #key, #forget): a new key is stored and announced; "Forget" drops it.
  function bindKeyForm(onKey, onForget) {
    $('key-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const key = $('key').value.trim();
      if (key) {
        sessionStorage.setItem(KEY_STORAGE, key);
        $('key').value = '';
        onKey();
      }
    });
    $('forget').addEventListener('click', () => {
      sessionStorage.removeItem(KEY_STORAGE);
      onForget();
      setStatus('key forgotten');
    });
  }

  return { $, ApiError, apiKey, api, showError, setStatus, svg, bindKeyForm };
}());
