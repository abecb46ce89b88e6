import { afterAll, beforeAll, describe } from "vitest"
import * as RabbitMq from "../src/RabbitMq.js"
import { contract } from "./contract.js"
import * as Rabbit from "./support/rabbit.js"

const up = await Rabbit.reachable()
let host: Awaited<ReturnType<typeof Rabbit.vhost>> | undefined

describe.skipIf(!up)(
  "RabbitMQ transport (skipped when no broker listens on 127.0.0.1:5672)",
  () => {
    beforeAll(async () => {
      host = await Rabbit.vhost("contract")
    })
    afterAll(async () => {
      await host?.remove()
    })
    contract("rabbitmq", (options) =>
      RabbitMq.layer({ ...options, url: host!.url, connectionName: "netwark-contract-test" }),
    )
  },
)
