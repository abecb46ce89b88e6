/**
 * The bridge between NestJS and Effect: one `ManagedRuntime` built from the server's layers
 * (database, transport, registry, background fibers), injected where Effect code is run.
 *
 * @module
 */
import { Cause, Effect, Exit, Fiber, type ManagedRuntime, Stream } from "effect"
import { Observable } from "rxjs"

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

  /** Stop every background fiber and close the database and transport. */
  dispose(): Promise<void> {
    return this.managed.dispose()
  }
}

/**
 * An Effect stream as an RxJS Observable (what Nest's `@Sse()` takes): unsubscribing (the client
 * left) interrupts the stream; its end completes the observable; a failure errors it.
 */
export const toObservable = <A, E, R>(
  runtime: EffectRuntime<R>,
  stream: Stream.Stream<A, E, R>,
): Observable<A> =>
  new Observable<A>((subscriber) => {
    const fiber = runtime.managed.runFork(
      Stream.runForEachChunk(stream, (chunk) =>
        Effect.sync(() => {
          for (const a of chunk) subscriber.next(a)
        }),
      ),
    )
    fiber.addObserver((exit) => {
      // a macrotask later: Nest commits SSE headers in a timer set when it subscribes, and a
      // stream that ends before that timer is answered with an empty body
      setTimeout(() => {
        if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) subscriber.complete()
        else subscriber.error(Cause.squash(exit.cause))
      }, 0)
    })
    return () => {
      runtime.managed.runFork(Fiber.interrupt(fiber))
    }
  })
