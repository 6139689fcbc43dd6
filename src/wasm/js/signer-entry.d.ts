// cognito-sigv4/signer: the package's Signer alone (without explain()).
import type { SignerOptions, SignRequest, PresignRequest, SignedRequest, InitInput } from "../index.js";
export type { SignerOptions, SignRequest, PresignRequest, SignedRequest, ErrorCode, SdkError } from "../index.js";

/** Loads the wasm (fetched beside this file, read from disk in Node); WasmBlocked where a CSP lacks script-src 'wasm-unsafe-eval'. */
export default function init(input?: InitInput | { module_or_path: InitInput }): Promise<void>;
export function initSync(module: BufferSource | WebAssembly.Module | { module: BufferSource | WebAssembly.Module }): void;

export class Signer {
  constructor(options: SignerOptions);
  readonly region: string;
  readonly service: string;
  sign(request: SignRequest): SignedRequest;
  /** As sign(); a body of 64 KiB or more is hashed by WebCrypto first (faster), hence async. */
  signAsync(request: SignRequest): Promise<SignedRequest>;
  presign(request: PresignRequest): string;
  free(): void;
}

export function sha256(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): string;
