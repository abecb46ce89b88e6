/** The machine's RabbitMQ for integration tests: a throwaway vhost per test file. */
import { execFile } from "node:child_process"
import { randomUUID } from "node:crypto"
import { connect } from "node:net"
import { promisify } from "node:util"

const run = promisify(execFile)

/** The broker's AMQP port on loopback. */
export const port = 5672

/** True when something listens on 127.0.0.1:5672. */
export const reachable = (): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port })
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })

/** `rabbitmqctl` with an argument array. */
export const rabbitmqctl = (...args: ReadonlyArray<string>) =>
  run("rabbitmqctl", [...args], { timeout: 60_000 })

/** Create a vhost with full rights for guest; returns its AMQP URL and a cleanup. */
export const vhost = async (label: string) => {
  const name = `netwark-test-${label}-${randomUUID().slice(0, 8)}`
  await rabbitmqctl("add_vhost", name)
  await rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
  return {
    name,
    url: `amqp://guest:guest@127.0.0.1:${port}/${encodeURIComponent(name)}`,
    remove: () => rabbitmqctl("delete_vhost", name).then(() => undefined),
  }
}

/** Wait until the broker accepts AMQP connections again (after `start_app`). */
export const awaitBroker = async (timeoutMs = 30_000) => {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await reachable()) return
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error("RabbitMQ did not come back")
}
