'use strict';

const zlib = require('node:zlib');

// URL parameters ClickHouse's HTTP interface reads itself; every other parameter is a setting.
const RESERVED = new Set([
  'query', 'database', 'default_format', 'session_id', 'session_timeout', 'session_check', 'query_id',
  'user', 'password', 'quota_key', 'compress', 'decompress', 'enable_http_compression', 'buffer_size',
  'wait_end_of_query', 'stacktrace', 'role', 'default_database',
]);

// "INSERT INTO <target> FORMAT <name>" followed by the data: the data goes to the engine as a file.
const INSERT_WITH_DATA = /^\s*INSERT\s+INTO\s+([\s\S]+?)\s+FORMAT\s+([A-Za-z0-9_]+)(?:[ \t]*\r?\n|\s|$)/i;

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

class RequestError extends Error {
  constructor(code, name, message) {
    super(message);
    this.clickhouseCode = code;
    this.clickhouseName = name;
  }
}

function decodeBody(raw, encoding) {
  switch ((encoding || '').trim().toLowerCase()) {
    case '':
    case 'identity':
      return raw;
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(raw);
    case 'deflate':
      return zlib.inflateSync(raw);
    case 'br':
      return zlib.brotliDecompressSync(raw);
    default:
      throw new RequestError(73, 'UNKNOWN_FORMAT', `Unknown Content-Encoding: ${encoding}`);
  }
}

// The one account of the stack's ClickHouse (its users.xml): user "default" without a password.
function authenticate(params, headers) {
  let user = params.get('user') ?? headers['x-clickhouse-user'];
  let password = params.get('password') ?? headers['x-clickhouse-key'];
  const basic = /^Basic\s+(.+)$/i.exec(headers.authorization || '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    user ??= colon < 0 ? decoded : decoded.slice(0, colon);
    password ??= colon < 0 ? '' : decoded.slice(colon + 1);
  }
  user = user || 'default';
  if (user !== 'default' || (password ?? '') !== '') {
    throw new RequestError(516, 'AUTHENTICATION_FAILED',
      `${user}: Authentication failed: password is incorrect, or there is no user with such name`);
  }
}

/**
 * Reads one HTTP request the way ClickHouse does: the statement is the `query` parameter followed
 * by the body; for `INSERT ... FORMAT <name>` whatever follows the format name is the data.
 * Returns { sql, insert: {target, format, data} | null, database, format, settings }.
 */
function parseRequest(url, headers, rawBody) {
  const params = url.searchParams;
  authenticate(params, headers);
  const body = decodeBody(rawBody, headers['content-encoding']);
  const urlQuery = params.get('query') ?? '';

  const settings = [];
  for (const [name, value] of params) {
    if (RESERVED.has(name) || name.startsWith('param_')) continue;
    if (!SETTING_NAME.test(name)) {
      throw new RequestError(115, 'UNKNOWN_SETTING', `Unknown setting '${name}'`);
    }
    settings.push([name, value]);
  }

  const database = params.get('database') ?? headers['x-clickhouse-database'] ?? 'default';
  const format = params.get('default_format') ?? headers['x-clickhouse-format'] ?? 'TabSeparated';

  let insert = null;
  let sql;
  const fromUrl = INSERT_WITH_DATA.exec(urlQuery);
  if (fromUrl && urlQuery.slice(fromUrl[0].length).trim() === '') {
    insert = { target: fromUrl[1], format: fromUrl[2], data: body };
  } else {
    const text = urlQuery.length > 0 && body.length > 0 ? `${urlQuery}\n${body.toString('utf8')}` : urlQuery || body.toString('utf8');
    const inline = INSERT_WITH_DATA.exec(text);
    if (inline) {
      const start = Buffer.byteLength(text.slice(0, inline[0].length), 'utf8');
      insert = { target: inline[1], format: inline[2], data: Buffer.from(text, 'utf8').subarray(start) };
    } else {
      sql = text;
    }
  }

  if (!insert && sql.trim() === '') {
    throw new RequestError(62, 'SYNTAX_ERROR', 'Empty query');
  }

  return { sql, insert, database, format, settings };
}

module.exports = { parseRequest, RequestError };
