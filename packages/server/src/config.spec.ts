import { Duration } from "effect"
import { describe, expect, it } from "vitest"
import { ConfigError, fromEnv } from "./config.js"

describe("NETWARK_WORKER_RETENTION", () => {
  const retention = (v: string | undefined) =>
    fromEnv({ NETWARK_WORKER_RETENTION: v }, "/").workerRetention

  it("is unset by default (the registry's 24 hours apply)", () => {
    expect(retention(undefined)).toBeUndefined()
    expect(retention(" ")).toBeUndefined()
  })

  it("reads a duration in Effect's units", () => {
    expect(Duration.toMillis(retention("90 minutes")!)).toBe(5_400_000)
    expect(Duration.toMillis(retention("1 day")!)).toBe(86_400_000)
    expect(Duration.toMillis(retention("7days")!)).toBe(7 * 86_400_000)
    expect(Duration.toMillis(retention("1.5 Hours")!)).toBe(5_400_000)
  })

  it("refuses anything else with a message naming the variable", () => {
    for (const bad of ["soon", "24", "-1 hours", "1 fortnight"])
      expect(() => retention(bad)).toThrow(ConfigError)
    expect(() => retention("24")).toThrow(/NETWARK_WORKER_RETENTION must be a duration/)
  })
})

describe("NETWARK_OPERATION_RETENTION", () => {
  const retention = (v: string | undefined) =>
    fromEnv({ NETWARK_OPERATION_RETENTION: v }, "/").operationRetention

  it("is unset by default (every operation is kept), and reads a duration of an hour or more", () => {
    expect(retention(undefined)).toBeUndefined()
    expect(Duration.toMillis(retention("30 days")!)).toBe(30 * 86_400_000)
    expect(Duration.toMillis(retention("1 hour")!)).toBe(3_600_000)
  })

  it("refuses a shorter one, or no duration, naming the variable", () => {
    expect(() => retention("59 minutes")).toThrow(
      /NETWARK_OPERATION_RETENTION must be at least 1 hour/,
    )
    expect(() => retention("forever")).toThrow(/NETWARK_OPERATION_RETENTION must be a duration/)
  })
})

describe("NETWARK_BROADCAST_DELIVERY", () => {
  const delivery = (v: string | undefined) =>
    fromEnv({ NETWARK_BROADCAST_DELIVERY: v }, "/").broadcastDelivery

  it("is unset by default (the transport's persistent copies apply), and reads either mode", () => {
    expect(delivery(undefined)).toBeUndefined()
    expect(delivery(" ")).toBeUndefined()
    expect(delivery("transient")).toBe("transient")
    expect(delivery(" Persistent ")).toBe("persistent")
  })

  it("refuses anything else with a message naming the variable", () => {
    expect(() => delivery("fast")).toThrow(ConfigError)
    expect(() => delivery("fast")).toThrow(
      /NETWARK_BROADCAST_DELIVERY must be persistent or transient, got fast/,
    )
  })
})
