/** Formatting shared by the pages: numbers, durations and times the way operators read them. */

/** Milliseconds with a precision that suits the size: 0.042 ms, 1.23 ms, 12.3 ms, 123 ms. */
export const ms = (value: number | null | undefined): string => {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–"
  const abs = Math.abs(value)
  const digits = abs < 1 ? 3 : abs < 10 ? 2 : abs < 100 ? 1 : 0
  return `${value.toFixed(digits)} ms`
}

/** A percentage with at most one decimal: 0 %, 33.3 %, 100 %. */
export const percent = (value: number | null | undefined): string => {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–"
  return `${Number.isInteger(value) ? value : value.toFixed(1)} %`
}

/** A whole number with thousands separators (fixed locale so tests and screenshots agree). */
export const count = (value: number | bigint | string | null | undefined): string => {
  if (value === null || value === undefined) return "–"
  const text = String(value)
  if (!/^-?\d+$/.test(text)) return text
  return text.replace(/\B(?=(\d{3})+(?!\d))/g, ",")
}

/** A time span: 850 ms, 4.2 s, 3 min 5 s, 2 h 4 min. */
export const duration = (millis: number | null | undefined): string => {
  if (millis === null || millis === undefined || !Number.isFinite(millis) || millis < 0) return "–"
  if (millis < 1000) return `${Math.round(millis)} ms`
  const s = millis / 1000
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`
  const h = Math.floor(m / 60)
  return `${h} h ${m - h * 60} min`
}

/** "just now", "12 s ago", "5 min ago", "3 h ago", "4 d ago", relative to `now`. */
export const ago = (iso: string | null | undefined, now: number = Date.now()): string => {
  if (iso === null || iso === undefined) return "never"
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return "–"
  const s = Math.round((now - t) / 1000)
  if (s < 5) return "just now"
  if (s < 60) return `${s} s ago`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ago`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h} h ago`
  return `${Math.floor(h / 24)} d ago`
}

/** An ISO time as "2026-11-26 19:04:05" in the user's time zone. */
export const dateTime = (iso: string | null | undefined): string => {
  if (iso === null || iso === undefined) return "–"
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return "–"
  const p = (n: number): string => String(n).padStart(2, "0")
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** A colour on the green → amber → red ramp for a loss percentage (0–100). */
export const lossColour = (loss: number | null | undefined): string => {
  if (loss === null || loss === undefined || !Number.isFinite(loss)) return "#8a96a3"
  if (loss <= 0) return "#16a34a"
  if (loss < 10) return "#ca8a04"
  if (loss < 50) return "#ea580c"
  return "#dc2626"
}
