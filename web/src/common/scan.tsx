// Reading a QR code off a photo: on a phone the file input opens the camera (`capture`), or
// the album, and the code is read in the page, so the picture never leaves the phone. The
// reader is loaded only when a photo is taken.

import { useState } from "preact/hooks";
import { ApiProblem, type Problem } from "./api";
import { wordsOf } from "./i18n";
import { ProblemBanner } from "./ui";

const say = wordsOf({
  noCode: ["照片里没有找到二维码，请对准二维码再拍一次", "No QR code found in the photo: aim at the code and try again"],
  unreadable: ["无法读取这张照片", "This photo cannot be read"],
  reading: ["正在识别…", "Reading…"],
});

// A QR reads as well from a picture at most this many pixels a side, in a fraction of the time
// a phone camera's full size would take.
const MOST_PIXELS = 1024;

/** The text of the QR code in the picture, or null if it shows none. */
export async function qrTextIn(picture: Blob): Promise<string | null> {
  const bitmap = await createImageBitmap(picture);
  const scale = Math.min(1, MOST_PIXELS / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d", { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const { default: jsQR } = await import("jsqr");
  const found = jsQR(context.getImageData(0, 0, width, height).data, width, height);
  return found && found.data ? found.data : null;
}

function problemOf(code: string, title: string): Problem {
  return new ApiProblem({ type: "about:blank", code, status: 0, title }).problem;
}

/** A button that takes a photo of a QR code and hands over its text. */
export function ScanPhoto({ name, label, read }: { name: string; label: string; read: (text: string) => void }) {
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const taken = async (input: HTMLInputElement) => {
    const picture = input.files?.[0];
    input.value = "";
    if (!picture) return;
    setBusy(true);
    setProblem(null);
    try {
      const text = await qrTextIn(picture);
      if (text === null) setProblem(problemOf("no_qr_in_photo", say("noCode")));
      else read(text);
    } catch {
      setProblem(problemOf("photo_unreadable", say("unreadable")));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="scan-photo">
      <ProblemBanner problem={problem} />
      <label class="button" aria-busy={busy}>
        {busy ? say("reading") : label}
        <input
          type="file"
          name={name}
          accept="image/*"
          capture="environment"
          class="visually-hidden"
          onChange={(change) => void taken(change.currentTarget)}
        />
      </label>
    </div>
  );
}
