// Cancelling a push wait with its `signal`: the signal belongs to that one call. An abort while a poll is in flight
// aborts that very request, the wait rejects with `aborted`, the stage stays, and the next call runs without it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import pkg from "./pkg.mjs";
import { startEmulator } from "./emulator.mjs";

const { MfaClient } = pkg;
const PASSWORD = "Cancel-check Pa55word";
const OOB_GRANT = "grant_type=http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fmfa-oob";

let emulator;
let clientId;

before(async () => {
  emulator = await startEmulator([]);
  clientId = `cancel-${process.pid}`;
  await emulator.control("POST", "/__emu/clients", { client_id: clientId, auth_method: "none", allowed_origins: [] });
});

after(() => emulator?.stop());

/** A `fetch` that passes every request on, and reports each push poll to `onPoll(init)` as it starts. */
function watchingFetch(onPoll) {
  return (url, init) => {
    if (String(init?.body).startsWith(OOB_GRANT)) onPoll(init);
    return fetch(url, init);
  };
}

async function challengedPush(fetch) {
  const username = `cancel-${process.pid}-${Math.random().toString(36).slice(2)}@example.com`;
  await emulator.control("POST", "/__emu/users", { username, password: PASSWORD, authenticators: [{ type: "push", name: "Phone" }] });
  const client = new MfaClient({ domain: emulator.url, clientId, fetch });
  assert.equal((await client.login(username, PASSWORD)).stage, "mfa_required");
  await client.challenge({ type: "push" });
  return { client, username };
}

async function code(promise) {
  const error = await promise.then(
    () => assert.fail("resolved"),
    (e) => e,
  );
  return error.code;
}

test("an abort during a poll aborts that request; the next wait runs without the signal", async () => {
  const polls = [];
  const controller = new AbortController();
  const { client, username } = await challengedPush(
    watchingFetch((init) => {
      polls.push(init.signal);
      // The first poll is in flight: cancel the wait now.
      if (polls.length === 1) queueMicrotask(() => controller.abort());
    }),
  );
  assert.equal(await code(client.waitForPush({ intervalMs: 1000, signal: controller.signal })), "aborted");
  assert.equal(polls.length, 1);
  assert.equal(polls[0].aborted, true, "the poll in flight was aborted");
  assert.equal(client.stage, "challenged");

  await emulator.control("POST", `/__emu/pushes/latest/approve?user=${encodeURIComponent(username)}`);
  const tokens = await client.waitForPush({ intervalMs: 1000 });
  assert.equal(typeof tokens.accessToken, "string");
  assert.equal(polls.length, 2);
  assert.equal(polls[1].aborted, false, "the caller's aborted signal is not carried over");
});

test("a signal aborted before the wait sends no poll", async () => {
  const polls = [];
  const { client } = await challengedPush(watchingFetch((init) => polls.push(init)));
  assert.equal(await code(client.waitForPush({ intervalMs: 1000, signal: AbortSignal.abort() })), "aborted");
  assert.equal(polls.length, 0);
  assert.equal(client.stage, "challenged");
});

test("a finished request's signal is left alone: only a cancelled one is aborted", async () => {
  const signals = [];
  const { client, username } = await challengedPush((url, init) => {
    signals.push(init.signal);
    return fetch(url, init);
  });
  await emulator.control("POST", `/__emu/pushes/latest/approve?user=${encodeURIComponent(username)}`);
  await client.waitForPush({ intervalMs: 1000, signal: new AbortController().signal });
  assert.equal(signals.length, 4, "password grant, list, challenge, one poll");
  assert.deepEqual(signals.map((signal) => signal.aborted), [false, false, false, false]);
});
