import type { Type } from "@angular/core"
import { TestBed } from "@angular/core/testing"
import type { MtrHop } from "../../../core/models"
import { seriesPalette } from "../../../shared/chart-theme"
import { hopPath } from "../lib/hop-graph"
import { DnsResultComponent } from "./dns-result.component"
import { HopGraphComponent } from "./hop-graph.component"
import { MtrTableComponent } from "./mtr-table.component"
import { PingResultComponent } from "./ping-result.component"
import { TracerouteResultComponent } from "./traceroute-result.component"

/** The part of an ECharts series the hop graph test reads. */
interface Series {
  readonly name: string
  readonly type: string
  readonly itemStyle?: { readonly color?: string }
  readonly data: ReadonlyArray<{ readonly itemStyle?: { readonly borderColor?: string } } | null>
}

const render = async <T>(type: Type<T>, inputs: Record<string, unknown>): Promise<HTMLElement> => {
  const fixture = TestBed.createComponent(type)
  for (const [k, v] of Object.entries(inputs)) fixture.componentRef.setInput(k, v)
  await fixture.whenStable()
  return fixture.nativeElement as HTMLElement
}

describe("result views", () => {
  it("ping: shows the summary and names the probes without reply", async () => {
    const el = await render(PingResultComponent, {
      parsed: {
        replies: [
          { sequence: 1, rttMs: 0.045 },
          { sequence: 3, rttMs: 0.051 },
        ],
        missing: [2],
        summary: {
          transmitted: 3,
          received: 2,
          lossPercent: 33.3333,
          rtt: { minMs: 0.045, avgMs: 0.048, maxMs: 0.051, mdevMs: 0.003 },
        },
      },
    })
    const text = el.textContent ?? ""
    expect(text).toContain("Loss33.3 %")
    expect(text).toContain("Min0.045 ms")
    expect(text).toContain("No reply to probe 2")
    expect(el.querySelector("nw-chart")).not.toBeNull()
  })

  it("ping: says it waits before the first reply, and shows a failure message", async () => {
    expect((await render(PingResultComponent, { parsed: undefined })).textContent).toContain(
      "Waiting for replies",
    )
    const el = await render(PingResultComponent, {
      parsed: { message: "ping: nope: Name or service not known" },
    })
    expect(el.textContent).toContain("Name or service not known")
  })

  it("mtr: one row per hop with every responder, ASN and loss", async () => {
    const hops: ReadonlyArray<MtrHop> = [
      {
        hop: 1,
        hosts: [{ address: "10.0.0.1", hostname: "gw.lan", asn: 64500 }],
        sent: 10,
        received: 10,
        lossPercent: 0,
        last: 0.4,
        avg: 0.5,
        best: 0.3,
        worst: 0.9,
        stdev: 0.1,
      },
      {
        hop: 2,
        hosts: [],
        sent: 10,
        received: 0,
        lossPercent: 100,
        last: null,
        avg: null,
        best: null,
        worst: null,
        stdev: null,
      },
    ]
    const el = await render(MtrTableComponent, { hops })
    const rows = [...el.querySelectorAll("tbody tr")].map((r) =>
      r.textContent?.replace(/\s+/g, " ").trim(),
    )
    expect(rows[0]).toContain("gw.lan 10.0.0.1")
    expect(rows[0]).toContain("AS64500")
    expect(rows[0]).toContain("0.500 ms")
    expect(rows[1]).toContain("???")
    expect(rows[1]).toContain("100 %")
  })

  it("traceroute: responders with RTTs, silent hops as stars", async () => {
    const el = await render(TracerouteResultComponent, {
      parsed: {
        hops: [
          {
            hop: 1,
            responders: [{ address: "127.0.0.1", rtts: [0.05, 0.04], annotations: ["!H"] }],
            timeouts: 1,
          },
          { hop: 2, responders: [], timeouts: 3 },
        ],
        reached: true,
        header: { destinationName: "localhost", destinationAddress: "127.0.0.1" },
      },
    })
    const text = (el.textContent ?? "").replace(/\s+/g, " ")
    expect(text).toContain("to localhost (127.0.0.1) · reached")
    expect(text).toContain("0.050 ms 0.040 ms *")
    expect(text).toContain("!H")
    expect(text).toContain("no answer * * *")
  })

  it("dns: answer sections as tables, raw output on demand", async () => {
    const fixture = TestBed.createComponent(DnsResultComponent)
    fixture.componentRef.setInput("parsed", {
      status: "NOERROR",
      messages: [
        {
          rcode: "NOERROR",
          flags: ["qr", "rd"],
          answer: [{ name: "example.com.", ttl: 60, class: "IN", type: "A", data: "192.0.2.1" }],
        },
      ],
      raw: ";; ->>HEADER<<- opcode: QUERY",
    })
    await fixture.whenStable()
    const el = fixture.nativeElement as HTMLElement
    expect(el.querySelector("h3")?.textContent).toBe("answer")
    expect(el.querySelector("tbody tr")?.textContent).toContain("192.0.2.1")
    expect(el.querySelector("pre")).toBeNull()
    el.querySelector<HTMLButtonElement>("button.raw-toggle")?.click()
    await fixture.whenStable()
    expect(el.querySelector("pre")?.textContent).toContain("HEADER")
  })

  it("dns: a server that never answered is said so, not 'no records'", async () => {
    const el = await render(DnsResultComponent, {
      parsed: {
        status: "connection-refused",
        messages: [],
        errors: [
          "communications error to 127.0.0.1#9: connection refused",
          "no servers could be reached",
        ],
      },
    })
    expect(el.querySelector("[data-testid=dns-failure]")?.textContent).toBe(
      "No answer: the DNS server refused the connection. (communications error to 127.0.0.1#9: connection refused)",
    )
    expect(el.textContent).not.toContain("No records in the answer.")
  })

  it("hop graph: the legend shows each path in the colour its bars are outlined with", async () => {
    const hop = {
      hop: 1,
      hosts: [{ address: "127.0.0.1" }],
      sent: 2,
      received: 2,
      lossPercent: 0,
      last: 1,
      avg: 1,
      best: 0.5,
      worst: 1.5,
      stdev: 0.1,
    }
    const fixture = TestBed.createComponent(HopGraphComponent)
    fixture.componentRef.setInput("paths", [
      hopPath("vm (paris-1)", { hops: [hop] }),
      hopPath("vm (tokyo-1)", { hops: [hop] }),
    ])
    await fixture.whenStable()
    const option = (
      fixture.componentInstance as unknown as {
        option: () => { series: ReadonlyArray<Series> }
      }
    ).option()
    const spans = option.series.filter((s) => s.type === "bar" && !s.name.endsWith(" base"))
    expect(spans.map((s) => [s.name, s.itemStyle?.color])).toEqual([
      ["vm (paris-1)", seriesPalette[0]],
      ["vm (tokyo-1)", seriesPalette[1]],
    ])
    expect(spans.map((s) => s.data[0]?.itemStyle?.borderColor)).toEqual([
      seriesPalette[0],
      seriesPalette[1],
    ])
  })

  it("charts leave room above the plot for the unit label (it was cut in half)", async () => {
    const grid = (c: unknown): number =>
      (c as { option: () => { grid: { top: number } } }).option().grid.top
    const ping = TestBed.createComponent(PingResultComponent)
    ping.componentRef.setInput("parsed", { replies: [{ sequence: 1, rttMs: 0.05 }] })
    await ping.whenStable()
    const hop = {
      hop: 1,
      hosts: [{ address: "127.0.0.1" }],
      sent: 1,
      received: 1,
      lossPercent: 0,
      last: 1,
      avg: 1,
      best: 1,
      worst: 1,
      stdev: 0,
    }
    const graph = TestBed.createComponent(HopGraphComponent)
    graph.componentRef.setInput("paths", [hopPath("vm", { hops: [hop] })])
    await graph.whenStable()
    // ECharts draws the y axis name 15 px above the plot; 12 px text needs the rest.
    expect(grid(ping.componentInstance)).toBeGreaterThanOrEqual(28)
    expect(grid(graph.componentInstance)).toBeGreaterThanOrEqual(28)
  })
})
