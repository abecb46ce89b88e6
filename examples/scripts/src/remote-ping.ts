/**
 * Runs a ping through a Netwark server (every worker on the default broadcast queue answers) and
 * prints each worker's replies as they stream in.
 *
 *   npm start &   # the embedded server on http://localhost:6543
 *   npm run remote-ping -w @netwark/examples -- 127.0.0.1 [server URL, or NETWARK_URL]
 *
 * Exit codes: 0 done, 1 the server could not be reached or the operation did not succeed on every
 * worker, 2 the server refused the request (bad target or option).
 */
import { ClientError, createClient } from "@netwark/client"

const [target = "127.0.0.1", baseUrl = process.env["NETWARK_URL"] ?? "http://localhost:6543"] =
  process.argv.slice(2)
const api = createClient({ baseUrl })

try {
  const op = await api.createOperation({ type: "ping", target, options: { count: 3 } })
  console.log(`operation ${op.id}`)
  let status: string = op.status
  for await (const event of api.operationEvents(op.id)) {
    if (event.type === "progress") console.log(`  progress ${JSON.stringify(event.data)}`)
    if (event.type === "result")
      console.log(`  result from ${event.data.workerId}: ${event.data.status}`)
    if (event.type === "status") console.log(`status ${JSON.stringify(event.data)}`)
    if (event.type === "status" || event.type === "snapshot") status = event.data.status
  }
  if (status !== "done") process.exit(1)
} catch (e) {
  if (e instanceof ClientError) {
    // Http: what the server said and about which field; otherwise why it could not be asked.
    console.error(
      e.reason === "Http"
        ? `${e.status}${e.field === undefined ? "" : ` ${e.field}`}: ${e.problem.detail ?? e.message}`
        : e.message,
    )
    process.exit(e.reason === "Http" && e.status < 500 ? 2 : 1)
  }
  throw e
}
