'use strict';

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { Session } = require('chdb');

function quoteIdentifier(name) {
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}

function quoteString(value) {
  return "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

/**
 * One chDB session (one ClickHouse 26.7 engine in this process, data under dataPath). chDB runs one
 * statement of a session at a time, and `database` and settings are per request on a server but
 * per session here, so requests run strictly one after another: each one selects its database,
 * sets its settings, runs, and puts the settings back to their defaults.
 */
class Engine {
  constructor(dataPath, tempPath, timezone) {
    fs.mkdirSync(dataPath, { recursive: true });
    fs.mkdirSync(tempPath, { recursive: true });
    this.session = new Session(dataPath);
    this.tempPath = tempPath;
    this.timezone = timezone;
    this.tail = Promise.resolve();
    this.version = 'unknown';
  }

  async start() {
    // The server's time zone, as `timezone` in a server's config: DateTime columns without a zone
    // of their own are read and written in it.
    await this.session.queryAsync(`SET session_timezone = ${quoteString(this.timezone)}`);
    this.version = (await this.session.queryAsync('SELECT version()', { format: 'TabSeparated' })).text().trim();
  }

  /** Queues one parsed request; resolves to the result bytes. */
  run(request) {
    const result = this.tail.then(() => this.execute(request));
    this.tail = result.then(() => undefined, () => undefined);
    return result;
  }

  async execute({ sql, insert, database, format, settings }) {
    await this.session.queryAsync(`USE ${quoteIdentifier(database)}`);
    const changed = [];
    try {
      for (const [name, value] of settings) {
        await this.session.queryAsync(`SET ${name} = ${quoteString(value)}`);
        changed.push(name);
      }

      if (insert) {
        return await this.insertFromBody(insert);
      }

      return Buffer.from((await this.session.queryAsync(sql, { format })).bytes());
    } finally {
      for (const name of changed) {
        await this.session.queryAsync(`SET ${name} = DEFAULT`);
      }
    }
  }

  // Binary formats (RowBinary) cannot travel inside a statement's text: the body goes to a file
  // the engine reads itself with INSERT ... FROM INFILE.
  async insertFromBody({ target, format, data }) {
    const file = path.join(this.tempPath, `insert-${crypto.randomUUID()}.${format}`);
    fs.writeFileSync(file, data);
    try {
      await this.session.queryAsync(`INSERT INTO ${target} FROM INFILE ${quoteString(file)} FORMAT ${format}`);
      return Buffer.alloc(0);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  close() {
    this.session.close();
  }
}

module.exports = { Engine };
