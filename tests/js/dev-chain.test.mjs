// polkadot.js against a real `cess-node --dev`: metadata, chain properties, a balance transfer
// that is included and finalized.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { startNode, sendAndFinalize, withTimeout } from './lib.mjs';

test('polkadot.js reads metadata and a transfer is finalized on a dev node', { timeout: 240_000 }, async () => {
  await cryptoWaitReady();
  const node = await startNode(['--dev']);
  try {
    const { api } = node;

    // Metadata: our pallets and the token are where polkadot.js apps looks for them.
    assert.ok(api.runtimeMetadata.version >= 14, 'metadata v14+');
    for (const pallet of ['system', 'babe', 'grandpa', 'session', 'balances', 'transactionPayment', 'sudo']) {
      assert.ok(api.query[pallet], `pallet ${pallet} in metadata`);
    }
    assert.equal(api.runtimeVersion.specName.toString(), 'cess');
    assert.deepEqual(api.registry.chainTokens, ['CESS']);
    assert.deepEqual(api.registry.chainDecimals, [18]);
    assert.equal(api.registry.chainSS58, 11330);
    assert.equal(api.consts.babe.expectedBlockTime.toNumber(), 6000);
    assert.equal(api.consts.babe.epochDuration.toNumber(), 10, 'dev sessions are one minute');

    const keyring = new Keyring({ type: 'sr25519', ss58Format: 11330 });
    const alice = keyring.addFromUri('//Alice');
    const bob = keyring.addFromUri('//Bob');
    const amount = 12_345n * 10n ** 18n;

    const before = (await api.query.system.account(bob.address)).data.free.toBigInt();
    const { blockHash, events } = await withTimeout(
      sendAndFinalize(api.tx.balances.transferKeepAlive(bob.address, amount), alice),
      180_000,
      () => `transfer not finalized:\n${node.log().slice(-3000)}`,
    );

    const transfer = events.find(({ event }) => api.events.balances.Transfer.is(event));
    assert.ok(transfer, 'a Balances.Transfer event');
    const success = events.find(({ event }) => api.events.system.ExtrinsicSuccess.is(event));
    assert.ok(success, 'ExtrinsicSuccess');

    const after = (await api.query.system.account.at(blockHash, bob.address)).data.free.toBigInt();
    assert.equal(after - before, amount, 'Bob received exactly the amount');

    const finalized = await api.rpc.chain.getFinalizedHead();
    const finalizedHeader = await api.rpc.chain.getHeader(finalized);
    const txHeader = await api.rpc.chain.getHeader(blockHash);
    assert.ok(finalizedHeader.number.toNumber() >= txHeader.number.toNumber(), 'transfer block is finalized');
  } finally {
    await node.stop();
  }
});
