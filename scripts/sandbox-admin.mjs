#!/usr/bin/env node
// Calls the JumpCloud sandbox's admin surface (the sandbox's "admin console") over HTTPS,
// trusting the sandbox's own CA: verification stays on. For demos and rehearsals:
//   echo '{"url":"https://127.0.0.1:8443","caFile":"DIR/tls/ca.pem","apiKeyFile":"DIR/apikey.secret",
//          "calls":[{"method":"PATCH","path":"/users/alice","body":{"suspended":true}}]}' | node scripts/sandbox-admin.mjs
// Prints the JSON answers, one array. The API key is read from its file, never from argv.
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

function call(agent, url, apiKey, { method, path, body }) {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = { 'x-api-key': apiKey, Accept: 'application/json' };
    if (text) headers['Content-Type'] = 'application/json';
    const req = https.request(`${url}/sandbox/admin${path}`, { method, agent, headers, timeout: 15_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${raw}`));
        else resolve(raw ? JSON.parse(raw) : null);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(text);
  });
}

/** Runs the calls in order against the sandbox at `url`; returns their answers. */
export async function sandboxAdmin({ url, caFile, apiKeyFile }, calls) {
  const apiKey = readFileSync(apiKeyFile, 'utf8').trim();
  const agent = new https.Agent({ ca: readFileSync(caFile, 'utf8'), keepAlive: true });
  try {
    const results = [];
    for (const c of calls) results.push(await call(agent, url, apiKey, c));
    return results;
  } finally {
    agent.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  try {
    process.stdout.write(JSON.stringify(await sandboxAdmin(request, request.calls)) + '\n');
  } catch (err) {
    process.stderr.write(`sandbox-admin: ${err.message}\n`);
    process.exit(1);
  }
}
