// Sends one captured exception, one message and one traced task (a span with a child span, which @sentry/node 11
// streams as span items) with the unmodified @sentry/node SDK, then prints the events' ids as JSON:
// {"exception": "<id>", "message": "<id>"}. The DSN comes from SENTRY_DSN; the run's marker (HERON_TEST_MARKER)
// goes into the events and the task's name so the test can tell them apart.
import * as Sentry from "@sentry/node";

const dsn = process.env.SENTRY_DSN;
const marker = process.env.HERON_TEST_MARKER ?? "node";
if (!dsn) {
  console.error("SENTRY_DSN is not set");
  process.exit(2);
}

Sentry.init({ dsn, release: "node-app@1.2.3", environment: "staging", tracesSampleRate: 1.0 });
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

await Sentry.startSpan({ name: `nightly-invoices-${marker}`, op: "task" }, async () => {
  await Sentry.startSpan({ name: "SELECT * FROM invoices WHERE due < now()", op: "db" }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 25));
  });
});

// flush() only says whether sending finished in time, not whether it succeeded: the test reads back what landed.
if (!(await Sentry.flush(10000))) {
  console.error("@sentry/node did not finish sending within 10 s");
  process.exit(1);
}
console.log(JSON.stringify({ exception: exceptionId, message: messageId }));
