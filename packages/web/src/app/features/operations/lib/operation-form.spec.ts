import {
  buildOptions,
  formQuery,
  optionsFromQuery,
  optionsQuery,
  problemFieldErrors,
  validateForm,
} from "./operation-form"

describe("operation form", () => {
  it("sends only the options filled in, typed as the API takes them", () => {
    expect(buildOptions("ping", { count: "5", interval: "0.5", size: "", ipVersion: "6" })).toEqual(
      {
        count: 5,
        interval: 0.5,
        ipVersion: 6,
      },
    )
    expect(buildOptions("mtr", { protocol: "tcp", port: "443", ipVersion: "" })).toEqual({
      protocol: "tcp",
      port: 443,
    })
    expect(
      buildOptions("dns", { type: "MX", server: " 127.0.0.53 ", trace: true, tcp: false }),
    ).toEqual({
      type: "MX",
      server: "127.0.0.53",
      trace: true,
    })
  })

  it("catches the common slips before a round trip", () => {
    expect(validateForm("ping", "", {})).toEqual({ target: "a target is required" })
    expect(validateForm("ping", "-f", {})["target"]).toMatch(/cannot start with '-'/)
    expect(validateForm("ping", "a b", {})["target"]).toMatch(/no spaces/)
    expect(validateForm("ping", "127.0.0.1", { count: "101" })).toEqual({
      "options.count": "count must be between 1 and 100",
    })
    expect(validateForm("ping", "127.0.0.1", { count: "2.5" })["options.count"]).toMatch(
      /whole number/,
    )
    expect(validateForm("ping", "127.0.0.1", { interval: "0.5" })).toEqual({})
  })

  it("keys the API's field errors as the form does", () => {
    expect(
      problemFieldErrors({
        detail: "target: not a valid host name",
        field: "body.target",
        errors: [
          { field: "body.target", message: "not a valid host name" },
          { field: "options.count", message: "count must be from 1 to 100" },
          { field: "queues.0", message: "unknown queue nope" },
        ],
      }),
    ).toEqual({
      target: "not a valid host name",
      "options.count": "count must be from 1 to 100",
      queues: "unknown queue nope",
    })
    expect(problemFieldErrors({ detail: "unknown queue", field: "queues[1]" })).toEqual({
      queues: "unknown queue",
    })
  })

  it("carries an operation's options through a Run again link and back into the form", () => {
    const dns = { server: "127.0.0.1", port: 5353, type: "MX", tcp: true, dnssec: false }
    const query = optionsQuery("dns", dns)
    expect(query).toEqual({
      "o.server": "127.0.0.1",
      "o.port": "5353",
      "o.type": "MX",
      "o.tcp": "true",
    })
    const raw = optionsFromQuery("dns", (n) => query[n] ?? null)
    expect(raw).toEqual({ server: "127.0.0.1", port: "5353", type: "MX", tcp: true })
    // Back through the form, the same options go to the API.
    expect(buildOptions("dns", raw)).toEqual({
      server: "127.0.0.1",
      port: 5353,
      type: "MX",
      tcp: true,
    })
    const ping = optionsQuery("ping", { count: 6, interval: 0.5, ipVersion: 6 })
    expect(
      buildOptions(
        "ping",
        optionsFromQuery("ping", (n) => ping[n] ?? null),
      ),
    ).toEqual({
      count: 6,
      interval: 0.5,
      ipVersion: 6,
    })
    // A choice the form does not offer is dropped, not shown as a blank select.
    expect(optionsFromQuery("mtr", (n) => (n === "o.protocol" ? "sctp" : null))).toEqual({})
  })

  it("keeps the form as typed in its URL, and reads it back", () => {
    const q = formQuery("dns", "example.test", { server: "127.0.0.1", tcp: true, port: "" }, [
      "eu",
      "us",
    ])
    expect(q["type"]).toBe("dns")
    expect(q["target"]).toBe("example.test")
    expect(q["queue"]).toEqual(["eu", "us"])
    expect(q["o.server"]).toBe("127.0.0.1")
    expect(q["o.tcp"]).toBe("true")
    // Empty fields and other types' options are removed from the URL.
    expect(q["o.port"]).toBeNull()
    expect(q["o.count"]).toBeNull()
    const back = optionsFromQuery("dns", (n) => {
      const v = q[n]
      return typeof v === "string" ? v : null
    })
    expect(back).toEqual({ server: "127.0.0.1", tcp: true })
    // Half-typed values are kept as typed (the form says what is wrong with them on submit).
    expect(formQuery("ping", "", { count: "abc" }, [])).toMatchObject({
      target: null,
      queue: null,
      "o.count": "abc",
    })
  })
})
