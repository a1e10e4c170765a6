/**
 * Fake camera videos for chromium (--use-file-for-fake-video-capture): YUV4MPEG2 files written
 * by hand from RGBA pixels. 4:2:0 chroma subsampling (C420jpeg), BT.601 full-range conversion.
 */
import { writeFileSync } from "node:fs";
import type { Page } from "playwright-core";

export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, row by row. */
  data: Uint8Array;
}

export function rgbaToI420(image: RgbaImage): Uint8Array {
  const { width, height, data } = image;
  if (width % 2 !== 0 || height % 2 !== 0) throw new RangeError("4:2:0 needs an even width and height");
  const ySize = width * height;
  const cSize = (width / 2) * (height / 2);
  const out = new Uint8Array(ySize + 2 * cSize);
  for (let i = 0; i < ySize; i++) {
    const r = data[i * 4]!;
    const g = data[i * 4 + 1]!;
    const b = data[i * 4 + 2]!;
    out[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
  }
  for (let y = 0; y < height / 2; y++) {
    for (let x = 0; x < width / 2; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const p = ((2 * y + dy) * width + (2 * x + dx)) * 4;
        r += data[p]!;
        g += data[p + 1]!;
        b += data[p + 2]!;
      }
      r /= 4;
      g /= 4;
      b /= 4;
      const c = y * (width / 2) + x;
      out[ySize + c] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      out[ySize + cSize + c] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  return out;
}

const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));

/** A still picture as a short looping video (chromium replays the file from the start). */
export function writeY4m(file: string, image: RgbaImage, frames = 10, fps = 10): void {
  const header = Buffer.from(`YUV4MPEG2 W${image.width} H${image.height} F${fps}:1 Ip A1:1 C420jpeg\n`, "ascii");
  const frame = Buffer.from(rgbaToI420(image));
  const marker = Buffer.from("FRAME\n", "ascii");
  const parts: Buffer[] = [header];
  for (let i = 0; i < frames; i++) parts.push(marker, frame);
  writeFileSync(file, Buffer.concat(parts));
}

/**
 * What a camera pointed at a printed label sees: the label's DataMatrix, as the page drew it
 * (the SVG element in `selector`), on white paper in a width x height frame, rasterised by the
 * browser itself.
 */
export async function cameraFrameOfLabel(
  page: Page,
  selector: string,
  frame = { width: 640, height: 480, symbolSize: 240 },
): Promise<RgbaImage> {
  const result = await page.evaluate(
    async ({ selector, frame }) => {
      const svg = document.querySelector(`${selector} svg`);
      if (!svg) throw new Error(`No SVG in ${selector}`);
      const source = new XMLSerializer().serializeToString(svg);
      const image = new Image();
      image.src = `data:image/svg+xml;base64,${btoa(source)}`;
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = frame.width;
      canvas.height = frame.height;
      const context = canvas.getContext("2d")!;
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, frame.width, frame.height);
      context.imageSmoothingEnabled = false;
      const x = Math.round((frame.width - frame.symbolSize) / 2);
      const y = Math.round((frame.height - frame.symbolSize) / 2);
      context.drawImage(image, x, y, frame.symbolSize, frame.symbolSize);
      return Array.from(context.getImageData(0, 0, frame.width, frame.height).data);
    },
    { selector, frame },
  );
  return { width: frame.width, height: frame.height, data: Uint8Array.from(result) };
}
