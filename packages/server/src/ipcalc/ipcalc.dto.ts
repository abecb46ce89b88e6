/**
 * Request and response schemas of the subnet calculator routes. The same Effect Schemas validate
 * the requests and describe the OpenAPI document.
 *
 * @module
 */
import type { IpCalc } from "@netwark/tools"
import { Schema } from "effect"

/** An IPv4/IPv6 address, or a whole `network/prefix` when it comes percent-encoded in one segment. */
export const Address = Schema.String.pipe(
  Schema.minLength(1, { message: () => "an address is required" }),
  Schema.maxLength(100, { message: () => "an address is at most 100 characters" }),
).annotations({ description: "IPv4 or IPv6 address (host bits allowed), e.g. 192.168.1.10" })

/** A prefix length (`24`) or a netmask (`255.255.255.0`). */
export const Prefix = Schema.String.pipe(
  Schema.minLength(1, { message: () => "a prefix is required" }),
  Schema.maxLength(45, { message: () => "a prefix or netmask is at most 45 characters" }),
).annotations({ description: "Prefix length (0-32, 0-128) or an IPv4 netmask (255.255.255.0)" })

const IntFromString = (min: number, max: number, what: string) =>
  Schema.NumberFromString.pipe(
    // a whole number past max fails int() too (Number.isSafeInteger): say the range there as well
    Schema.int({ message: () => `${what} must be a whole number from ${min} to ${max}` }),
    Schema.between(min, max, { message: () => `${what} must be from ${min} to ${max}` }),
  )

/** Query of `GET /ip-calc/{address}/{prefix}/subnets`. */
export const SubnetsQuery = Schema.Struct({
  newPrefix: IntFromString(0, 128, "newPrefix").annotations({
    description: "Prefix length of the subnets (at least the network's own prefix)",
  }),
  offset: Schema.optional(
    IntFromString(0, Number.MAX_SAFE_INTEGER, "offset").annotations({
      description: "Index of the first subnet to return (default 0)",
    }),
  ),
  limit: Schema.optional(
    IntFromString(1, 65536, "limit").annotations({
      description: "How many subnets to return (default 256, at most 65536)",
    }),
  ),
})
/** Query of `GET /ip-calc/{address}/{prefix}/subnets`. */
export type SubnetsQuery = typeof SubnetsQuery.Type

const Network = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(100))
const NetworkList = (what: string) =>
  Schema.Array(Network).pipe(
    Schema.minItems(1, { message: () => `${what} needs at least one network` }),
    Schema.maxItems(10_000, { message: () => `${what} holds at most 10000 networks` }),
  )

/** Body of `POST /ip-calc/aggregate`. */
export const AggregateBody = Schema.Struct({
  networks: NetworkList("networks").annotations({
    description: "Networks and addresses to merge, IPv4 and IPv6 mixed (CIDR, netmask or bare)",
  }),
})
/** Body of `POST /ip-calc/aggregate`. */
export type AggregateBody = typeof AggregateBody.Type

/** Body of `POST /ip-calc/contains`. */
export const ContainsBody = Schema.Struct({
  networks: NetworkList("networks").annotations({
    description: "The covering networks, taken together",
  }),
  addresses: NetworkList("addresses").annotations({
    description: "Addresses or networks that must all lie inside `networks`",
  }),
})
/** Body of `POST /ip-calc/contains`. */
export type ContainsBody = typeof ContainsBody.Type

const RegistryEntry = Schema.Struct({
  block: Schema.String,
  kind: Schema.String.annotations({ description: "private, loopback, documentation, global..." }),
  name: Schema.String,
  rfc: Schema.String,
  registry: Schema.String,
  globallyReachable: Schema.NullOr(Schema.Boolean),
})

const Flags = Schema.Struct({
  private: Schema.Boolean,
  global: Schema.Boolean,
  multicast: Schema.Boolean,
  loopback: Schema.Boolean,
  linkLocal: Schema.Boolean,
  siteLocal: Schema.Boolean,
  reserved: Schema.Boolean,
  unspecified: Schema.Boolean,
})

/** The full report of one network (`IpCalc.Info`). */
export const Info = Schema.Struct({
  input: Schema.String,
  version: Schema.Literal(4, 6),
  address: Schema.String,
  zone: Schema.NullOr(Schema.String),
  hostBitsSet: Schema.Boolean,
  cidr: Schema.String,
  network: Schema.String,
  prefix: Schema.Int,
  netmask: Schema.String,
  wildcard: Schema.String,
  broadcast: Schema.NullOr(Schema.String),
  lastAddress: Schema.String,
  firstHost: Schema.String,
  lastHost: Schema.String,
  addresses: Schema.String.annotations({ description: "Number of addresses, exact decimal" }),
  usableHosts: Schema.String.annotations({ description: "Usable hosts, exact decimal" }),
  type: RegistryEntry,
  addressType: RegistryEntry,
  flags: Schema.Struct({ address: Flags, network: Flags }),
  embeddedIpv4: Schema.NullOr(
    Schema.Struct({
      kind: Schema.Literal("ipv4-mapped", "6to4", "teredo"),
      address: Schema.String,
      server: Schema.optional(Schema.String),
      port: Schema.optional(Schema.Int),
    }),
  ),
  reverse: Schema.Struct({ ptr: Schema.String, zone: Schema.String }),
  expanded: Schema.Struct({ address: Schema.String, network: Schema.String }),
  binary: Schema.Struct({ address: Schema.String, netmask: Schema.String, network: Schema.String }),
  decimal: Schema.String,
}).annotations({ identifier: "IpCalcInfo", description: "Everything about one network" })

/** One page of the subnets of a network (`IpCalc.SplitResult`). */
export const Subnets = Schema.Struct({
  network: Schema.String,
  newPrefix: Schema.Int,
  total: Schema.String.annotations({ description: "How many subnets in all, exact decimal" }),
  offset: Schema.Int,
  subnets: Schema.Array(Schema.String),
  nextOffset: Schema.NullOr(Schema.Int),
}).annotations({ identifier: "IpCalcSubnets" })

/** The fewest CIDR blocks covering some addresses. */
export const Blocks = Schema.Struct({
  networks: Schema.Array(Schema.String),
}).annotations({ identifier: "IpCalcBlocks" })

/** The CIDR blocks of an address range. */
export const Range = Schema.Struct({
  start: Schema.String,
  end: Schema.String,
  networks: Schema.Array(Schema.String),
}).annotations({ identifier: "IpCalcRange" })

/** Whether the networks cover the addresses. */
export const Contains = Schema.Struct({ contains: Schema.Boolean }).annotations({
  identifier: "IpCalcContains",
})

// Compile-time guard: the library's types must fit the documented schemas.
const _info: (i: IpCalc.Info) => typeof Info.Type = (i) => i
const _split: (s: IpCalc.SplitResult) => typeof Subnets.Type = (s) => s
void _info
void _split
