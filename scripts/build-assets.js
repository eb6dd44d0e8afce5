#!/usr/bin/env node
// `npm run build`, after tsc: the files the compiled code reads beside itself (the config seed, the web pages).
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
fs.mkdirSync(path.join(dist, 'config'), { recursive: true });
fs.copyFileSync(path.join(root, 'config/pairs.yaml'), path.join(dist, 'config/pairs.yaml'));
fs.rmSync(path.join(dist, 'web/public'), { recursive: true, force: true });
fs.cpSync(path.join(root, 'web/public'), path.join(dist, 'web/public'), { recursive: true });
