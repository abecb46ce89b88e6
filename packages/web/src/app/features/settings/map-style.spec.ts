import { styleUrlError } from "./map-style"

const base = "http://127.0.0.1:6543/settings"

describe("map style URL", () => {
  it("takes an http(s) URL, with a {token} placeholder, or a path on this server", () => {
    expect(styleUrlError("", base)).toBeNull()
    expect(styleUrlError("https://tiles.example.net/style.json?key={token}", base)).toBeNull()
    expect(styleUrlError("/styles/local.json", base)).toBeNull()
  })

  it("refuses what is not a URL or not http", () => {
    expect(styleUrlError("http://", base)).toBe("not a URL: use https://host/path/style.json")
    expect(styleUrlError("javascript:alert(1)", base)).toBe(
      "a style URL is http or https, not javascript",
    )
    expect(styleUrlError("ftp://tiles.example.net/style.json", base)).toBe(
      "a style URL is http or https, not ftp",
    )
  })
})
