// cognito-sigv4/signer: the package's Signer alone (without explain()).
import type { SignerOptions, SignRequest, PresignRequest, SignedRequest, InitInput } from "../index.js";
export type { SignerOptions, SignRequest, PresignRequest, SignedRequest, ErrorCode, SdkError } from "../index.js";

/** Loads the wasm (fetched beside this file, read from disk in Node); WasmBlocked where a CSP lacks script-src 'wasm-unsafe-eval'. */
export default function init(input?: InitInput | { module_or_path: InitInput }): Promise<void>;
/** Synchronous init from the wasm bytes or a compiled module. */
export function initSync(module: BufferSource | WebAssembly.Module | { module: BufferSource | WebAssembly.Module }): void;

/** SigV4 with fixed credentials, region and service; synchronous. */
export class Signer {
  /** Throws InvalidConfig or MissingCredentials for options that cannot sign. */
  constructor(options: SignerOptions);
  /** The region signed for. */
  readonly region: string;
  /** The service signed for. */
  readonly service: string;
  /** Signs `request` in its headers: `{ method, url, headers }` for fetch. */
  sign(request: SignRequest): SignedRequest;
  /** As sign(); a body of 64 KiB or more is hashed by WebCrypto first (faster), hence async. */
  signAsync(request: SignRequest): Promise<SignedRequest>;
  /** A presigned URL: anyone may send that request until it expires. */
  presign(request: PresignRequest): string;
  /** Releases the wasm memory now rather than at garbage collection; the signer is unusable after. */
  free(): void;
}

/** Lower-case hex SHA-256 of a string or bytes. */
export function sha256(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): string;
