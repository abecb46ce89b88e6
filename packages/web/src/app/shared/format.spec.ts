import { ago, count, duration, lossColour, ms, percent } from "./format"

describe("format", () => {
  it("prints RTTs with a precision that suits their size", () => {
    expect(ms(0.0421)).toBe("0.042 ms")
    expect(ms(1.234)).toBe("1.23 ms")
    expect(ms(12.34)).toBe("12.3 ms")
    expect(ms(123.4)).toBe("123 ms")
    expect(ms(null)).toBe("–")
    expect(ms(Number.NaN)).toBe("–")
  })

  it("prints loss and counts the way operators read them", () => {
    expect(percent(0)).toBe("0 %")
    expect(percent(33.3333)).toBe("33.3 %")
    expect(count("16777214")).toBe("16,777,214")
    expect(count("340282366920938463463374607431768211456")).toBe(
      "340,282,366,920,938,463,463,374,607,431,768,211,456",
    )
  })

  it("prints spans and relative times", () => {
    expect(duration(850)).toBe("850 ms")
    expect(duration(4200)).toBe("4.2 s")
    expect(duration(185_000)).toBe("3 min 5 s")
    const now = Date.parse("2026-01-01T12:00:00Z")
    expect(ago("2026-01-01T11:59:58Z", now)).toBe("just now")
    expect(ago("2026-01-01T11:55:00Z", now)).toBe("5 min ago")
    expect(ago(null, now)).toBe("never")
  })

  it("colours loss from green to red", () => {
    expect(lossColour(0)).toBe("#16a34a")
    expect(lossColour(5)).toBe("#ca8a04")
    expect(lossColour(30)).toBe("#ea580c")
    expect(lossColour(100)).toBe("#dc2626")
  })
})
