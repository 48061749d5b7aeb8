// The page's SDK, as a browser app bundles it: the unmodified @sentry/browser with browser tracing.
import * as Sentry from "@sentry/browser";

window.Sentry = Sentry;
