#!/usr/bin/env node
'use strict';

// Starts s3rver with a key pair taken from the environment (or from files, e.g. Docker secrets) instead of its built-in
// S3RVER/S3RVER pair, which it then refuses. docker-compose.yml runs this; scripts/lambda runs s3rver's own command line
// with the built-in pair. s3rver has no setting for its keys: its account registry is the only way in.
//
//   S3_ACCESS_KEY / S3_ACCESS_KEY_FILE   the access key id (required)
//   S3_SECRET_KEY / S3_SECRET_KEY_FILE   its secret (required)
//   S3_BUCKET      bucket created at start (default lambda)
//   S3_DIRECTORY   where the objects are kept (default /var/lib/s3rver)
//   S3_ADDRESS     address to bind (default 0.0.0.0)
//   S3_PORT        port (default 4568)
//
// s3rver 3.7.1 checks only the access key id: it does not verify SigV4 signatures (so the secret is never checked) and
// it serves unsigned requests. The key pair is what the services send and what a real S3 would check; here only the
// network keeps strangers out (docker-compose.yml publishes no port of it).

const fs = require('fs');
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');

function secret(name) {
  const file = process.env[`${name}_FILE`];
  const value = file ? fs.readFileSync(file, 'utf8').trim() : (process.env[name] || '').trim();
  if (!value) {
    console.error(`${name} (or ${name}_FILE) must be set: the S3-protocol server has no default key pair here`);
    process.exit(2);
  }
  return value;
}

const accessKey = secret('S3_ACCESS_KEY');
const secretKey = secret('S3_SECRET_KEY');
AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKey, secretKey);

const directory = process.env.S3_DIRECTORY || '/var/lib/s3rver';
fs.mkdirSync(directory, { recursive: true });
new S3rver({
  directory,
  address: process.env.S3_ADDRESS || '0.0.0.0',
  port: Number(process.env.S3_PORT || 4568),
  silent: true,
  vhostBuckets: false,
  configureBuckets: [{ name: process.env.S3_BUCKET || 'lambda', configs: [] }],
})
  .run()
  .then(({ address, port }) => console.log(`s3rver listening on ${address}:${port}`))
  .catch(error => {
    console.error(error);
    process.exit(1);
  });
