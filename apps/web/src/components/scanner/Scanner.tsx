"use client";
/**
 * Reads a pack code four ways: the camera (GS1 DataMatrix or QR, frame by frame), an image file,
 * a USB barcode scanner (which types the code into the field, with or without Enter), or typing
 * (a GS1 form, or the text printed beside the code). Every input goes through @pedigree/gs1; only
 * a code it accepts reaches `onCode`. When the camera is refused or absent, the message says so
 * and the other ways keep working.
 *
 *   <Scanner onCode={(code, value, entry) => ...} onEdit={() => ...} ref={handle} />
 *
 * A scanner's burst is one scan: a keyboard-wedge scanner types the whole code within a few ms a
 * character, so a run of keys that fast replaces whatever the field held and is checked when it
 * pauses (or at its Enter). Slower keys are a person typing or correcting, and edit the field.
 */
import type { Gs1Value } from "@pedigree/gs1";
import {
  useCallback,
  useEffect,
  useId,
  useImperativeHandle,
  useRef,
  useState,
  type ClipboardEvent,
  type KeyboardEvent,
  type Ref,
} from "react";
import { packCodeProblem, readPackCode, type PackCodeEntry } from "@/lib/pack-code";
import { isGroupSeparatorKey, VISIBLE_GS } from "./scan-text";

/** What a page can do with its scanner: give the field back its focus, or check a code in it. */
export interface ScannerHandle {
  focus(): void;
  /** Puts `text` in the field and checks it, as if it had been typed there. */
  enter(text: string): void;
}

export interface ScannerProps {
  /**
   * Called with the code to check (scan data or a Digital Link as read; typed printed text in the
   * bracketed form), its parsed value, and whether it was scanned or typed.
   */
  onCode: (code: string, value: Gs1Value, entry: PackCodeEntry) => void;
  /** Called when the field's text changes: whatever was checked before no longer is on screen. */
  onEdit?: () => void;
  ref?: Ref<ScannerHandle>;
  /** Label of the text field. */
  fieldLabel?: string;
  /**
   * Keep the cursor in the field: at once, and again after each check (a counter with a USB
   * scanner wants this, so that no scan is typed into a button).
   */
  autoFocus?: boolean;
  /** Text of the submit button. */
  submitLabel?: string;
  /** Disables the inputs while the parent works on a code. */
  busy?: boolean;
  /** "unit-or-pack": an SSCC label (a pallet, case or tote) is taken too, as a code with `value.sscc`. */
  accepts?: "pack" | "unit-or-pack";
  /**
   * Where the field's form goes without JavaScript (a GET with `code=`), e.g. "/verify": the
   * page still works when scripts are off or not loaded yet.
   */
  formAction?: string;
}

type CameraState = { kind: "off" } | { kind: "starting" } | { kind: "on" } | { kind: "error"; message: string };

const FRAME_INTERVAL_MS = 200;
const MAX_FRAME_WIDTH = 960;

/**
 * A pause this long ends a run of keys: a scanner's burst without Enter is checked then, and the
 * keys after it start a new run (a new scan replaces the field's text).
 */
const SCAN_PAUSE_MS = 300;
/**
 * Keys closer together than this are a scanner's: wedge scanners type a character every few
 * milliseconds, people at most every 60 ms or so, even fast typists.
 */
const BURST_KEY_GAP_MS = 50;
/** A run this long is a scanner's burst when most of its keys came that fast: no person types so. */
const BURST_MIN_LENGTH = 8;
/** Most, not all: a busy page may hold a few of a scanner's keys back. */
const BURST_FAST_SHARE = 0.75;

/** The keys since the last pause: how many came, how many of them a scanner's distance apart. */
type Run = { text: string; lastAt: number; gaps: number; fastGaps: number; isScan: boolean };

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

function readOrExplain(
  text: string,
  accepts: "pack" | "unit-or-pack",
): { ok: true; value: Gs1Value; code: string } | { ok: false; message: string } {
  const reading = readPackCode(text);
  if (!reading.ok) return { ok: false, message: `This is not a readable pack code. ${packCodeProblem(reading.error)}` };
  if (accepts === "unit-or-pack" && reading.value.sscc !== undefined) return reading;
  if (reading.value.gtin === undefined || reading.value.serial === undefined) {
    if (accepts === "unit-or-pack") {
      return {
        ok: false,
        message:
          "This code names neither a pallet or case (its SSCC label) nor one pack (product number and serial together). Scan the SSCC label or the square code on the pack.",
      };
    }
    return {
      ok: false,
      message:
        "This code has no product number (GTIN) and serial number together, so it does not identify one pack. Scan the square code on the pack.",
    };
  }
  return reading;
}

