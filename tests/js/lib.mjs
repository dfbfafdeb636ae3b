// Helpers for polkadot.js tests: start a real cess-node on free ports and wait for it.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';
import { ApiPromise, WsProvider } from '@polkadot/api';

/** The node binary: $CESS_NODE_BIN, else the release build in $CARGO_TARGET_DIR. */
export const NODE_BIN =
  process.env.CESS_NODE_BIN ||
  join(process.env.CARGO_TARGET_DIR || join(homedir(), '.cache/cess/target'), 'release/cess-node');

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `cess-node <args>` in a temp base path; returns { api, stop, log }. */
export async function startNode(args) {
  const base = mkdtempSync(join(tmpdir(), 'cess-js-'));
  const rpcPort = await freePort();
  const p2pPort = await freePort();
  const logFile = join(base, 'node.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    NODE_BIN,
    [
      '--base-path', base,
      '--rpc-port', String(rpcPort),
      '--listen-addr', `/ip4/127.0.0.1/tcp/${p2pPort}`,
      '--no-mdns', '--no-telemetry', '--no-prometheus',
      ...args,
    ],
    { stdio: ['ignore', out, out] },
  );
  const log = () => readFileSync(logFile, 'utf8');
  const stop = async (api) => {
    if (api) await api.disconnect().catch(() => {});
    child.kill('SIGKILL');
    rmSync(base, { recursive: true, force: true });
  };
  const provider = new WsProvider(`ws://127.0.0.1:${rpcPort}`, 1000);
  const api = await withTimeout(ApiPromise.create({ provider, noInitWarn: true }), 60_000,
    () => `node did not answer on port ${rpcPort}:\n${log().slice(-3000)}`);
  return { api, provider, stop: () => stop(api), log };
}

/** Rejects with `msg()` if `promise` takes longer than `ms`. */
export function withTimeout(promise, ms, msg) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(msg())), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Signs and sends `tx`, resolving with the events once its block is finalized. */
export function sendAndFinalize(tx, signer) {
  return new Promise((resolve, reject) => {
    let unsub;
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        unsub?.();
        let reason = dispatchError.toString();
        if (dispatchError.isModule) {
          const { section, name } = tx.registry.findMetaError(dispatchError.asModule);
          reason = `${section}.${name}`;
        }
        reject(new Error(`dispatch error: ${reason}`));
      } else if (status.isFinalized) {
        unsub?.();
        resolve({ blockHash: status.asFinalized, events });
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        unsub?.();
        reject(new Error(`transaction ${status.type}`));
      }
    }).then((u) => { unsub = u; }, reject);
  });
}

/**
 * Resolves with the first event of a best block for which `predicate(event)` holds, watching
 * `system.events` from now on; rejects with `msg()` after `ms`.
 */
export function waitForEvent(api, predicate, ms, msg) {
  let unsub;
  let done = false;
  const found = new Promise((resolve, reject) => {
    api.query.system.events((records) => {
      const hit = records.find(({ event }) => predicate(event));
      if (hit) resolve(hit.event);
    }).then((u) => {
      if (done) u();
      else unsub = u;
    }, reject);
  });
  return withTimeout(found, ms, msg).finally(() => {
    done = true;
    unsub?.();
  });
}
