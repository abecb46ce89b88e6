import { DOCUMENT, Injectable, inject } from "@angular/core"

/** Saves generated text as a file through the browser's download. */
@Injectable({ providedIn: "root" })
export class DownloadService {
  private readonly document = inject(DOCUMENT)

  /** Offers `text` as a download named `filename`. */
  save(filename: string, type: string, text: string): void {
    const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }))
    const a = this.document.createElement("a")
    a.href = url
    a.download = filename
    this.document.body.appendChild(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 1000)
  }
}
