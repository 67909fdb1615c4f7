// A model's tokenizer, built from its tokenizer.json and tokenizer_config.json as transformers.js 4 builds it.
//
// transformers.js 4's tokenizers are @huggingface/tokenizers (tokenizers.js, the library it is built on): its
// PreTrainedTokenizer wraps that library's Tokenizer, and encode() is the Tokenizer's encode().ids for every
// tokenizer class (none overrides it). Imported on its own, the library is 0.1 MB to compile where
// transformers.js is 1.3 MB, which a cold start paid for a tokenizer alone (README, Performance).
// test/unit/classifier/token-ids-types.test.ts checks ids, maximum length and padding id on every tokenizer type
// the hub models use against an independent reference (test/fixtures/models/tokenizer-reference.py: the types
// written out in Python from the vocabulary files, sentencepiece's own encoder for Unigram).
import { Tokenizer } from '@huggingface/tokenizers';
import type { PublicTokenizer } from './token-ids.js';

/** tokenizer_config.json, as far as the classifier reads it. */
export interface TokenizerConfig {
  model_max_length?: number;
  pad_token?: string | { content?: string } | null;
  eos_token?: string | { content?: string } | null;
}

export class ModelTokenizer implements PublicTokenizer {
  /** The tokenizers.js pipeline; named as transformers.js names it, which the token-id shortcut reads. */
  readonly _tokenizer: Tokenizer;
  /** Longest input the tokenizer states, Infinity if none (transformers.js's model_max_length). */
  readonly model_max_length: number;
  /** The padding token's id (the end-of-sequence token's if no padding token is named), as transformers.js's. */
  readonly pad_token_id: number | undefined;

  constructor(tokenizerJson: object, config: TokenizerConfig) {
    this._tokenizer = new Tokenizer(tokenizerJson, config);
    this.model_max_length = config.model_max_length ?? Infinity;
    const pad = tokenContent(config.pad_token) ?? tokenContent(config.eos_token);
    this.pad_token_id = pad === undefined ? undefined : this._tokenizer.token_to_id(pad);
  }

  encode(text: string, options: { add_special_tokens?: boolean } = {}): number[] {
    return this._tokenizer.encode(text, { add_special_tokens: options.add_special_tokens ?? true }).ids;
  }
}

/** A special token as tokenizer_config.json writes it: a string, or an AddedToken object with its content. */
function tokenContent(token: TokenizerConfig['pad_token']): string | undefined {
  if (!token) return undefined;
  return typeof token === 'string' ? token : token.content;
}
