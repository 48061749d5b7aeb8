// Sends one captured exception and one message with the unmodified @sentry/node SDK, then prints their event
// ids as JSON: {"exception": "<id>", "message": "<id>"}. The DSN comes from SENTRY_DSN; the run's marker
// (HERON_TEST_MARKER) goes into both events so the test can tell them apart.
import * as Sentry from "@sentry/node";

const dsn = process.env.SENTRY_DSN;
const marker = process.env.HERON_TEST_MARKER ?? "node";
if (!dsn) {
  console.error("SENTRY_DSN is not set");
  process.exit(2);
}

Sentry.init({ dsn, release: "node-app@1.2.3", environment: "staging", tracesSampleRate: 0 });
Sentry.setTag("runtime.check", marker);
Sentry.setUser({ id: "node-user-7", email: "ada@example.com" });

function chargeCard(amount) {
  throw new TypeError(`card declined for ${amount} (${marker})`);
}

let exceptionId;
try {
  chargeCard(42);
} catch (error) {
  exceptionId = Sentry.captureException(error);
}
const messageId = Sentry.captureMessage(`queue is backing up (${marker})`, "warning");

// flush() only says whether sending finished in time, not whether it succeeded: the test reads back what landed.
if (!(await Sentry.flush(10000))) {
  console.error("@sentry/node did not finish sending within 10 s");
  process.exit(1);
}
console.log(JSON.stringify({ exception: exceptionId, message: messageId }));
