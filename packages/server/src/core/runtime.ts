/**
 * The bridge between NestJS and Effect: one `ManagedRuntime` built from the server's layers
 * (database, transport, registry, background fibers), injected where Effect code is run.
 *
 * @module
 */
import { Cause, type Context, type Effect, Exit, type ManagedRuntime } from "effect"

/** Runs Effect programs for Nest providers; a failure is rethrown as its typed error. */
export class EffectRuntime<R = unknown> {
  constructor(readonly managed: ManagedRuntime.ManagedRuntime<R, unknown>) {}

  /**
   * Run an effect; a typed failure is thrown as the error itself (e.g. a `ToolError`), so the
   * problem filter maps it by its reason.
   */
  async run<A, E>(effect: Effect.Effect<A, E, R>, signal?: AbortSignal): Promise<A> {
    const exit = await this.managed.runPromiseExit(
      effect,
      signal === undefined ? undefined : { signal },
    )
    if (Exit.isSuccess(exit)) return exit.value
    throw Cause.squash(exit.cause)
  }

  /**
   * A service of the runtime, for a provider to keep: read at once (the server builds its layers
   * before Nest starts), so that a request need not run a fiber to reach it.
   */
  service<I extends R, S>(tag: Context.Tag<I, S>): S {
    return this.managed.runSync(tag)
  }

  /** Stop every background fiber and close the database and transport. */
  dispose(): Promise<void> {
    return this.managed.dispose()
  }
}
