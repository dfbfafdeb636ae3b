// polkadot.js against a real `cess-node --dev`: metadata and chain properties, a balance
// transfer finalized, a storage miner registered with its libp2p key.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { u8aConcat, stringToU8a, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, ed25519PairFromSeed, ed25519Sign } from '@polkadot/util-crypto';
import { startNode, sendAndFinalize, withTimeout } from './lib.mjs';

const CESS = 10n ** 18n;

describe('dev node', { timeout: 600_000 }, () => {
  let node;
  let api;
  let keyring;

  before(async () => {
    await cryptoWaitReady();
    node = await startNode(['--dev']);
    api = node.api;
    keyring = new Keyring({ type: 'sr25519', ss58Format: 11330 });
  });

  after(async () => {
    await node?.stop();
  });

  const finalize = (tx, signer, what) =>
    withTimeout(sendAndFinalize(tx, signer), 180_000, () => `${what} not finalized:\n${node.log().slice(-3000)}`);

  test('metadata, token and consensus constants are what polkadot.js apps reads', () => {
    assert.ok(api.runtimeMetadata.version >= 14, 'metadata v14+');
    for (const pallet of ['system', 'babe', 'grandpa', 'session', 'balances', 'transactionPayment', 'sudo', 'sminer', 'r2s', 'incentive', 'treasury', 'referenda', 'convictionVoting']) {
      assert.ok(api.query[pallet], `pallet ${pallet} in metadata`);
    }
    assert.equal(api.runtimeVersion.specName.toString(), 'cess');
    assert.deepEqual(api.registry.chainTokens, ['CESS']);
    assert.deepEqual(api.registry.chainDecimals, [18]);
    assert.equal(api.registry.chainSS58, 11330);
    assert.equal(api.consts.babe.expectedBlockTime.toNumber(), 6000);
    assert.equal(api.consts.babe.epochDuration.toNumber(), 10, 'dev sessions are one minute');
  });

  test('a balance transfer is included and finalized', async () => {
    const alice = keyring.addFromUri('//Alice');
    const bob = keyring.addFromUri('//Bob');
    const amount = 12_345n * CESS;

    const before = (await api.query.system.account(bob.address)).data.free.toBigInt();
    const { blockHash, events } = await finalize(
      api.tx.balances.transferKeepAlive(bob.address, amount), alice, 'transfer');

    assert.ok(events.some(({ event }) => api.events.balances.Transfer.is(event)), 'Balances.Transfer');
    assert.ok(events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)), 'ExtrinsicSuccess');
    const after = (await api.query.system.account.at(blockHash, bob.address)).data.free.toBigInt();
    assert.equal(after - before, amount, 'Bob received exactly the amount');

    const finalized = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
    const included = await api.rpc.chain.getHeader(blockHash);
    assert.ok(finalized.number.toNumber() >= included.number.toNumber(), 'its block is finalized');
  });

  test('a storage miner registers, binding its libp2p ed25519 key', async () => {
    const miner = keyring.addFromUri('//Charlie');
    // The miner's libp2p node key signs "cess/sminer/bind-peer" ‖ SCALE(account id).
    const peer = ed25519PairFromSeed(new Uint8Array(32).fill(42));
    const signature = ed25519Sign(u8aConcat(stringToU8a('cess/sminer/bind-peer'), miner.publicKey), peer);
    const space = 3n << 40n; // 3 TiB

    const tx = api.tx.sminer.register(
      miner.address, u8aToHex(peer.publicKey), u8aToHex(signature), ['/ip4/127.0.0.1/tcp/15001'], space);
    const { events } = await finalize(tx, miner, 'sminer.register');

    const registered = events.find(({ event }) => api.events.sminer.Registered.is(event));
    assert.ok(registered, 'Sminer.Registered event');
    // Development chain: one CESS of collateral per declared TiB.
    assert.equal(registered.event.data.collateral.toBigInt(), 3n * CESS);

    const info = (await api.query.sminer.miners(miner.address)).unwrap();
    assert.equal(info.declaredSpace.toBigInt(), space);
    assert.ok(info.state.isActive, 'the miner is Active');

    // A binding signed by another key than the one claimed is refused with a named error…
    const eve = keyring.addFromUri('//Eve');
    const claimed = ed25519PairFromSeed(new Uint8Array(32).fill(43));
    const other = ed25519PairFromSeed(new Uint8Array(32).fill(44));
    const forged = ed25519Sign(u8aConcat(stringToU8a('cess/sminer/bind-peer'), eve.publicKey), other);
    const addr = ['/ip4/127.0.0.1/tcp/15002'];
    await assert.rejects(
      finalize(api.tx.sminer.register(eve.address, u8aToHex(claimed.publicKey), u8aToHex(forged), addr, space), eve, 'forged'),
      /sminer\.InvalidPeerSignature/,
    );
    // …and so is a PeerId that is already bound to Charlie.
    const stolen = ed25519Sign(u8aConcat(stringToU8a('cess/sminer/bind-peer'), eve.publicKey), peer);
    await assert.rejects(
      finalize(api.tx.sminer.register(eve.address, u8aToHex(peer.publicKey), u8aToHex(stolen), addr, space), eve, 'stolen'),
      /sminer\.PeerIdInUse/,
    );
  });
});
