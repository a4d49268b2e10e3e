// Reading a QR code off a photo: on a phone the file input offers the camera or the album (a
// code received as a picture), and the code is read in the page, so the picture never leaves
// the phone. The reader is loaded only when a photo is taken.

import { useRef, useState } from "preact/hooks";
import { ApiProblem } from "./api";
import { wordsOf } from "./i18n";

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

function problemOf(code: string, title: string): ApiProblem {
  return new ApiProblem({ type: "about:blank", code, status: 0, title });
}

/** A button that takes a photo of a QR code and hands over its text, or a problem to show
 * where the screen shows its others (so the screen's next action clears it). */
export function ScanPhoto({
  name,
  label,
  read,
  failed,
}: {
  name: string;
  label: string;
  read: (text: string) => void;
  failed: (problem: ApiProblem) => void;
}) {
  const [busy, setBusy] = useState(false);
  // Two photos taken quickly may be read out of order: only the latest one counts.
  const latest = useRef(0);
  const taken = async (input: HTMLInputElement) => {
    const picture = input.files?.[0];
    input.value = "";
    if (!picture) return;
    const turn = ++latest.current;
    setBusy(true);
    let text: string | null = null;
    let problem: ApiProblem | null = null;
    try {
      text = await qrTextIn(picture);
      if (text === null) problem = problemOf("no_qr_in_photo", say("noCode"));
    } catch {
      problem = problemOf("photo_unreadable", say("unreadable"));
    }
    if (turn !== latest.current) return;
    setBusy(false);
    if (problem) failed(problem);
    else if (text !== null) read(text);
  };
  return (
    <div class="scan-photo">
      <label class="button" aria-busy={busy}>
        {label}
        <input
          type="file"
          name={name}
          accept="image/*"
          class="visually-hidden"
          onChange={(change) => void taken(change.currentTarget)}
        />
      </label>
      <p role="status" class="notice">
        {busy ? say("reading") : ""}
      </p>
    </div>
  );
}
