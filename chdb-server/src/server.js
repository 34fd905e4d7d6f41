'use strict';

// ClickHouse's HTTP interface (the part the Lambda platform uses) over one chDB session.
// Usage: node src/server.js --port 18124 --data <dir> [--timezone UTC]; binds 127.0.0.1 only.

const http = require('node:http');
const path = require('node:path');
const crypto = require('node:crypto');
const { Engine } = require('./engine');
const { parseRequest, RequestError } = require('./request');
const { httpStatusFor } = require('./http-status');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  if (at >= 0 && at + 1 < process.argv.length) return process.argv[at + 1];
  if (fallback === undefined) {
    console.error(`chdb-server: --${name} is required (usage: node src/server.js --port <port> --data <dir> [--timezone UTC])`);
    process.exit(64);
  }
  return fallback;
}

const port = Number.parseInt(option('port'), 10);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`chdb-server: --port must be a TCP port (1-65535), got '${option('port')}'`);
  process.exit(64);
}
const dataPath = path.resolve(option('data'));
const engine = new Engine(path.join(dataPath, 'db'), path.join(dataPath, 'tmp'), option('timezone', 'UTC'));

const CONTENT_TYPES = [
  [/^TabSeparated|^TSV/i, 'text/tab-separated-values; charset=UTF-8'],
  [/^JSON/i, 'application/json; charset=UTF-8'],
  [/^CSV/i, 'text/csv; charset=UTF-8'],
];

function contentType(format) {
  const match = CONTENT_TYPES.find(([pattern]) => pattern.test(format));
  return match ? match[1] : 'application/octet-stream';
}

// The server's error text: "Code: N. DB::Exception: <message> (NAME) (version x.y.z.w)".
function errorText(error) {
  if (error instanceof RequestError) {
    return `Code: ${error.clickhouseCode}. DB::Exception: ${error.message}. (${error.clickhouseName}) (version ${engine.version})\n`;
  }
  const text = String(error.message || error).trim();
  return /^Code: \d+\./.test(text)
    ? `${text} (version ${engine.version})\n`
    : `Code: 1001. DB::Exception: ${text}. (STD_EXCEPTION) (version ${engine.version})\n`;
}

function errorCode(error) {
  if (error instanceof RequestError) return error.clickhouseCode;
  if (Number.isInteger(error.clickhouseCode)) return error.clickhouseCode;
  const match = /^Code: (\d+)\./.exec(String(error.message || ''));
  return match ? Number(match[1]) : 1001;
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function abbreviate(sql) {
  const flat = (sql || '').replace(/\s+/g, ' ').trim();
  return flat.length <= 160 ? flat : `${flat.slice(0, 160)}…`;
}

async function handle(request, response) {
  const url = new URL(request.url, 'http://127.0.0.1');
  const queryId = url.searchParams.get('query_id') || crypto.randomUUID();
  if (url.pathname === '/ping' || (url.pathname === '/' && request.method !== 'POST' && !url.searchParams.has('query'))) {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8' });
    response.end('Ok.\n');
    return;
  }

  if (url.pathname !== '/') {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' });
    response.end(`There is no handle ${url.pathname}\n`);
    return;
  }

  const started = process.hrtime.bigint();
  let parsed;
  try {
    parsed = parseRequest(url, request.headers, await readBody(request));
    const result = await engine.run(parsed);
    response.writeHead(200, {
      'Content-Type': contentType(parsed.format),
      'X-ClickHouse-Format': parsed.format,
      'X-ClickHouse-Timezone': engine.timezone,
      'X-ClickHouse-Query-Id': queryId,
      'X-ClickHouse-Server-Display-Name': 'chdb-server',
    });
    response.end(result);
    log(started, 200, parsed);
  } catch (error) {
    const code = errorCode(error);
    const status = httpStatusFor(code);
    response.writeHead(status, {
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Exception-Code': String(code),
      'X-ClickHouse-Query-Id': queryId,
      'X-ClickHouse-Server-Display-Name': 'chdb-server',
    });
    response.end(errorText(error));
    log(started, status, parsed, code);
  }
}

function log(started, status, parsed, code) {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const what = parsed ? (parsed.insert ? `INSERT INTO ${parsed.insert.target} FORMAT ${parsed.insert.format} (${parsed.insert.data.length} bytes)` : abbreviate(parsed.sql)) : '(unreadable request)';
  console.log(`${new Date().toISOString()} ${status}${code ? ` code ${code}` : ''} ${ms.toFixed(1)} ms ${what}`);
}

async function main() {
  await engine.start();
  const server = http.createServer((request, response) => {
    handle(request, response).catch((error) => {
      console.error(`${new Date().toISOString()} request failed: ${error.stack || error}`);
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=UTF-8' });
      response.end(errorText(error));
    });
  });
  server.keepAliveTimeout = 3000;
  server.listen(port, '127.0.0.1', () => {
    console.log(`${new Date().toISOString()} chdb-server: ClickHouse ${engine.version} (chDB) on http://127.0.0.1:${port}, data in ${dataPath}`);
  });

  const stop = (signal) => {
    console.log(`${new Date().toISOString()} chdb-server: ${signal}, stopping`);
    server.close();
    server.closeAllConnections();
    // Let the statement under way finish before the session goes.
    engine.tail.finally(() => {
      engine.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  console.error(`chdb-server: could not start: ${error.stack || error}`);
  process.exit(1);
});
