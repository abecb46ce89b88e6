import { Injectable } from "@nestjs/common"
import { IpCalc, type ToolError } from "@netwark/tools"
import { Either } from "effect"
import { Problem } from "../core/problem.js"
import type { AggregateBody, ContainsBody, SubnetsQuery } from "./ipcalc.dto.js"

// The library names the part of the text it could not read; the API names its own inputs.
const PATH_FIELDS: Readonly<Record<string, string>> = {
  address: "address",
  input: "address",
  prefix: "prefix",
  netmask: "prefix",
}

const invalid = (e: ToolError.ToolError, field: string): Problem =>
  Problem.invalid(field, e.message, e.reason)

const orThrow = <A>(
  r: Either.Either<A, ToolError.ToolError>,
  field: (e: ToolError.ToolError) => string,
): A => {
  if (Either.isRight(r)) return r.right
  throw invalid(r.left, field(r.left))
}

/** The subnet calculator over `@netwark/tools` `IpCalc`: pure, no I/O. */
@Injectable()
export class IpCalcService {
  /** The full report of `address` alone (a host route) or of `address/prefix`. */
  info(address: string, prefix?: string): IpCalc.Info {
    if (prefix === undefined && address.includes(" "))
      throw Problem.invalid("address", `address "${address}" must not contain spaces`)
    const input = prefix === undefined ? address : `${address}/${prefix}`
    if (prefix !== undefined && address.includes("/"))
      throw Problem.invalid("address", `address "${address}" already has a prefix`)
    return orThrow(IpCalc.info(input), (e) => PATH_FIELDS[e.field ?? ""] ?? "address")
  }

  /** One page of the subnets of `address/prefix` with the new prefix length. */
  subnets(address: string, prefix: string, query: SubnetsQuery): IpCalc.SplitResult {
    // Parse the network first, so its errors name the path and split's errors name the query.
    const network = this.info(address, prefix).cidr
    return orThrow(
      IpCalc.split(network, query.newPrefix, {
        ...(query.offset === undefined ? {} : { offset: query.offset }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
      }),
      (e) => (e.field === "prefix" ? "newPrefix" : (e.field ?? "newPrefix")),
    )
  }

  /** The minimal CIDR blocks covering every given network (IPv4 first, then IPv6). */
  aggregate(body: AggregateBody): { readonly networks: ReadonlyArray<string> } {
    checkEach(body.networks, "networks")
    return { networks: orThrow(IpCalc.aggregate(body.networks), () => "networks") }
  }

  /** The fewest CIDR blocks covering `start`..`end`. */
  range(
    start: string,
    end: string,
  ): {
    readonly start: string
    readonly end: string
    readonly networks: ReadonlyArray<string>
  } {
    // `range` is the library's name for "these two do not make a range": the end is at fault.
    const networks = orThrow(IpCalc.range(start, end), (e) =>
      e.field === "start" ? "start" : "end",
    )
    return { start, end, networks }
  }

  /** Whether `networks` together contain every one of `addresses`. */
  contains(body: ContainsBody): { readonly contains: boolean } {
    checkEach(body.networks, "networks")
    checkEach(body.addresses, "addresses")
    return { contains: orThrow(IpCalc.contains(body.networks, body.addresses), () => "networks") }
  }
}

/** Names the first unreadable item by its index, e.g. `networks.2`. */
const checkEach = (items: ReadonlyArray<string>, field: string): void => {
  for (const [i, text] of items.entries()) {
    const r = IpCalc.parse(text)
    if (Either.isLeft(r))
      throw Problem.invalid(`${field}.${i}`, `${field}[${i}] "${text}": ${r.left.message}`)
  }
}
