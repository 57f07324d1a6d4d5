// Secrets travel only inside the request. This module finds them there and scrubs them from any
// text that leaves the engine (protocol lines, log lines, error messages), whatever its path.

const SECRET_KEY = /(password|passwd|secret|apikey|api_key|connectkey|token|privatekey|credential)s?$/i;
const MASK = '***';
/** Shorter values would mask ordinary words; no real secret the engine accepts is this short. */
const MIN_SCRUB_LENGTH = 4;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export class SecretScrubber {
  private readonly secrets = new Set<string>();

  /** Remembers every string found under a secret-named key anywhere inside `value`. */
  collect(value: unknown, keyIsSecret = false): void {
    if (typeof value === 'string') {
      if (keyIsSecret) this.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) this.collect(item, keyIsSecret);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) this.collect(inner, keyIsSecret || isSecretKey(key));
    }
  }

  add(secret: string): void {
    if (secret.length >= MIN_SCRUB_LENGTH) {
      this.secrets.add(secret);
      // A secret can leak in encoded forms too: JSON-escaped, base64, URL-encoded.
      this.secrets.add(JSON.stringify(secret).slice(1, -1));
      this.secrets.add(Buffer.from(secret, 'utf8').toString('base64'));
      this.secrets.add(encodeURIComponent(secret));
    }
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }

  /** A deep copy with secret-named keys masked and known secret values scrubbed from strings. */
  redact<T>(value: T): T {
    return this.redactValue(value, false) as T;
  }

  private redactValue(value: unknown, keyIsSecret: boolean): unknown {
    if (typeof value === 'string') return keyIsSecret ? MASK : this.scrub(value);
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item, keyIsSecret));
    if (value instanceof Error) return this.scrub(value.message);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value)) {
        out[key] = this.redactValue(inner, keyIsSecret || isSecretKey(key));
      }
      return out;
    }
    return keyIsSecret && value !== undefined && value !== null ? MASK : value;
  }
}
