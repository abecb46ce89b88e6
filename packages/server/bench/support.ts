/**
 * What the server's benches share: a throwaway PostgreSQL database and a throwaway RabbitMQ vhost
 * (the test environment's, `test/support/env.ts`), each removed after its run with everything in it.
 */
import { createBroker, createDatabase } from "../test/support/env.js"

/** Run `f` on a database of its own (dropped after). */
export const withDatabase = async <A>(f: (url: string) => Promise<A>): Promise<A> => {
  const db = await createDatabase()
  try {
    return await f(db.url)
  } finally {
    await db.drop()
  }
}

/** Run `f` on a RabbitMQ vhost of its own (deleted after, with its queues and exchanges). */
export const withVhost = async <A>(f: (url: string) => Promise<A>): Promise<A> => {
  const broker = await createBroker()
  try {
    return await f(broker.url)
  } finally {
    await broker.remove()
  }
}
