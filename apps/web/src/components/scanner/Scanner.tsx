"use client";
/**
 * Reads a pack code four ways: the camera (GS1 DataMatrix or QR, frame by frame), an image file,
 * a USB barcode scanner (which types the code into the field and presses Enter), or typing.
 * Every input goes through @pedigree/gs1; only a code it accepts reaches `onCode`. When the
 * camera is refused or absent, the message says so and the other ways keep working.
 *
 *   <Scanner onCode={(text, value) => ...} />
 */
import { parseGs1, type Gs1Value } from "@pedigree/gs1";
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { isGroupSeparatorKey, VISIBLE_GS } from "./scan-text";

export interface ScannerProps {
  /** Called with the code as read (scan data, bracketed form or Digital Link) and its parsed value. */
  onCode: (text: string, value: Gs1Value) => void;
  /** Label of the text field. */
  fieldLabel?: string;
  /** Put the cursor in the field at once (a counter with a USB scanner wants this). */
  autoFocus?: boolean;
  /** Text of the submit button. */
  submitLabel?: string;
  /** Disables the inputs while the parent works on a code. */
  busy?: boolean;
  /**
   * Where the field's form goes without JavaScript (a GET with `code=`), e.g. "/verify": the
   * page still works when scripts are off or not loaded yet.
   */
  formAction?: string;
}

type CameraState = { kind: "off" } | { kind: "starting" } | { kind: "on" } | { kind: "error"; message: string };

const FRAME_INTERVAL_MS = 200;
const MAX_FRAME_WIDTH = 960;

function cameraErrorMessage(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return "Camera access was refused. You can allow it in your browser's settings, or take a photo of the code and choose it below, or type the code.";
    case "NotFoundError":
    case "OverconstrainedError":
      return "No camera was found on this device. Choose a photo of the code, or type it below.";
    case "NotReadableError":
    case "AbortError":
      return "The camera is busy or could not start (another app may be using it). Close that app and try again, or choose a photo.";
    default:
      return `The camera could not start${error instanceof Error && error.message ? ` (${error.message})` : ""}. Choose a photo of the code, or type it below.`;
  }
}

function parseOrExplain(text: string): { ok: true; value: Gs1Value } | { ok: false; message: string } {
  const parsed = parseGs1(text);
  if (parsed.ok) {
    if (parsed.value.gtin === undefined || parsed.value.serial === undefined) {
      return {
        ok: false,
        message:
          "This code has no product number (GTIN) and serial number together, so it does not identify one pack. Scan the square code on the pack.",
      };
    }
    return { ok: true, value: parsed.value };
  }
  return { ok: false, message: `This is not a readable pack code: ${parsed.error.message}.` };
}

