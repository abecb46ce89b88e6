/**
 * The policy step shared by the path tools (mtr, traceroute): check the target against the
 * administrator's allow/deny lists after name resolution, then hand the tool the checked address
 * itself, so the tool cannot resolve the name again to something else (DNS rebinding).
 */
import { Effect, Either } from "effect"
import * as Target from "../../Target.js"
import type { ToolError } from "../../ToolError.js"

/** Policy options a path tool accepts. */
export interface PolicyOptions {
  /** Allow/deny lists, checked after name resolution; the checked address is what gets probed. */
  readonly policy?: Target.Policy
  /** Resolver for the policy check (tests). */
  readonly resolve?: Target.Resolver
}

/** The target to run against: unchanged without a policy, else the first allowed address. */
export const checkedTarget = (
  target: Target.Target,
  options: PolicyOptions,
  ipVersion: 4 | 6 | undefined,
): Effect.Effect<Target.Target, ToolError> => {
  if (options.policy === undefined) return Effect.succeed(target)
  return Effect.map(
    Target.check(
      options.policy,
      target,
      options.resolve !== undefined ? { resolve: options.resolve } : {},
    ),
    (checked) => {
      if (target.kind === "ip") return target
      const wanted = checked.addresses.find(
        (a) => ipVersion === undefined || (ipVersion === 6) === a.includes(":"),
      )
      const parsed = wanted === undefined ? undefined : Target.parse(wanted)
      return parsed !== undefined && Either.isRight(parsed) ? parsed.right : target
    },
  )
}