export function Scanner({
  onCode,
  onEdit,
  ref,
  fieldLabel = "Pack code",
  autoFocus = false,
  submitLabel = "Check",
  busy = false,
  formAction,
  accepts = "pack",
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
  const inputRef = useRef<HTMLInputElement>(null);
  const streamRef = useRef<MediaStream | null>(null);
  const timerRef = useRef<number | null>(null);
  const lastRejectedRef = useRef<string | null>(null);
  const onCodeRef = useRef(onCode);
  onCodeRef.current = onCode;
  const onEditRef = useRef(onEdit);
  onEditRef.current = onEdit;
  // The field's text for callbacks that outlive a render (the end of a scan).
  const textRef = useRef("");
  const runRef = useRef<Run | null>(null);
  const scanEndTimerRef = useRef<number | null>(null);
  const entryRef = useRef<PackCodeEntry>("typed");

  const show = useCallback((next: string) => {
    textRef.current = next;
    setText(next);
  }, []);

  const endRun = useCallback(() => {
    if (scanEndTimerRef.current !== null) window.clearTimeout(scanEndTimerRef.current);
    scanEndTimerRef.current = null;
    runRef.current = null;
  }, []);

  useEffect(() => endRun, [endRun]);

  const stopCamera = useCallback(() => {
    if (timerRef.current !== null) window.clearTimeout(timerRef.current);
    timerRef.current = null;
    streamRef.current?.getTracks().forEach((track) => track.stop());
    streamRef.current = null;
    if (videoRef.current) videoRef.current.srcObject = null;
  }, []);

  useEffect(() => stopCamera, [stopCamera]);

  const accept = useCallback(
    (raw: string, entry: PackCodeEntry): boolean => {
      const result = readOrExplain(raw, accepts);
      if (!result.ok) {
        setInputError(result.message);
        return false;
      }
      setInputError(null);
      onCodeRef.current(result.code, result.value, entry);
      return true;
    },
    [accepts],
  );

  const submit = useCallback(() => {
    endRun();
    accept(textRef.current.trim(), entryRef.current);
    // A click on the button took the focus: the next scan must land in the field.
    if (autoFocus) inputRef.current?.focus();
  }, [accept, autoFocus, endRun]);

  useImperativeHandle(
    ref,
    () => ({
      focus: () => inputRef.current?.focus(),
      enter: (next: string) => {
        show(next);
        entryRef.current = "typed";
        onEditRef.current?.();
        submit();
      },
    }),
    [show, submit],
  );

  /**
   * One key's character, typed at `at` (ms). Returns the field's text after it: `edited` (the
   * field with the character put in), or, once the run of keys is a scanner's burst, the run alone.
   */
  const keyTyped = (character: string, at: number, edited: string): string => {
    const run = runRef.current;
    const next: Run =
      run !== null && at - run.lastAt < SCAN_PAUSE_MS
        ? {
            text: run.text + character,
            lastAt: at,
            gaps: run.gaps + 1,
            fastGaps: run.fastGaps + (at - run.lastAt <= BURST_KEY_GAP_MS ? 1 : 0),
            isScan: run.isScan,
          }
        : { text: character, lastAt: at, gaps: 0, fastGaps: 0, isScan: false };
    next.isScan ||= next.text.length >= BURST_MIN_LENGTH && next.fastGaps >= next.gaps * BURST_FAST_SHARE;
    runRef.current = next;
    if (!next.isScan) {
      entryRef.current = "typed";
      return edited;
    }
    entryRef.current = "scanned";
    if (scanEndTimerRef.current !== null) window.clearTimeout(scanEndTimerRef.current);
    scanEndTimerRef.current = window.setTimeout(submit, SCAN_PAUSE_MS);
    return next.text;
  };

  /** Any change that is not one typed key (a paste, a deletion, autofill) is a person editing. */
  const edited = (next: string) => {
    endRun();
    entryRef.current = "typed";
    show(next);
    setInputError(null);
    onEditRef.current?.();
  };

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
              const result = readOrExplain(code, accepts);
              if (result.ok) {
                stopCamera();
                setCamera({ kind: "off" });
                endRun();
                show(code.replaceAll("\u001d", VISIBLE_GS));
                entryRef.current = "scanned";
                setInputError(null);
                onCodeRef.current(result.code, result.value, "scanned");
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
  }, [accepts, endRun, show, stopCamera]);

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
        const first = codes.find((code) => readOrExplain(code, accepts).ok) ?? codes[0]!;
        endRun();
        show(first.replaceAll("\u001d", VISIBLE_GS));
        entryRef.current = "scanned";
        onEditRef.current?.();
        accept(first, "scanned");
      } catch (error) {
        setFileStatus(null);
        setInputError(`This file could not be read as a picture (${(error as Error).message}).`);
      }
    },
    [accept, accepts, endRun, show],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (!isGroupSeparatorKey(event)) return;
    event.preventDefault();
    const input = event.currentTarget;
    const start = input.selectionStart ?? text.length;
    const end = input.selectionEnd ?? text.length;
    show(keyTyped(VISIBLE_GS, event.timeStamp, text.slice(0, start) + VISIBLE_GS + text.slice(end)));
    setInputError(null);
    onEditRef.current?.();
  };

  // A text field drops line breaks from pasted text, gluing the printed lines together
  // ("SN ABC123" and "LOT L1" into "SN ABC123LOT L1"): put a space where each one was.
  const onPaste = (event: ClipboardEvent<HTMLInputElement>) => {
    const pasted = event.clipboardData.getData("text");
    if (!/[\r\n]/.test(pasted)) return;
    event.preventDefault();
    const input = event.currentTarget;
    const start = input.selectionStart ?? text.length;
    const end = input.selectionEnd ?? text.length;
    edited(text.slice(0, start) + pasted.trim().replace(/\s*[\r\n]+\s*/g, " ") + text.slice(end));
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
          submit();
        }}
      >
        {/* Without JavaScript the form itself is sent: whatever is in the field was typed. */}
        {formAction ? <input type="hidden" name="entry" value="typed" /> : null}
        <label htmlFor={fieldId} className="font-medium text-slate-800">
          {fieldLabel}
        </label>
        <p id={hintId} className="text-sm text-slate-600">
          Type the text printed beside the code (GTIN or PC, SN, LOT, EXP), paste a link, or scan with a USB barcode
          scanner.
        </p>
        <div className="flex flex-col gap-2 sm:flex-row">
          <input
            ref={inputRef}
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
              const native = event.nativeEvent as InputEvent;
              const value = event.currentTarget.value;
              if (native.inputType !== "insertText" || native.data?.length !== 1) {
                edited(value);
                return;
              }
              show(keyTyped(native.data, event.timeStamp, value));
              setInputError(null);
              onEditRef.current?.();
            }}
            onKeyDown={onKeyDown}
            onPaste={onPaste}
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
