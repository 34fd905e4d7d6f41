'use strict';

// The HTTP status a ClickHouse server answers for an exception code (the server's
// exceptionCodeToHTTPStatus): clients and proxies look at it, so the codes the platform can
// meet keep the server's status; everything else is 500 as on the server.
const BAD_REQUEST = [
  6, 25, 26, 27, 38, 41, 53, 62, 72, 117, 167, 168, 223, 374, // parse errors, syntax, type mismatch, AST limits
];
const NOT_FOUND = [
  46, 47, 50, 56, 60, 63, 73, 78, 81, 115, 116, 336, // UNKNOWN_FUNCTION ... UNKNOWN_DATABASE_ENGINE
];
const FORBIDDEN = [192, 193, 497, 516]; // UNKNOWN_USER, WRONG_PASSWORD, ACCESS_DENIED, AUTHENTICATION_FAILED

function httpStatusFor(code) {
  if (BAD_REQUEST.includes(code)) return 400;
  if (NOT_FOUND.includes(code)) return 404;
  if (FORBIDDEN.includes(code)) return 403;
  if (code === 194) return 401; // REQUIRED_PASSWORD
  if (code === 212) return 413; // QUERY_IS_TOO_LARGE
  if (code === 48) return 501; // NOT_IMPLEMENTED
  if (code === 209 || code === 76) return 503; // SOCKET_TIMEOUT, CANNOT_OPEN_FILE
  return 500;
}

module.exports = { httpStatusFor };
