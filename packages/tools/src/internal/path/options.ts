/**
 * Option checks that mtr and traceroute share: both probe with ICMP, UDP or TCP, take a port only
 * for UDP and TCP, and take `-4`/`-6` that must agree with an IP literal target.
 */
import { Either } from "effect"
import type * as Target from "../../Target.js"
import { type ToolError, invalidInput } from "../../ToolError.js"
import * as V from "../options/Options.js"

/** The destination port, 1–65535; ICMP has no ports, so a port with it is an error. */
export const probePort = (
  port: unknown,
  protocol: "icmp" | "udp" | "tcp",
): Either.Either<number | undefined, ToolError> =>
  Either.flatMap(
    V.optional(port, (v) => V.int("port", v, 1, 65535)),
    (p): Either.Either<number | undefined, ToolError> =>
      p !== undefined && protocol === "icmp"
        ? Either.left(invalidInput("port", "port needs protocol udp or tcp"))
        : Either.right(p),
  )

/** The IP version to force: the option, or the literal's own; a conflict is an error. */
export const ipVersionFor = (
  target: Target.Target,
  v: 4 | 6 | undefined,
): Either.Either<4 | 6 | undefined, ToolError> =>
  target.kind === "ip" && v !== undefined && v !== target.version
    ? Either.left(
        invalidInput(
          "ipVersion",
          `ipVersion ${v} does not match IPv${target.version} target ${target.address}`,
        ),
      )
    : Either.right(target.kind === "ip" ? target.version : v)

/** A path tool's options, validated, and the IP version to force for its target. */
export interface Checked<R> {
  readonly options: R
  readonly version: 4 | 6 | undefined
}

/**
 * A tool's whole check of a target and options (its `validate`, then {@link ipVersionFor}): what
 * its `argv` builds from and its `check` answers, so the two cannot refuse different things.
 */
export const checkWith =
  <O, R extends { readonly ipVersion?: 4 | 6 | undefined }>(
    validate: (options: O) => Either.Either<R, ToolError>,
  ) =>
  (target: Target.Target, options: O): Either.Either<Checked<R>, ToolError> =>
    Either.flatMap(validate(options), (o) =>
      Either.map(ipVersionFor(target, o.ipVersion), (version) => ({ options: o, version })),
    )