export function Scanner({
  onCode,
  fieldLabel = "Pack code",
  autoFocus = false,
  submitLabel = "Check",
  busy = false,
  formAction,
}: ScannerProps) {
  const fieldId = useId();
  const hintId = useId();
  const errorId = useId();
  const fileId = useId();
  const [text, setText] = useState("");
  const [inputError, setInputError] = useState<string | null>(null);
  const [fileStatus, setFileStatus] = useState<string | null>(null);
  const [camera, setCamera] = useState<CameraState>({ kind: "off" });
  const videoRef = useRef<HTMLVideoElement>(null);
  const streamRef = useRef<MediaStream | null>(null);
  const timerRef = useRef<number | null>(null);
  const lastRejectedRef = useRef<string | null>(null);
  const onCodeRef = useRef(onCode);
  onCodeRef.current = onCode;

  const stopCamera = useCallback(() => {
    if (timerRef.current !== null) window.clearTimeout(timerRef.current);
    timerRef.current = null;
    streamRef.current?.getTracks().forEach((track) => track.stop());
    streamRef.current = null;
    if (videoRef.current) videoRef.current.srcObject = null;
  }, []);

  useEffect(() => stopCamera, [stopCamera]);

  const accept = useCallback((raw: string): boolean => {
    const result = parseOrExplain(raw);
    if (!result.ok) {
      setInputError(result.message);
      return false;
    }
    setInputError(null);
    onCodeRef.current(raw, result.value);
    return true;
  }, []);

  const startCamera = useCallback(async () => {
    if (typeof navigator === "undefined" || !navigator.mediaDevices?.getUserMedia) {
      setCamera({
        kind: "error",
        message:
          "This browser cannot use the camera on this page (cameras need a secure https:// address). Choose a photo of the code, or type it below.",
      });
      return;
    }
    setCamera({ kind: "starting" });
    lastRejectedRef.current = null;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
      streamRef.current = stream;
      const video = videoRef.current;
      if (!video) return;
      video.srcObject = stream;
      await video.play();
      setCamera({ kind: "on" });
      const { readPackCodes } = await import("./zxing");
      const canvas = document.createElement("canvas");
      const context = canvas.getContext("2d", { willReadFrequently: true });
      const grab = async () => {
        if (streamRef.current !== stream || !context) return;
        if (video.videoWidth > 0) {
          const scale = Math.min(1, MAX_FRAME_WIDTH / video.videoWidth);
          canvas.width = Math.round(video.videoWidth * scale);
          canvas.height = Math.round(video.videoHeight * scale);
          context.drawImage(video, 0, 0, canvas.width, canvas.height);
          try {
            const codes = await readPackCodes(context.getImageData(0, 0, canvas.width, canvas.height));
            for (const code of codes) {
              const result = parseOrExplain(code);
              if (result.ok) {
                stopCamera();
                setCamera({ kind: "off" });
                setText(code.replaceAll("\u001d", VISIBLE_GS));
                setInputError(null);
                onCodeRef.current(code, result.value);
                return;
              }
              if (lastRejectedRef.current !== code) {
                lastRejectedRef.current = code;
                setInputError(result.message);
              }
            }
          } catch (error) {
            stopCamera();
            setCamera({ kind: "error", message: `The code reader could not start (${(error as Error).message}).` });
            return;
          }
        }
        if (streamRef.current === stream) timerRef.current = window.setTimeout(grab, FRAME_INTERVAL_MS);
      };
      void grab();
    } catch (error) {
      stopCamera();
      setCamera({ kind: "error", message: cameraErrorMessage(error) });
    }
  }, [stopCamera]);

  const readFile = useCallback(
    async (file: File) => {
      setFileStatus(`Reading ${file.name}…`);
      setInputError(null);
      try {
        const { readPackCodes } = await import("./zxing");
        const codes = await readPackCodes(file);
        if (codes.length === 0) {
          setFileStatus(null);
          setInputError(
            "No GS1 DataMatrix or QR code was found in this picture. Take a sharper, closer photo with the code flat and well lit, or type the code.",
          );
          return;
        }
        setFileStatus(null);
        const first = codes.find((code) => parseOrExplain(code).ok) ?? codes[0]!;
        setText(first.replaceAll("\u001d", VISIBLE_GS));
        accept(first);
      } catch (error) {
        setFileStatus(null);
        setInputError(`This file could not be read as a picture (${(error as Error).message}).`);
      }
    },
    [accept],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (!isGroupSeparatorKey(event)) return;
    event.preventDefault();
    const input = event.currentTarget;
    const start = input.selectionStart ?? text.length;
    const end = input.selectionEnd ?? text.length;
    setText(text.slice(0, start) + VISIBLE_GS + text.slice(end));
  };

  const cameraOn = camera.kind === "on" || camera.kind === "starting";

  return (
    <div className="flex flex-col gap-5" data-testid="scanner">
      <div className="flex flex-col gap-3">
        <div
          className={`relative overflow-hidden rounded-xl bg-slate-900 ${cameraOn ? "block" : "hidden"}`}
          data-testid="scanner-camera"
        >
          <video
            ref={videoRef}
            className="aspect-[4/3] w-full object-cover"
            muted
            playsInline
            aria-label="Camera view: hold the code on the pack inside the frame"
          />
          <div
            aria-hidden="true"
            className="pointer-events-none absolute inset-[18%] rounded-lg border-4 border-white/80"
          />
          <p className="absolute inset-x-0 bottom-0 bg-slate-900/70 p-2 text-center text-sm text-white" role="status">
            {camera.kind === "starting" ? "Starting the camera…" : "Hold the square code on the pack inside the frame"}
          </p>
        </div>
        {cameraOn ? (
          <button
            type="button"
            onClick={() => {
              stopCamera();
              setCamera({ kind: "off" });
            }}
            className="min-h-12 rounded-xl border-2 border-slate-700 bg-white px-5 text-lg font-semibold text-slate-900 hover:bg-slate-100 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-sky-700"
          >
            Stop the camera
          </button>
        ) : (
          <button
            type="button"
            onClick={() => void startCamera()}
            disabled={busy}
            className="min-h-12 rounded-xl bg-sky-800 px-5 text-lg font-semibold text-white hover:bg-sky-900 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-sky-700 disabled:opacity-60"
          >
            Scan with the camera
          </button>
        )}
        {camera.kind === "error" && (
          <p
            role="alert"
            className="rounded-lg border border-amber-600 bg-amber-50 p-3 text-amber-950"
            data-testid="camera-error"
          >
            {camera.message}
          </p>
        )}
      </div>

      <div className="flex flex-col gap-1">
        <label htmlFor={fileId} className="font-medium text-slate-800">
          Or choose a photo of the code
        </label>
        <input
          id={fileId}
          type="file"
          accept="image/*"
          disabled={busy}
          onChange={(event) => {
            const file = event.currentTarget.files?.[0];
            if (file) void readFile(file);
            event.currentTarget.value = "";
          }}
          className="block w-full text-slate-800 file:mr-3 file:min-h-11 file:rounded-lg file:border-0 file:bg-slate-200 file:px-4 file:font-semibold file:text-slate-900 hover:file:bg-slate-300"
        />
        {fileStatus && (
          <p role="status" className="text-sm text-slate-700">
            {fileStatus}
          </p>
        )}
      </div>

      <form
        action={formAction}
        method="get"
        className="flex flex-col gap-1"
        onSubmit={(event) => {
          event.preventDefault();
          accept(text.trim());
        }}
      >
        <label htmlFor={fieldId} className="font-medium text-slate-800">
          {fieldLabel}
        </label>
        <p id={hintId} className="text-sm text-slate-600">
          Type the numbers under the code, e.g. (01)…(17)…(10)…(21)…, paste a link, or scan with a USB barcode scanner.
        </p>
        <div className="flex flex-col gap-2 sm:flex-row">
          <input
            id={fieldId}
            name="code"
            type="text"
            inputMode="text"
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            autoFocus={autoFocus}
            value={text}
            disabled={busy}
            onChange={(event) => {
              setText(event.currentTarget.value);
              if (inputError) setInputError(null);
            }}
            onKeyDown={onKeyDown}
            aria-describedby={`${hintId}${inputError ? ` ${errorId}` : ""}`}
            aria-invalid={inputError ? true : undefined}
            className="min-h-12 w-full rounded-xl border-2 border-slate-400 bg-white px-3 font-mono text-base text-slate-900 focus:border-sky-700 focus:outline-none focus-visible:ring-3 focus-visible:ring-sky-700/40"
            data-testid="scanner-input"
          />
          <button
            type="submit"
            disabled={busy}
            className="min-h-12 shrink-0 rounded-xl bg-slate-900 px-6 text-lg font-semibold text-white hover:bg-slate-800 focus-visible:outline-3 focus-visible:outline-offset-2 focus-visible:outline-sky-700 disabled:opacity-60"
          >
            {submitLabel}
          </button>
        </div>
        {inputError && (
          <p id={errorId} role="alert" className="mt-1 text-red-800" data-testid="scanner-error">
            {inputError}
          </p>
        )}
      </form>
    </div>
  );
}
