import type { Operation } from "../../../core/models"
import { csv, csvField, operationCsv, operationJson } from "./export"

const base = {
  id: "0b8f7f0e-0000-4000-8000-000000000001",
  target: "127.0.0.1",
  status: "done",
  queues: ["netwark.broadcast"],
  createdAt: "2026-01-01T00:00:00Z",
  options: {},
}

describe("CSV export", () => {
  it("quotes fields with commas, quotes and line breaks (RFC 4180)", () => {
    expect(csvField('say "hi", then go')).toBe('"say ""hi"", then go"')
    expect(csvField("two\nlines")).toBe('"two\nlines"')
    expect(csv(["a", "b"], [[1, null]])).toBe("a,b\r\n1,\r\n")
  })

  it("keeps spreadsheet formulas from running", () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"')
    expect(csvField("-1")).toBe("'-1")
    expect(csvField(-1)).toBe("-1")
  })

  it("writes one ping row per probe, lost probes in sequence order", () => {
    const op: Operation = {
      ...base,
      type: "ping",
      results: [
        {
          workerId: "w1",
          hostname: "probe-a",
          queue: "q",
          status: "ok",
          result: {
            replies: [
              { sequence: 1, from: "127.0.0.1", ttl: 64, rttMs: 0.05 },
              { sequence: 3, from: "127.0.0.1", ttl: 64, rttMs: 0.07 },
            ],
            missing: [2],
          },
        },
      ],
    }
    const lines = operationCsv(op).trimEnd().split("\r\n")
    expect(lines[0]).toBe("worker,hostname,queue,status,sequence,from,ttl,rtt_ms,kind")
    expect(lines.slice(1)).toEqual([
      "w1,probe-a,q,ok,1,127.0.0.1,64,0.05,reply",
      "w1,probe-a,q,ok,2,,,,lost",
      "w1,probe-a,q,ok,3,127.0.0.1,64,0.07,reply",
    ])
  })

  it("writes one mtr row per hop with every responder", () => {
    const op: Operation = {
      ...base,
      type: "mtr",
      results: [
        {
          workerId: "w1",
          status: "ok",
          result: {
            hops: [
              {
                hop: 1,
                hosts: [
                  { address: "10.0.0.1", hostname: "gw", asn: 64500 },
                  { address: "10.0.0.2" },
                ],
                sent: 10,
                received: 10,
                lossPercent: 0,
                last: 1,
                avg: 1.5,
                best: 1,
                worst: 2,
                stdev: 0.3,
              },
            ],
          },
        },
      ],
    }
    const [, row] = operationCsv(op).trimEnd().split("\r\n")
    expect(row).toBe("w1,,,ok,1,10.0.0.1 10.0.0.2,gw ,AS64500 ,0,10,1,1.5,1,2,0.3")
  })

  it("writes dns records per section", () => {
    const op: Operation = {
      ...base,
      type: "dns",
      target: "example.com",
      results: [
        {
          workerId: "w1",
          status: "ok",
          result: {
            messages: [
              {
                answer: [
                  { name: "example.com.", ttl: 300, class: "IN", type: "A", data: "192.0.2.1" },
                ],
                authority: [
                  {
                    name: "example.com.",
                    ttl: 300,
                    class: "IN",
                    type: "NS",
                    data: "ns.example.com.",
                  },
                ],
              },
            ],
          },
        },
      ],
    }
    const lines = operationCsv(op).trimEnd().split("\r\n")
    expect(lines.slice(1)).toEqual([
      "w1,,,ok,answer,example.com.,300,IN,A,192.0.2.1",
      "w1,,,ok,authority,example.com.,300,IN,NS,ns.example.com.",
    ])
  })

  it("exports the operation as JSON that reads back the same", () => {
    const op: Operation = { ...base, type: "ping", results: [] }
    expect(JSON.parse(operationJson(op))).toEqual(op)
  })
})
