/**
 * What the server's benches share: a throwaway PostgreSQL database and a throwaway RabbitMQ vhost,
 * each removed after its run with everything in it.
 */
import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import { promisify } from "node:util"
import pg from "pg"

/** The machine's PostgreSQL (trust auth). */
export const adminUrl =
  process.env["NETWARK_TEST_PG"] ?? "postgres://postgres:root@127.0.0.1:5432/postgres"
/** The machine's RabbitMQ. */
export const brokerUrl = process.env["NETWARK_TEST_AMQP"] ?? "amqp://guest:guest@127.0.0.1:5672"

const run = promisify(execFile)
const rabbitmqctl = (...args: ReadonlyArray<string>) =>
  run("rabbitmqctl", [...args], { timeout: 60_000 })

/** Run `f` on a database of its own (dropped after). */
export const withDatabase = async <A>(f: (url: string) => Promise<A>): Promise<A> => {
  const name = `netwark_bench_${randomBytes(5).toString("hex")}`
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  try {
    return await f(url.toString())
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  }
}

/** Run `f` on a RabbitMQ vhost of its own (deleted after, with its queues and exchanges). */
export const withVhost = async <A>(f: (url: string) => Promise<A>): Promise<A> => {
  const vhost = `netwark-bench-${randomBytes(4).toString("hex")}`
  await rabbitmqctl("add_vhost", vhost)
  try {
    const url = new URL(brokerUrl)
    await rabbitmqctl(
      "set_permissions",
      "-p",
      vhost,
      decodeURIComponent(url.username),
      ".*",
      ".*",
      ".*",
    )
    url.pathname = `/${encodeURIComponent(vhost)}`
    return await f(url.toString())
  } finally {
    await rabbitmqctl("delete_vhost", vhost)
  }
}
