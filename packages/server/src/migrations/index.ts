/**
 * The versioned migrations, applied in order at start (and by `netwark migrate`). Never edit a
 * migration that has shipped: add the next number.
 *
 * @module
 */
import { Migrator } from "@effect/sql"
import init from "./0001_init.js"
import outboxClaim from "./0002_outbox_claim.js"
import resultErrorReason from "./0003_result_error_reason.js"
import resultsCascade from "./0004_results_cascade.js"
import childrenCascade from "./0005_children_cascade.js"
import resultsLz4 from "./0006_results_lz4.js"
import outboxSentIndex from "./0007_outbox_sent_index.js"
import cascadeUnsentOutbox from "./0008_cascade_unsent_outbox.js"

/** Every migration by `<number>_<name>`. */
export const migrations = Migrator.fromRecord({
  "0001_init": init,
  "0002_outbox_claim": outboxClaim,
  "0003_result_error_reason": resultErrorReason,
  "0004_results_cascade": resultsCascade,
  "0005_children_cascade": childrenCascade,
  "0006_results_lz4": resultsLz4,
  "0007_outbox_sent_index": outboxSentIndex,
  "0008_cascade_unsent_outbox": cascadeUnsentOutbox,
})
