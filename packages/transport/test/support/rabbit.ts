/**
 * The machine's RabbitMQ for integration tests (a throwaway vhost per test file), and a node of a
 * test's own for the tests that stop the broker.
 */
import { execFile, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { existsSync } from "node:fs"
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { connect, createServer, type AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)

/** The broker's AMQP port on loopback. */
export const port = 5672

/** True when something listens on 127.0.0.1:`on` (the machine's broker by default). */
export const reachable = (on: number = port): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: on })
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

/** Wait until a broker accepts AMQP connections on 127.0.0.1:`on`. */
const untilReachable = async (on: number, timeoutMs: number) => {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await reachable(on)) return
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`RabbitMQ did not listen on 127.0.0.1:${on} within ${timeoutMs} ms`)
}

/** A RabbitMQ node of a test's own, which it may stop and start. */
export interface PrivateNode {
  /** `amqp://guest:guest@127.0.0.1:<port>/` */
  readonly url: string
  /** `rabbitmqctl` against this node. */
  readonly ctl: (...args: ReadonlyArray<string>) => Promise<unknown>
  /** Stop the node and remove its folder. */
  readonly close: () => Promise<void>
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })

// Debian's /usr/sbin wrappers switch to the rabbitmq user and its cookie; the real scripts do not.
const bin = (name: string) =>
  existsSync(`/usr/lib/rabbitmq/bin/${name}`) ? `/usr/lib/rabbitmq/bin/${name}` : name

/**
 * Start a RabbitMQ node of this test's own: its own name, ports, cookie and data folder, no
 * plugins. A test that stops the broker stops this one: stopping the machine's would cut every
 * other run using it at that moment. Takes ~5 s.
 */
export const privateNode = async (timeoutMs = 60_000): Promise<PrivateNode> => {
  const dir = await mkdtemp(path.join(tmpdir(), "netwark-rabbit-"))
  const home = path.join(dir, "home")
  await mkdir(home)
  const cookie = path.join(home, ".erlang.cookie")
  await writeFile(cookie, randomUUID().replaceAll("-", ""))
  await chmod(cookie, 0o400)
  const [amqp, dist] = [await freePort(), await freePort()]
  await writeFile(path.join(dir, "rabbitmq.conf"), `listeners.tcp.local = 127.0.0.1:${amqp}\n`)
  await writeFile(path.join(dir, "enabled_plugins"), "[].\n")
  const node = `netwark-test-${randomUUID().slice(0, 8)}@localhost`
  const env = {
    ...process.env,
    HOME: home,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_NODE_PORT: String(amqp),
    RABBITMQ_DIST_PORT: String(dist),
    // the machine's rabbitmq-env.conf names its own node
    RABBITMQ_CONF_ENV_FILE: path.join(dir, "rabbitmq-env.conf"),
    RABBITMQ_CONFIG_FILE: path.join(dir, "rabbitmq.conf"),
    RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dir, "advanced.config"),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, "enabled_plugins"),
    RABBITMQ_MNESIA_BASE: path.join(dir, "mnesia"),
    RABBITMQ_LOG_BASE: path.join(dir, "log"),
    RABBITMQ_PID_FILE: path.join(dir, "pid"),
  }
  // a group of its own, so that nothing of the Erlang VM outlives a failed stop
  const server = spawn(bin("rabbitmq-server"), [], {
    cwd: dir,
    env,
    stdio: "ignore",
    detached: true,
  })
  const exited = new Promise<void>((resolve) => {
    server.once("exit", () => resolve())
    server.once("error", () => resolve())
  })
  const ctl = (...args: ReadonlyArray<string>) =>
    run(bin("rabbitmqctl"), ["-n", node, ...args], { cwd: dir, env, timeout: 60_000 })
  const close = async () => {
    await ctl("stop").catch(() => undefined)
    try {
      if (server.pid !== undefined) process.kill(-server.pid, "SIGKILL")
    } catch {
      // already gone
    }
    await exited
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await untilReachable(amqp, timeoutMs)
  } catch (e) {
    await close()
    throw e
  }
  return { url: `amqp://guest:guest@127.0.0.1:${amqp}/`, ctl, close }
}
