/**
 * Runs a ping through a Netwark server (every worker on the default broadcast queue answers) and
 * prints each worker's replies as they stream in.
 *
 *   npm start &   # the embedded server on http://localhost:6543
 *   npm run remote-ping -w @netwark/examples -- 127.0.0.1
 */
import { ClientError, createClient } from "@netwark/client"

const [target = "127.0.0.1", baseUrl = process.env["NETWARK_URL"] ?? "http://localhost:6543"] =
  process.argv.slice(2)
const api = createClient({ baseUrl })

try {
  const op = await api.createOperation({ type: "ping", target, options: { count: 3 } })
  console.log(`operation ${op.id}`)
  for await (const event of api.operationEvents(op.id)) {
    if (event.type === "progress") console.log(`  progress ${JSON.stringify(event.data)}`)
    if (event.type === "result")
      console.log(`  result from ${event.data.workerId}: ${event.data.status}`)
    if (event.type === "status") console.log(`status ${JSON.stringify(event.data)}`)
  }
} catch (e) {
  if (e instanceof ClientError) {
    console.error(`${e.status ?? ""} ${e.field ?? ""} ${e.problem?.detail ?? e.message}`)
    process.exit(e.reason === "Http" ? 2 : 1)
  }
  throw e
}
